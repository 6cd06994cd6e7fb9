// strategies/pct_scheduler.cc
// -----------------------------------------------------------------------------
// PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, "A Randomized Scheduler with Probabilistic Guarantees of Finding
// Bugs", ASPLOS 2010).
//
// Each thread gets a random initial priority above `depth`; the highest
// priority enabled thread always runs. At depth-1 change points, chosen
// uniformly among the estimated k decisions of an execution, the priority of
// the thread chosen there drops to a value below every initial priority (the
// i-th change point to depth-i). A bug of depth d is then found with
// probability at least 1/(n * k^(d-1)) per execution. k is estimated as the
// largest number of decisions seen so far in the run.
//
// When the chosen thread has several alternatives (its guard holds and its
// timeout may fire), one of them is picked at random.
// -----------------------------------------------------------------------------
#include <algorithm>
#include <vector>

#include "strategies/rng.h"
#include "strategies/scheduler.h"

namespace braid::engine {
namespace {

class PctScheduler final : public Scheduler {
 public:
  PctScheduler(std::uint64_t seed, std::uint32_t depth) : seed_(seed), depth_(std::max(depth, 1u)) {}

  void begin_execution(std::uint64_t index) override {
    rng_.reseed(execution_seed(seed_, index));
    priority_.clear();
    change_points_.clear();
    for (std::uint32_t i = 1; i < depth_; ++i) change_points_.push_back(1 + rng_.below(estimate_));
    decisions_ = 0;
  }

  std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t) override {
    ++decisions_;
    std::uint32_t best = pick(alternatives);
    for (std::size_t i = 0; i < change_points_.size(); ++i) {
      if (change_points_[i] == decisions_) {
        priority_[choice_thread(alternatives[best])] = depth_ - 1 - i;
        best = pick(alternatives);
      }
    }
    // Among the chosen thread's alternatives (consecutive: sorted by thread), pick one.
    std::uint32_t first = best, last = best;
    const std::uint32_t t = choice_thread(alternatives[best]);
    while (first > 0 && choice_thread(alternatives[first - 1]) == t) --first;
    while (last + 1 < alternatives.size() && choice_thread(alternatives[last + 1]) == t) ++last;
    return first == last ? first : first + static_cast<std::uint32_t>(rng_.below(last - first + 1));
  }

  std::uint64_t choose_value(std::uint64_t n) override {
    ++decisions_;
    return rng_.below(n);
  }

  void end_execution(std::uint64_t decisions) override {
    estimate_ = std::max<std::uint64_t>(estimate_, decisions);
  }

 private:
  std::uint64_t priority_of(std::uint32_t thread) {
    while (priority_.size() <= thread) priority_.push_back(depth_ + (rng_.next() >> 8));
    return priority_[thread];
  }

  std::uint32_t pick(std::span<const std::uint32_t> alternatives) {
    std::uint32_t best = 0;
    std::uint64_t best_priority = 0;
    for (std::uint32_t i = 0; i < alternatives.size(); ++i) {
      std::uint64_t p = priority_of(choice_thread(alternatives[i]));
      if (i == 0 || p > best_priority) {
        best = i;
        best_priority = p;
      }
    }
    return best;
  }

  std::uint64_t seed_;
  std::uint32_t depth_;
  std::uint64_t estimate_ = 64;
  std::uint64_t decisions_ = 0;
  Rng rng_;
  std::vector<std::uint64_t> priority_;
  std::vector<std::uint64_t> change_points_;
};

}  // namespace

std::unique_ptr<Scheduler> make_pct_scheduler(std::uint64_t seed, std::uint32_t depth) {
  return std::make_unique<PctScheduler>(seed, depth);
}

}  // namespace braid::engine
