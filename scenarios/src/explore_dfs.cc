// src/explore_dfs.cc — see explore_dfs.h.
#include "src/explore_dfs.h"

#include <chrono>
#include <string>

#include "src/runner.h"
#include "strategies/dfs_scheduler.h"

namespace braid::engine {
namespace {

using Clock = std::chrono::steady_clock;

const char* bound_noun(Strategy::Bound b, std::uint32_t k) {
  if (b == Strategy::Bound::kDelay) return k == 1 ? "delay" : "delays";
  return k == 1 ? "preemption" : "preemptions";
}

const char* bound_name(Strategy::Bound b) { return b == Strategy::Bound::kDelay ? "delay" : "preemption"; }

struct Level {
  bool failed = false;
  bool exhausted = false;
  bool pruned = false;
};

class DfsRun {
 public:
  DfsRun(const Options& options, const std::function<void()>& body, const DfsCountedHook& counted)
      : options_(options), runner_(options, body), counted_(counted), deadline_(deadline_of(options)) {}

  // Explores the tree under `bound`/`limit` until it is exhausted, a failure
  // is reported (stop_on_failure), or the time budget runs out.
  Level run(Strategy::Bound bound, std::uint32_t limit) {
    DfsConfig config;
    config.bound = static_cast<DfsConfig::Bound>(bound);
    config.limit = limit;
    config.shard_index = options_.shard.index;
    config.shard_count = options_.shard.count;
    DfsScheduler scheduler(config);
    Level level;
    while (!scheduler.exhausted()) {
      const std::uint64_t index = index_++;
      runner_.run(scheduler, index);
      if (scheduler.last_foreign()) continue;
      if (scheduler.last_blocked()) {
        ++report.sleep_blocked;
        continue;
      }
      ++report.executions;
      if (counted_) counted_(runner_.execution().choices());
      if (report.ok) report.steps += runner_.execution().steps().size();
      const bool failed = runner_.execution().failed();
      failures_ += failed ? 1 : 0;
      if (options_.on_progress) progress();
      if (failed && report.ok) {
        report::TokenData token;
        token.strategy = report::StrategyKind::kDfs;
        token.strategy_param = limit;
        token.seed = options_.seed;
        token.execution = index;
        runner_.report_failure(std::move(token), report);
        level.failed = true;
        if (options_.stop_on_failure) break;
      }
      if ((index & 63) == 63 && Clock::now() >= deadline_) break;
    }
    level.exhausted = scheduler.exhausted();
    level.pruned = scheduler.pruned();
    return level;
  }

  Report report;

 private:
  // Calls Options::on_progress when 100 ms have passed since the last call.
  void progress() {
    const auto now = Clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(100)) return;
    last_progress_ = now;
    options_.on_progress(Progress{report.executions, 0, failures_, now - start_});
  }

  static Clock::time_point deadline_of(const Options& o) {
    return o.time_budget.count() > 0 ? Clock::now() + o.time_budget : Clock::time_point::max();
  }

  Options options_;
  Runner runner_;
  const DfsCountedHook& counted_;
  Clock::time_point deadline_;
  std::uint64_t index_ = 0;
  std::uint64_t failures_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
};

std::string counts(const Report& r) {
  return std::to_string(r.executions) + " interleavings (" + std::to_string(r.sleep_blocked) + " sleep-set blocked)";
}

}  // namespace

Report explore_dfs(const Options& options, const std::function<void()>& body, const DfsCountedHook& counted) {
  const auto start = Clock::now();
  const Strategy& s = options.strategy;
  DfsRun run(options, body, counted);
  Report& report = run.report;
  std::string shard;
  if (options.shard.count > 1) {
    shard = " in shard " + std::to_string(options.shard.index) + "/" + std::to_string(options.shard.count);
  }

  if (s.bound == Strategy::Bound::kNone) {
    const Level level = run.run(s.bound, 0);
    report.exhaustive = level.exhausted && !level.failed;
    if (report.ok) {
      report.summary = level.exhausted ? "explored all " + counts(report) + shard + ": no failure"
                                       : "explored " + counts(report) + shard +
                                             " before the time budget ran out: no failure, exploration incomplete";
    }
  } else {
    const std::uint32_t first = s.iterative ? 0 : s.bound_value;
    for (std::uint32_t k = first; k <= s.bound_value; ++k) {
      const Level level = run.run(s.bound, k);
      report.bound = k;
      if (!report.ok) {
        report.summary = std::string("failure at ") + bound_name(s.bound) + " bound " + std::to_string(k) +
                         (s.iterative && k > 0 ? " (bounds 0.." + std::to_string(k - 1) + " complete without failure)"
                                               : "");
        break;
      }
      if (!level.exhausted) {
        report.summary = "explored " + counts(report) + shard + " with at most " + std::to_string(k) + " " +
                         bound_noun(s.bound, k) + " before the time budget ran out: no failure, " + bound_name(s.bound) +
                         " bound " + std::to_string(k) + " incomplete" +
                         (k > 0 ? " (bound " + std::to_string(k - 1) + " complete)" : "");
        if (k > 0) report.bound = k - 1;
        else report.bound.reset();
        break;
      }
      report.exhaustive = true;
      report.summary = "explored all " + counts(report) + shard + " with at most " + std::to_string(k) + " " +
                       bound_noun(s.bound, k) + ": no failure (" + bound_name(s.bound) + " bound " +
                       std::to_string(k) + " complete" +
                       (level.pruned ? ")" : "; the bound cut nothing: every interleaving)");
      if (!level.pruned) break;
    }
  }
  report.wall_time = Clock::now() - start;
  return report;
}

}  // namespace braid::engine
