// report/shrink.h
// -----------------------------------------------------------------------------
// Schedule shrinking: from a failing schedule, find a simpler one that fails
// the same way (same FailureKind): fewest preemptions first, then fewest steps.
//
// Candidates are run with lenient replay (strategies/scheduler.h): the choice
// list is followed where it can be, and where it cannot (or ends, or says
// kFollow) the running thread simply continues. Two moves, repeated while they
// help and the budget lasts:
//   1. truncation: keep only a prefix of the choices and continue
//      non-preemptively (finds the shortest failing prefix);
//   2. point edits: replace one choice by kFollow (removes one preemption at a
//      time, keeping the rest of the schedule where it still applies).
// Each accepted candidate's *actual* choices become the new schedule, so the
// result replays strictly.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_REPORT_SHRINK_H_
#define BRAID_SCENARIOS_REPORT_SHRINK_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "braid/explore.h"

namespace braid::report {

// The outcome of running one candidate schedule.
struct ScheduleRun {
  FailureKind kind = FailureKind::kNone;
  std::vector<std::uint32_t> choices;  // the choices actually made
  std::uint64_t preemptions = 0;
  std::uint64_t steps = 0;
};

struct ShrinkResult {
  ScheduleRun best;
  std::uint64_t runs = 0;
};

// Shrinks `failing` (whose kind is the kind to keep). `run_lenient` runs a
// candidate choice list with lenient replay. Stops after `max_runs` runs or at
// `deadline`.
ShrinkResult shrink_schedule(const std::function<ScheduleRun(const std::vector<std::uint32_t>&)>& run_lenient,
                             ScheduleRun failing, std::uint64_t max_runs,
                             std::chrono::steady_clock::time_point deadline);

}  // namespace braid::report

#endif  // BRAID_SCENARIOS_REPORT_SHRINK_H_
