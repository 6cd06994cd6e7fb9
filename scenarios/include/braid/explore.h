// braid/explore.h
// -----------------------------------------------------------------------------
// Exploring interleavings: run a test body under braid's controlled scheduler
// many times, each time under a different interleaving of its logical threads,
// and report the first failure with a replay token.
//
//   braid::Options opts;                  // random strategy, 1,000 executions
//   braid::Report r = braid::explore(opts, [] {
//     braid::Shared<int> balance{0};
//     braid::Thread t([&] { balance = balance + 1; });
//     t.start();
//     balance = balance + 1;
//     t.join();
//     BRAID_ASSERT(balance == 2, "lost update");
//   });
//   if (!r.ok) std::cerr << r.to_string();   // ends with the replay line
//
// The body is the main logical thread of each execution. Everything it does
// with braid's primitives (Thread, Lock, Condition, queues, Shared<T>, sleep,
// ...) is a scheduling point; blocking is modelled and time is virtual, so a
// program that sleeps for seconds explores in microseconds. Code between two
// scheduling points runs atomically.
//
// Each execution is a pure function of its scheduler choices: a failing
// execution is replayed once to confirm it fails the same way, its schedule is
// shrunk (fewest preemptions, then fewest steps), and the report carries a
// token that reproduces it:
//
//   BRAID_REPLAY=<token> ctest --test-dir build -R 'Suite.Name' --output-on-failure
//
// Every Options field can be overridden from the environment (BRAID_SEED,
// BRAID_EXECUTIONS, BRAID_STRATEGY, BRAID_REPLAY, ...). The variables, their
// defaults and the bounds are documented in one place: docs/options.md.
//
// Python equivalence: none; this is the harness around Python-shaped programs.
// -----------------------------------------------------------------------------
#ifndef BRAID_EXPLORE_H_
#define BRAID_EXPLORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include "braid/source_location.h"
#include <sstream>
#include <string>
#include <string_view>

#include "braid/runtime.h"

namespace braid {

namespace report {
struct Trace;
}  // namespace report

// Strategy
//
// How the next logical thread is chosen at each scheduling point.
//   * random():    uniformly among the runnable, seeded per execution from
//                  Options::seed and the execution's index.
//   * pct(depth):  probabilistic concurrency testing (Burckhardt et al.,
//                  ASPLOS 2010): random thread priorities plus depth-1 random
//                  priority change points; finds any bug of depth `depth` with
//                  probability >= 1/(n * k^(depth-1)) per execution.
//   * replay(tok): runs exactly the execution a replay token names.
//   * dfs():       exhaustive: every interleaving up to equivalence, by
//                  dynamic partial-order reduction with source sets and sleep
//                  sets (docs/dpor.md has the dependence table). Ends when
//                  the tree is exhausted ("explored all N interleavings") or
//                  the time budget runs out; `executions` does not apply.
//   * dfs_preemption_bound(k), dfs_delay_bound(k): exhaustive among the
//                  schedules with at most k preemptions (k delays), without
//                  reduction.
//   * dfs_iterative_preemption(max), dfs_iterative_delay(max): bound 0, 1,
//                  2, ... up to `max`, stopping at the first bound that
//                  exposes a failure (Report::bound is then the smallest such
//                  bound) or that the bound no longer cuts (complete).
struct Strategy {
  enum class Kind : std::uint8_t { kRandom, kPct, kReplay, kDfs };
  enum class Bound : std::uint8_t { kNone, kPreemption, kDelay };
  // Parses the spelling BRAID_STRATEGY and `braid explore --strategy` use:
  // random, pct, pct:<depth>, dfs, dfs:pb=<k>, dfs:db=<k>, dfs:ipb[=<max>],
  // dfs:idb[=<max>], replay:<token>. Throws braid::ValueError naming the text.
  static Strategy parse(const std::string& text);

  Kind kind = Kind::kRandom;
  std::uint32_t depth = 3;  // PCT only
  std::string token;        // replay only
  Bound bound = Bound::kNone;  // dfs only
  std::uint32_t bound_value = 0;  // dfs: the bound, or the largest bound when iterative
  bool iterative = false;         // dfs: iterative deepening over the bound

  static Strategy random() { return {}; }
  static Strategy pct(std::uint32_t depth = 3) { return {Kind::kPct, depth, {}}; }
  static Strategy replay(std::string token) { return {Kind::kReplay, 0, std::move(token)}; }
  static Strategy dfs() { return {Kind::kDfs, 0, {}}; }
  static Strategy dfs_preemption_bound(std::uint32_t k) { return {Kind::kDfs, 0, {}, Bound::kPreemption, k}; }
  static Strategy dfs_delay_bound(std::uint32_t k) { return {Kind::kDfs, 0, {}, Bound::kDelay, k}; }
  static Strategy dfs_iterative_preemption(std::uint32_t max = 10) {
    return {Kind::kDfs, 0, {}, Bound::kPreemption, max, true};
  }
  static Strategy dfs_iterative_delay(std::uint32_t max = 10) { return {Kind::kDfs, 0, {}, Bound::kDelay, max, true}; }
};

// Shard
//
// Part `index` of `count` (0 <= index < count) of a dfs exploration: the n
// shards of one program explore disjoint parts of its tree whose union is the
// whole (BRAID_SHARD=i/n). Other strategies ignore it.
struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};

// Progress
//
// A snapshot of a running exploration, for progress displays (the `braid`
// command's progress bar). See Options::on_progress.
struct Progress {
  std::uint64_t executions = 0;      // executions counted so far (as Report::executions)
  std::uint64_t planned = 0;         // Options::executions for random and pct; 0 for dfs (unknown)
  std::uint64_t failures = 0;        // failing executions found so far
  std::chrono::nanoseconds elapsed{0};  // wall time since the exploration started
};

// Options
//
// The knobs of one exploration. Defaults are in docs/options.md; each field is
// overridden by its environment variable when `apply_environment` is true.
struct Options {
  Strategy strategy;                             // BRAID_STRATEGY=random|pct:<depth>, BRAID_REPLAY
  std::uint64_t executions = 1000;               // BRAID_EXECUTIONS
  std::uint64_t seed = 0x62726169;               // BRAID_SEED
  std::uint64_t max_steps = 20000;               // BRAID_MAX_STEPS (per execution)
  std::chrono::milliseconds time_budget{10000};  // BRAID_TIME_BUDGET_MS (0: none)
  bool spurious_wakeups = false;                 // BRAID_SPURIOUS=0|1
  bool stop_on_failure = true;                   // BRAID_STOP_ON_FAILURE=0|1
  bool shrink = true;                            // BRAID_SHRINK=0|1
  std::uint64_t shrink_attempts = 2000;          // BRAID_SHRINK_ATTEMPTS
  bool apply_environment = true;                 // read BRAID_* variables at all
  Shard shard;                                   // BRAID_SHARD=i/n (dfs only)
  // When set, called from the exploring thread between executions, at most
  // about every 100 ms (never during an execution; not for replays). Not
  // read from the environment. It must not call explore().
  std::function<void(const Progress&)> on_progress;

  // Returns a copy with the BRAID_* environment variables applied. Throws
  // braid::ValueError naming the variable when one is malformed.
  Options with_environment() const;
};

// FailureKind
//
// Why an execution failed.
enum class FailureKind : std::uint8_t {
  kNone,
  kAssertion,          // BRAID_ASSERT, or a failed GoogleTest assertion in a logical thread
  kUncaughtException,  // an exception escaped a logical thread's body
  kDeadlock,           // no logical thread can run and no timeout can fire
  kMisuse,             // a braid::Exception with is_misuse(): Python's misuse errors
  kDataRace,           // two unordered accesses to a Shared<T>, one a write
  kStepLimit,          // more than Options::max_steps steps: livelock or endless loop
  kNondeterminism,     // the same choices gave a different execution
};

// "assertion", "uncaught_exception", "deadlock", "misuse", "data_race",
// "step_limit", "nondeterminism" ("ok" for kNone).
const char* failure_kind_name(FailureKind kind) noexcept;

// Report
//
// The outcome of explore() or replay(). When `ok` is false, the fields describe
// the (replayed, shrunk) failing execution.
struct Report {
  bool ok = true;
  FailureKind kind = FailureKind::kNone;
  std::string message;               // what went wrong, in words
  std::string thread;                // the failing logical thread's name
  std::optional<runtime::Op> op;     // the operation it was performing, if any
  braid::source_location where;        // where (file, line, function)
  std::shared_ptr<const report::Trace> trace;  // one row per visible step
  std::string trace_table;           // the trace as a table (one row per step)
  std::string swimlane;              // the trace, one column per thread
  std::uint64_t executions = 0;      // executions run before the failure (or in all)
  std::uint64_t steps = 0;           // steps of the reported execution (all, if ok)
  std::uint64_t steps_before_shrink = 0;
  std::uint64_t preemptions = 0;     // preemptions of the reported schedule
  std::uint64_t preemptions_before_shrink = 0;
  std::uint64_t shrink_runs = 0;     // executions spent shrinking
  std::chrono::nanoseconds wall_time{0};
  std::string token;                 // replay token; empty when ok
  std::string test_name;             // filled by braid/testing.h
  std::string build_dir;             // filled by braid/testing.h
  std::string replay_command;        // when set, the whole replay line (e.g. `braid replay ...`)
  // dfs only:
  bool exhaustive = false;           // the whole (bounded, sharded) tree was explored
  std::uint64_t sleep_blocked = 0;   // executions cut short by sleep sets (not in `executions`)
  std::optional<std::uint32_t> bound;  // bounded: the bound completed, or the one exposing the failure
  std::string summary;               // e.g. "explored all 20 interleavings (0 sleep-set blocked)"

  // The whole report: kind, message, location, swimlane, counts and, as the
  // last line, the replay command (`BRAID_REPLAY=<token> ...`).
  std::string to_string() const;
  // Just the last line of to_string().
  std::string replay_line() const;
};

// explore()
//
// Runs `body` as the main logical thread of up to `options.executions`
// executions (after applying the environment, see Options) and returns the
// first failure, confirmed and shrunk, or an ok report. With BRAID_REPLAY set
// (or a replay strategy) it runs just that execution. Must not be called from
// inside a logical thread. Throws braid::ValueError for a malformed token or
// environment variable.
Report explore(const Options& options, std::function<void()> body);

// replay()
//
// Runs exactly the execution `token` names and reports its outcome. Throws
// braid::ValueError naming the problem when the token is malformed.
Report replay(std::string_view token, std::function<void()> body);

// True while the calling code runs inside an explored execution.
bool in_execution() noexcept;

// Marks the current execution failed with an assertion failure that is
// reported at the next scheduling point (used for failures that must not
// unwind immediately, such as a GoogleTest assertion inside a logical thread).
// Outside an execution it does nothing and returns false.
bool fail_at_next_step(std::string message, braid::source_location where) noexcept;

namespace detail {
// Fails the current execution (never returns), or throws std::logic_error with
// the message when called outside an execution.
[[noreturn]] void assert_failed(const char* expr, std::string message, braid::source_location where);

inline std::string concat() { return {}; }
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
}  // namespace detail
}  // namespace braid

// BRAID_ASSERT(cond, msg...)
//
// Fails the current execution when `cond` is false, with the message built
// from `msg...` (streamed). Outside an execution it throws std::logic_error.
#define BRAID_ASSERT(cond, ...)                                                     \
  do {                                                                              \
    if (!(cond))                                                                    \
      ::braid::detail::assert_failed(#cond, ::braid::detail::concat(__VA_ARGS__),   \
                                     braid::source_location::current());              \
  } while (0)

#endif  // BRAID_EXPLORE_H_
