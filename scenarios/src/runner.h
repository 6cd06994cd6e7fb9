// src/runner.h
// -----------------------------------------------------------------------------
// Runner: one Execution over this OS thread's stack pool, plus the helpers
// explore() and replay() share: running a schedule strictly or leniently,
// confirming and shrinking a failure, and filling a Report from the last run.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_SRC_RUNNER_H_
#define BRAID_SCENARIOS_SRC_RUNNER_H_

#include <chrono>
#include <functional>
#include <vector>

#include "braid/explore.h"
#include "report/shrink.h"
#include "report/token.h"
#include "runtime/execution.h"

namespace braid::engine {

// The stacks of this OS thread's logical threads, kept across explorations.
StackPool& thread_stack_pool();

class Runner {
 public:
  Runner(const Options& options, const std::function<void()>& body);

  Execution& execution() noexcept { return exec_; }
  // Runs execution `index` under `scheduler`.
  void run(Scheduler& scheduler, std::uint64_t index);
  // Runs `choices` (strictly, or leniently for shrinking) and summarizes it.
  report::ScheduleRun run_choices(const std::vector<std::uint32_t>& choices, bool strict);

  // After a failing run of execution `index` (the last run): confirms it by
  // replay, shrinks it, and fills `report` (kind, message, trace, token...).
  void report_failure(report::TokenData token, Report& report);
  // Fills the failure fields of `report` from the last run.
  void describe_last_run(Report& report, const report::TokenData& token);

 private:
  Options options_;
  const std::function<void()>& body_;
  Execution exec_;
  Execution::Limits limits_;
};

report::StrategyKind token_strategy(Strategy::Kind kind) noexcept;

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_SRC_RUNNER_H_
