// strategies/dfs_scheduler.h
// -----------------------------------------------------------------------------
// DfsScheduler: stateless exhaustive exploration, one execution at a time, in
// depth-first order of the decision tree.
//
// Unbounded, it is dynamic partial-order reduction with source sets and sleep
// sets (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order
// Reduction", POPL 2014, Algorithm "Source-DPOR"): after each execution the
// races of its steps (pairs of dependent steps of different threads, not
// ordered by happens-before through other steps, and reversible: the later
// thread was enabled before the earlier step) add an initial of the reversed
// sequence to the backtrack set of the decision before the earlier step. Sleep
// sets keep two complete executions from ever being equivalent; an execution
// whose every enabled thread is asleep is abandoned ("sleep-set blocked").
// The dependence relation is in dpor_dependence.h.
//
// Blocking is the engine's guard model: a blocked step is not enabled, so a
// release and the blocking acquire it unblocks do not race (the acquire was
// not enabled before the release); the acquire races with the previous
// acquire. Which steps were blocking is recorded, not guessed: the step log
// marks a step guarded when it had a non-always guard and proceeded because
// it held (StepKey::guarded), and only such steps get this rule (see
// dpor::enables); a try-lock or any other unguarded step races with the
// release, so "tried while held" is explored.
//
// The race analysis after each execution is per object: each event is
// compared, latest first, only with the earlier accesses of its object and of
// its thread's context (kept as linked lists), main's final joins, and for a
// join the joined thread's events, with vector clocks for happens-before; its
// buffers are kept across executions (no allocation in the steady state).
//
// Bounded (preemption or delay bound), it is a plain DFS over every
// alternative whose cost keeps the schedule within the bound (no reduction:
// sleep sets and DPOR are unsound under bounds); `pruned()` tells whether the
// bound cut anything, i.e. whether a larger bound could find more.
//
// Decisions where a timeout or a spurious wake-up may fire, and data choices
// (Model::choose), have every alternative explored.
//
// Sharding: with shard {i, n}, the first decisions of the tree (its top
// `split depth` levels) explore every enabled thread, and the subtrees below
// them are dealt round-robin to the n shards in DFS order; a shard abandons
// the executions of subtrees it does not own. Every shard walks the same top
// of the tree, so their parts are disjoint and together complete.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_STRATEGIES_DFS_SCHEDULER_H_
#define BRAID_SCENARIOS_STRATEGIES_DFS_SCHEDULER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strategies/dpor_dependence.h"
#include "strategies/scheduler.h"

namespace braid::engine {

struct DfsConfig {
  enum class Bound : std::uint8_t { kNone, kPreemption, kDelay };
  Bound bound = Bound::kNone;
  std::uint32_t limit = 0;          // the bound's value
  std::uint32_t shard_index = 0;    // this shard, in [0, shard_count)
  std::uint32_t shard_count = 1;
};

class DfsScheduler final : public Scheduler {
 public:
  explicit DfsScheduler(DfsConfig config);

  void observe(ExecutionView& view) override { view_ = &view; }
  void begin_execution(std::uint64_t index) override;
  std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t current) override;
  std::uint64_t choose_value(std::uint64_t n) override;
  void end_execution(std::uint64_t decisions) override;
  std::string mismatch() const override { return mismatch_; }

  // Every execution of the (bounded, sharded) tree has been run.
  bool exhausted() const noexcept { return exhausted_; }
  // The last execution was cut short because every enabled thread was asleep.
  bool last_blocked() const noexcept { return blocked_; }
  // The last execution belongs to another shard (abandoned or not counted).
  bool last_foreign() const noexcept { return foreign_; }
  // Some alternative was skipped because of the bound.
  bool pruned() const noexcept { return pruned_; }

 private:
  enum class Kind : std::uint8_t { kThread, kAlt, kValue };
  struct Node {
    std::uint32_t pos = 0;      // steps taken before the decision
    std::uint32_t current = 0;  // the thread that reached it
    Kind kind = Kind::kThread;
    bool all = false;           // thread node exploring every enabled thread
    std::uint32_t n = 0;        // alternatives (alt and value nodes)
    std::uint32_t chosen = 0;   // thread (thread node), alternative index or value
    // Thread masks (done: alternative indices in alt nodes).
    std::uint64_t enabled = 0, backtrack = 0, done = 0, sleep = 0;
    std::uint32_t keys = 0;     // offset of the pending accesses, one per thread < nthreads
    std::uint32_t nthreads = 0;
    std::uint32_t alts = 0;     // offset of the alternatives (alt nodes)
    std::uint32_t cost = 0;     // preemptions or delays spent before this node
  };

  void catch_up(std::size_t upto);
  dpor::Access key_access(const StepKey& k);
  bool sleep_dependent(const dpor::Access& a, std::uint32_t x, std::uint32_t y) const;
  std::uint32_t enter_replayed(Node& node, std::span<const std::uint32_t> alternatives);
  std::uint32_t alt_cost(const Node& node, std::uint32_t i) const;
  bool shard_gate();
  void analyse(std::size_t steps);
  void add_backtrack(std::size_t j, std::size_t k, std::uint32_t threads);
  void link_event(std::size_t k);
  void truncate(std::size_t size);
  void backtrack();

  DfsConfig config_;
  ExecutionView* view_ = nullptr;
  std::uint32_t split_depth_ = 0;

  std::vector<Node> nodes_;
  std::vector<dpor::Access> key_pool_;
  std::vector<std::uint32_t> alt_pool_;
  std::size_t depth_ = 0;          // next node of this execution
  std::size_t replay_nodes_ = 0;   // nodes_[0, replay_nodes_) are replayed (the last with its new choice)
  std::uint64_t leaf_counter_ = 0;

  // Per execution.
  std::size_t processed_ = 0;      // log steps seen by catch_up()
  std::vector<StepKey> keys_;      // the steps catch_up() saw, by position
  std::uint64_t started_ = 0;      // threads whose own first step ran
  std::vector<std::uint32_t> ctx_of_;  // thread -> its context's object id
  bool sleep_active_ = false;
  std::uint64_t sleep_ = 0;        // the current sleep set
  dpor::Access sleep_keys_[64];
  std::uint32_t cost_ = 0;
  std::size_t block_pos_ = 0;
  bool blocked_ = false, foreign_ = false, pruned_ = false, exhausted_ = false;
  std::string mismatch_;

  // analyse() scratch.
  struct Event {
    std::uint32_t thread, seq;
    dpor::Access acc;
    std::uint32_t end_ctx;   // non-zero: this step also ended its thread
    std::int32_t node;       // thread node before it, or -1
    std::uint64_t enabled;   // threads enabled before it
    bool guarded;            // proceeded because its (non-always) guard held
    std::int32_t prev_thread;  // the thread's previous event, or -1
  };
  void race_candidate(std::size_t k, std::size_t j, const std::uint32_t* ctx, std::uint32_t T,
                      std::uint32_t* race_clock);
  // While comparing one event e: after a release by thread hold_thread_ that
  // unblocked e (a guarded acquire), that thread's holding of the lock,
  // walked backwards: its releases and re-acquisitions of it are ordered
  // before e too, down to the acquire that took the lock from free (depth 0),
  // which is e's race.
  std::uint32_t hold_thread_ = 0, hold_object_ = 0;
  std::int32_t hold_depth_ = 0;
  // The accesses of each object as linked lists: slot 2k is event k's access,
  // 2k+1 its thread end; obj_link_[slot] is the previous slot on the object.
  std::vector<Event> events_;
  std::vector<std::uint32_t> clocks_;
  std::vector<std::int32_t> last_of_;
  std::vector<std::uint32_t> race_scratch_;
  std::vector<std::int32_t> obj_link_;
  std::vector<std::int32_t> obj_last_;   // object id -> its last slot, or -1
  std::vector<std::int32_t> final_joins_;  // events that are main's end-of-program join
  // Incremental analysis: consecutive executions share the steps before the
  // node backtrack() changed, so the events built from them, their clocks and
  // their races are those of the last analysis; analyse() starts after them.
  std::vector<std::uint32_t> event_step_;  // event -> its step in the log
  std::size_t same_steps_ = 0;     // steps the next execution shares with the last one
  std::size_t valid_events_ = 0;   // events of the last analysis whose clocks are in clocks_
  std::uint32_t valid_threads_ = 0;  // the clocks' width in that analysis
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_STRATEGIES_DFS_SCHEDULER_H_
