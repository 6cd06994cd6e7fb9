// chaos.cc
// -----------------------------------------------------------------------------
// Chaos mode for the OS runtime: with BRAID_CHAOS=<seed> in the environment at
// start-up (or after enable_chaos(seed)), chaos_point() sometimes yields the
// CPU or sleeps a few microseconds, widening race windows for stress and TSan
// runs. While chaos is on, runtime::hooked() is true.
// -----------------------------------------------------------------------------
#include <sched.h>
#include <time.h>

#include <cstdlib>

#include "braid/runtime.h"

namespace braid::runtime {
namespace {

std::atomic<std::uint64_t> g_seed{0};
std::atomic<std::uint64_t> g_thread_index{0};

struct ChaosRng {
  std::uint64_t seed = 0;  // the chaos seed this state was derived from
  std::uint64_t state = 0;
};
thread_local ChaosRng tls_rng;

std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

const bool g_env_read = [] {
  if (const char* env = std::getenv("BRAID_CHAOS")) {
    char* end = nullptr;
    std::uint64_t seed = std::strtoull(env, &end, 10);
    if (end != env && seed != 0) enable_chaos(seed);
  }
  return true;
}();

}  // namespace

bool chaos_enabled() noexcept { return g_seed.load(std::memory_order_relaxed) != 0; }

void enable_chaos(std::uint64_t seed) noexcept {
  std::uint64_t old = g_seed.exchange(seed, std::memory_order_relaxed);
  if (old == 0 && seed != 0) detail::g_hooked.fetch_add(1, std::memory_order_relaxed);
  if (old != 0 && seed == 0) detail::g_hooked.fetch_sub(1, std::memory_order_relaxed);
}

void chaos_point() noexcept {
  std::uint64_t seed = g_seed.load(std::memory_order_relaxed);
  if (seed == 0) return;
  ChaosRng& rng = tls_rng;
  if (rng.seed != seed) {
    rng.seed = seed;
    rng.state = seed + 0x1000193ull * (g_thread_index.fetch_add(1, std::memory_order_relaxed) + 1);
  }
  std::uint64_t r = splitmix64(rng.state);
  switch (r & 63) {
    case 0:
    case 1: {  // about 1 in 32: sleep 1-16 microseconds
      timespec ts{0, static_cast<long>(1000 * (1 + ((r >> 8) & 15)))};
      nanosleep(&ts, nullptr);
      break;
    }
    case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
      sched_yield();  // about 1 in 8: give up the CPU
      break;
    default:
      break;
  }
}

}  // namespace braid::runtime
