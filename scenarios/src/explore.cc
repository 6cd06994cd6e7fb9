// src/explore.cc
// -----------------------------------------------------------------------------
// braid::explore and braid::replay: the exploration loop over executions, with
// the strategy chosen by Options, and the confirmation and shrinking of the
// first failure (src/runner.cc).
// -----------------------------------------------------------------------------
#include <chrono>

#include "braid/errors.h"
#include "braid/explore.h"
#include "src/explore_dfs.h"
#include "src/runner.h"

namespace braid {
namespace {

using Clock = std::chrono::steady_clock;

Report replay_token(const Options& options, std::string_view text, const std::function<void()>& body) {
  const auto start = Clock::now();
  const report::TokenData token = report::decode_token(text);
  engine::Runner runner(options, body);
  runner.run_choices(token.choices, true);
  Report report;
  report.executions = 1;
  runner.describe_last_run(report, token);
  report.preemptions_before_shrink = report.preemptions;
  report.steps_before_shrink = report.steps;
  if (report.ok) report.token.clear();
  report.wall_time = Clock::now() - start;
  return report;
}

}  // namespace

Report explore(const Options& given, std::function<void()> body) {
  if (in_execution()) throw std::logic_error("braid::explore called inside an explored execution");
  const Options options = given.with_environment();
  if (options.strategy.kind == Strategy::Kind::kReplay) return replay_token(options, options.strategy.token, body);
  if (options.strategy.kind == Strategy::Kind::kDfs) return engine::explore_dfs(options, body);

  const auto start = Clock::now();
  const auto deadline = options.time_budget.count() > 0 ? start + options.time_budget : Clock::time_point::max();
  std::unique_ptr<engine::Scheduler> scheduler =
      options.strategy.kind == Strategy::Kind::kPct ? engine::make_pct_scheduler(options.seed, options.strategy.depth)
                                                    : engine::make_random_scheduler(options.seed);
  engine::Runner runner(options, body);
  Report report;
  std::uint64_t failures = 0;
  auto last_progress = start;
  for (std::uint64_t i = 0; i < options.executions; ++i) {
    runner.run(*scheduler, i);
    ++report.executions;
    if (report.ok) report.steps += runner.execution().steps().size();
    const bool failed = runner.execution().failed();
    failures += failed ? 1 : 0;
    if (options.on_progress) {
      const auto now = Clock::now();
      if (now - last_progress >= std::chrono::milliseconds(100)) {
        last_progress = now;
        options.on_progress(Progress{report.executions, options.executions, failures, now - start});
      }
    }
    if (failed && report.ok) {
      report::TokenData token;
      token.strategy = engine::token_strategy(options.strategy.kind);
      token.strategy_param = options.strategy.kind == Strategy::Kind::kPct ? options.strategy.depth : 0;
      token.seed = options.seed;
      token.execution = i;
      runner.report_failure(std::move(token), report);
      if (options.stop_on_failure) break;
    }
    if ((i & 15) == 15 && Clock::now() >= deadline) break;
  }
  report.wall_time = Clock::now() - start;
  return report;
}

Report replay(std::string_view token, std::function<void()> body) {
  if (in_execution()) throw std::logic_error("braid::replay called inside an explored execution");
  Options options = Options{}.with_environment();
  return replay_token(options, token, body);
}

bool in_execution() noexcept { return engine::Execution::current() != nullptr; }

bool fail_at_next_step(std::string message, braid::source_location where) noexcept {
  engine::Execution* e = engine::Execution::current();
  if (e == nullptr) return false;
  try {
    e->fail_later(std::move(message), where);
  } catch (...) {
    return false;
  }
  return true;
}

namespace detail {
void assert_failed(const char* expr, std::string message, braid::source_location where) {
  std::string text = std::string("BRAID_ASSERT(") + expr + ") failed";
  if (!message.empty()) text += ": " + message;
  if (engine::Execution* e = engine::Execution::current()) e->fail(std::move(text), where);
  throw std::logic_error(text + " (outside an explored execution, at " + where.file_name() + ":" +
                         std::to_string(where.line()) + ")");
}
}  // namespace detail

}  // namespace braid
