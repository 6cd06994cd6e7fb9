// strategies/random_scheduler.cc
// -----------------------------------------------------------------------------
// The random strategy: at every decision, a uniformly random alternative. Each
// execution is seeded from the run's seed and the execution's index, so any
// execution can be regenerated from (seed, index) alone.
// -----------------------------------------------------------------------------
#include "strategies/rng.h"
#include "strategies/scheduler.h"

namespace braid::engine {
namespace {

class RandomScheduler final : public Scheduler {
 public:
  explicit RandomScheduler(std::uint64_t seed) : seed_(seed) {}

  void begin_execution(std::uint64_t index) override { rng_.reseed(execution_seed(seed_, index)); }

  std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t) override {
    return static_cast<std::uint32_t>(rng_.below(alternatives.size()));
  }

  std::uint64_t choose_value(std::uint64_t n) override { return rng_.below(n); }

  Rng* uniform() noexcept override { return &rng_; }

 private:
  std::uint64_t seed_;
  Rng rng_;
};

}  // namespace

std::uint32_t non_preemptive(std::span<const std::uint32_t> alternatives, std::uint32_t current) noexcept {
  for (std::uint32_t i = 0; i < alternatives.size(); ++i) {
    if (alternatives[i] == encode_choice(current, ChoiceKind::kReady)) return i;
  }
  return 0;
}

std::unique_ptr<Scheduler> make_random_scheduler(std::uint64_t seed) {
  return std::make_unique<RandomScheduler>(seed);
}

}  // namespace braid::engine
