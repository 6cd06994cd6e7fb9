// report/shrink.cc — see shrink.h.
#include "report/shrink.h"

#include "strategies/scheduler.h"

namespace braid::report {
namespace {
bool better(const ScheduleRun& a, const ScheduleRun& b) {
  if (a.preemptions != b.preemptions) return a.preemptions < b.preemptions;
  if (a.steps != b.steps) return a.steps < b.steps;
  return a.choices.size() < b.choices.size();
}
}  // namespace

ShrinkResult shrink_schedule(const std::function<ScheduleRun(const std::vector<std::uint32_t>&)>& run_lenient,
                             ScheduleRun failing, std::uint64_t max_runs,
                             std::chrono::steady_clock::time_point deadline) {
  ShrinkResult result{std::move(failing), 0};
  ScheduleRun& best = result.best;
  const FailureKind kind = best.kind;
  auto out_of_budget = [&] { return result.runs >= max_runs || std::chrono::steady_clock::now() >= deadline; };
  auto attempt = [&](const std::vector<std::uint32_t>& candidate) {
    ++result.runs;
    ScheduleRun r = run_lenient(candidate);
    if (r.kind == kind && better(r, best)) {
      best = std::move(r);
      return true;
    }
    return false;
  };

  bool improved = true;
  while (improved && best.preemptions + best.steps > 0 && !out_of_budget()) {
    improved = false;
    // 1. The shortest prefix that still fails.
    for (std::size_t len = 0; len < best.choices.size() && !out_of_budget(); ++len) {
      std::vector<std::uint32_t> candidate(best.choices.begin(), best.choices.begin() + static_cast<std::ptrdiff_t>(len));
      if (attempt(candidate)) {
        improved = true;
        break;
      }
    }
    // 2. Remove one decision at a time (latest first, so earlier indices stay aligned).
    for (std::size_t i = best.choices.size(); i-- > 0 && !out_of_budget();) {
      if (i >= best.choices.size()) continue;
      std::vector<std::uint32_t> candidate = best.choices;
      candidate[i] = engine::kFollow;
      if (attempt(candidate)) improved = true;
    }
  }
  return result;
}

}  // namespace braid::report
