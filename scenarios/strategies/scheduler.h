// strategies/scheduler.h
// -----------------------------------------------------------------------------
// Scheduler: the one small interface every exploration strategy implements
// (the shape of shuttle's Scheduler): begin an execution, choose the next step
// among the enabled alternatives, give a random number.
//
// An alternative is an encoded choice `thread * 4 + kind` (see choice.h): which
// logical thread runs its pending step, and whether it proceeds because its
// guard holds, because its timeout fires, or spuriously. The engine asks the
// scheduler only when there are at least two alternatives; single-alternative
// points are forced and not recorded. Every answer is recorded in the
// execution's choice list, so feeding the same list to the replay scheduler
// reproduces the execution.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_STRATEGIES_SCHEDULER_H_
#define BRAID_SCENARIOS_STRATEGIES_SCHEDULER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "braid/runtime.h"
#include "strategies/rng.h"

namespace braid::engine {

// Choice encoding.
enum class ChoiceKind : std::uint32_t { kReady = 0, kTimeout = 1, kSpurious = 2 };
inline constexpr std::uint32_t encode_choice(std::uint32_t thread, ChoiceKind kind) noexcept {
  return thread * 4 + static_cast<std::uint32_t>(kind);
}
inline constexpr std::uint32_t choice_thread(std::uint32_t c) noexcept { return c / 4; }
inline constexpr ChoiceKind choice_kind(std::uint32_t c) noexcept { return ChoiceKind(c % 4); }

inline constexpr std::uint32_t kNoThread = ~0u;
// Returned by choose() when the scheduler cannot follow its script (replay).
inline constexpr std::uint32_t kInvalidChoice = ~0u;
// Returned by choose() (or, as a 64-bit value, by choose_value()) to end the
// execution early without a failure: the rest of it is not worth running
// (a sleep-set blocked DPOR execution, a branch owned by another shard).
inline constexpr std::uint32_t kAbandon = ~0u - 2;
inline constexpr std::uint64_t kAbandonValue = ~std::uint64_t{0} - 2;

// StepKey: one step as partial-order reduction sees it: which thread, which
// operation, on which object (the object's id within the execution, 0 = none),
// and whether the step was guarded: it had a non-always guard (it could block:
// a blocking acquire, a join; not a try-lock or a query) and, for a step taken,
// proceeded because the guard held (not by a timeout or spuriously).
struct StepKey {
  std::uint32_t thread = 0;
  runtime::Op op = runtime::Op::kUser;
  std::uint32_t object = 0;
  bool guarded = false;
};

// ExecutionView: what a scheduler may observe of the running execution, for
// partial-order reduction (strategies/dfs_scheduler.h). Valid from
// Scheduler::observe() until the end of the run.
class ExecutionView {
 public:
  // The number of steps taken so far (the step log's length), and step `i`.
  virtual std::size_t step_count() const noexcept = 0;
  virtual StepKey step_at(std::size_t i) const noexcept = 0;
  // The step thread `thread` is parked at (for an unstarted thread, its
  // thread.start step on its own context).
  virtual StepKey pending(std::uint32_t thread) = 0;

 protected:
  ~ExecutionView() = default;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Starts execution number `index` of the run (0, 1, 2, ...).
  virtual void begin_execution(std::uint64_t index) = 0;

  // Called before begin_execution() with a view of the execution about to
  // run. Only schedulers that reduce partial orders need it.
  virtual void observe(ExecutionView& /*view*/) {}

  // Chooses among `alternatives` (size >= 2, encoded as above, sorted by
  // thread). `current` is the thread that reached this point (kNoThread if it
  // ended). Returns an index into `alternatives`, or kInvalidChoice.
  virtual std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t current) = 0;

  // A data choice in [0, n), n >= 2; returns n or more when it cannot follow
  // its script.
  virtual std::uint64_t choose_value(std::uint64_t n) = 0;

  // A scheduler whose every choice among alternatives is `below(n)` of one
  // generator (the random strategy) returns that generator: the engine then
  // draws such choices inline, with the same result, and calls choose() only
  // on its general path. Valid until the next begin_execution().
  virtual Rng* uniform() noexcept { return nullptr; }

  // The execution ended after `decisions` calls of choose/choose_value.
  virtual void end_execution(std::uint64_t decisions) {}

  // For replay: why the last kInvalidChoice was returned; whether unused
  // script remains at the end of the execution.
  virtual std::string mismatch() const { return {}; }
  virtual bool script_left() const { return false; }
};

// The non-preemptive choice: `current` if it can proceed normally, else the
// first alternative. Used by replay fallbacks and shrinking.
std::uint32_t non_preemptive(std::span<const std::uint32_t> alternatives, std::uint32_t current) noexcept;

std::unique_ptr<Scheduler> make_random_scheduler(std::uint64_t seed);
std::unique_ptr<Scheduler> make_pct_scheduler(std::uint64_t seed, std::uint32_t depth);

// Replays `choices`. With `strict`, a choice that is not enabled, or choices
// running out, is a mismatch (kInvalidChoice). Otherwise the scheduler falls
// back to non_preemptive() there; the value kFollow in the script also asks
// for the non-preemptive choice at that point.
inline constexpr std::uint32_t kFollow = ~0u - 1;
std::unique_ptr<Scheduler> make_replay_scheduler(std::vector<std::uint32_t> choices, bool strict);

// Takes its decisions from `bytes` (a fuzzer's input; see bytes_scheduler.cc):
// the input is a list of moves, two bytes each, (gap, pick): follow the
// non-preemptive choice for `gap` decisions, then take alternative
// `pick % alternatives` (a data choice: the value `pick % n`). When the moves
// run out, every further decision is the non-preemptive one (value 0). Every
// byte string is a valid schedule; the bytes are copied.
std::unique_ptr<Scheduler> make_bytes_scheduler(std::span<const std::uint8_t> bytes);

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_STRATEGIES_SCHEDULER_H_
