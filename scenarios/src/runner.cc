// src/runner.cc — see runner.h.
#include "src/runner.h"

#include "report/trace.h"

namespace braid::engine {

StackPool& thread_stack_pool() {
#if defined(BRAID_ASAN_FIBERS) || defined(BRAID_TSAN_FIBERS)
  constexpr std::size_t kStackSize = 1 << 20;
#else
  constexpr std::size_t kStackSize = 256 << 10;
#endif
  thread_local StackPool pool(kStackSize);
  return pool;
}

report::StrategyKind token_strategy(Strategy::Kind kind) noexcept {
  switch (kind) {
    case Strategy::Kind::kPct: return report::StrategyKind::kPct;
    case Strategy::Kind::kReplay: return report::StrategyKind::kReplay;
    case Strategy::Kind::kDfs: return report::StrategyKind::kDfs;
    case Strategy::Kind::kRandom: break;
  }
  return report::StrategyKind::kRandom;
}

Runner::Runner(const Options& options, const std::function<void()>& body)
    : options_(options), body_(body), exec_(thread_stack_pool()) {
  limits_.max_steps = options.max_steps;
  limits_.spurious_wakeups = options.spurious_wakeups;
}

void Runner::run(Scheduler& scheduler, std::uint64_t index) { exec_.run(body_, scheduler, index, limits_); }

report::ScheduleRun Runner::run_choices(const std::vector<std::uint32_t>& choices, bool strict) {
  auto scheduler = make_replay_scheduler(choices, strict);
  run(*scheduler, 0);
  return report::ScheduleRun{exec_.failure().kind, exec_.choices(), exec_.preemptions(), exec_.steps().size()};
}

void Runner::report_failure(report::TokenData token, Report& report) {
  const Failure original = exec_.failure();
  const report::ScheduleRun found{original.kind, exec_.choices(), exec_.preemptions(), exec_.steps().size()};
  report.preemptions_before_shrink = found.preemptions;
  report.steps_before_shrink = found.steps;
  if (original.sanitizer) {
    // A sanitizer reports each race once per process: a replay here would not
    // see it again. The token replays it in a fresh process.
    token.choices = found.choices;
    describe_last_run(report, token);
    return;
  }

  // Replay once: the same choices must fail the same way.
  const report::ScheduleRun again = run_choices(found.choices, true);
  if (again.kind != found.kind) {
    const std::string second = exec_.failed() ? exec_.failure().message : "no failure";
    token.choices = found.choices;
    describe_last_run(report, token);
    report.ok = false;
    report.kind = FailureKind::kNondeterminism;
    report.message = std::string("nondeterminism: an execution failed with ") + failure_kind_name(found.kind) +
                     " (" + original.message + ") but its replay gave " + failure_kind_name(again.kind) + " (" +
                     second + "); the program is not a function of its schedule (real time, real threads or "
                     "unseeded randomness?)";
    return;
  }

  report::ScheduleRun best = found;
  if (options_.shrink && options_.shrink_attempts > 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    report::ShrinkResult shrunk = report::shrink_schedule(
        [this](const std::vector<std::uint32_t>& c) { return run_choices(c, false); }, found,
        options_.shrink_attempts, deadline);
    report.shrink_runs = shrunk.runs;
    best = std::move(shrunk.best);
  }
  // The reported run: strict replay of the final schedule (falls back to the original).
  if (run_choices(best.choices, true).kind != found.kind) {
    best = found;
    run_choices(best.choices, true);
  }
  token.choices = best.choices;
  describe_last_run(report, token);
}

void Runner::describe_last_run(Report& report, const report::TokenData& token) {
  const Failure& f = exec_.failure();
  report.ok = f.kind == FailureKind::kNone;
  report.kind = f.kind;
  report.message = f.message;
  report.thread = f.thread != kNoThread ? exec_.thread_name(f.thread) : "";
  report.op = f.op;
  report.where = f.where;
  auto trace = std::make_shared<report::Trace>(exec_.trace());
  report.trace_table = report::render_table(*trace);
  report.swimlane = report::render_swimlane(*trace);
  report.trace = std::move(trace);
  report.steps = exec_.steps().size();
  report.preemptions = exec_.preemptions();
  report.token = report::encode_token(token);
}

}  // namespace braid::engine
