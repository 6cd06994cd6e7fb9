// strategies/rng.h
// -----------------------------------------------------------------------------
// Rng: a small fast seeded generator (xoshiro256**, seeded through splitmix64)
// for the randomized strategies. Deterministic across platforms: the same seed
// gives the same stream everywhere, which replay tokens rely on.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_STRATEGIES_RNG_H_
#define BRAID_SCENARIOS_STRATEGIES_RNG_H_

#include <cstdint>

namespace braid::engine {

inline std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The seed of execution `index` of a run seeded with `seed`.
inline std::uint64_t execution_seed(std::uint64_t seed, std::uint64_t index) noexcept {
  std::uint64_t x = seed ^ (index * 0xD1B54A32D192ED03ull);
  return splitmix64(x);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }
  void reseed(std::uint64_t seed) noexcept {
    for (auto& w : s_) w = splitmix64(seed);
  }
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) (Lemire's multiply-shift; n >= 1).
  std::uint64_t below(std::uint64_t n) noexcept {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_STRATEGIES_RNG_H_
