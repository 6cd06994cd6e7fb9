// strategies/dpor_dependence.h
// -----------------------------------------------------------------------------
// The dependence relation of braid's partial-order reduction: when two steps
// of different logical threads may not be swapped without possibly changing
// the execution. The DFS/DPOR scheduler (dfs_scheduler.h) explores one
// execution per class of executions equivalent under swapping adjacent
// independent steps (Mazurkiewicz traces), so this relation decides what is
// explored. It errs on the side of dependence: declaring two steps dependent
// costs executions, never misses a behaviour.
//
// Two steps a (thread x) and b (thread y), x != y, are dependent when
//
//   | a                                   | b                                | dependent? |
//   |-------------------------------------|----------------------------------|------------|
//   | any op on object o                  | any op on o, one of them a write | yes        |
//   | read-like op on o                   | read-like op on o                | no         |
//   | thread.join / is_alive on Thread y  | any step of y (it may end y)     | yes        |
//   | main's end-of-program join (no obj) | any step                         | yes        |
//   | steps on different objects, or on none (yield, zero sleep)            || no         |
//
// Read-like ops: shared.read, atomic.load, event.query, event.wait,
// queue.query, thread.join (and is_alive), local.access, and a thread's own
// first step (thread.start on its own context). Every other op on an object
// writes it: lock/rlock acquire and release, condition wait and notify,
// semaphore acquire and release, event set and clear, barrier wait/abort/
// reset, queue put/get/task_done/join, shared.write, atomic store and
// read-modify-write, the parent's thread.start, and a thread's end (which
// writes its own context, so a join depends on the joined thread's end).
//
// Hence: the same Lock/RLock/Condition/Semaphore/Event/Barrier or queue ->
// dependent (except two queries or waits); the same Shared<T>/Atomic<T> ->
// dependent unless both read; thread start/join -> dependent with the
// thread's context (start with the child's first step, join with its end).
// Timeouts and other virtual-time events are not reduced at all: a decision
// where a timeout may fire (or a spurious wake-up, or a data choice) has
// every alternative explored.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_STRATEGIES_DPOR_DEPENDENCE_H_
#define BRAID_SCENARIOS_STRATEGIES_DPOR_DEPENDENCE_H_

#include <cstdint>

#include "braid/runtime.h"

namespace braid::engine::dpor {

// True for the ops that only observe their object (see the table above).
constexpr bool read_like(runtime::Op op) noexcept {
  using runtime::Op;
  switch (op) {
    case Op::kSharedRead:
    case Op::kAtomicLoad:
    case Op::kEventQuery:
    case Op::kEventWait:
    case Op::kQueueQuery:
    case Op::kChannelQuery:
    case Op::kThreadJoin:
    case Op::kLocalAccess:
      return true;
    default:
      return false;
  }
}

// One access of a step: object id (0: none), op, and whether it writes.
struct Access {
  std::uint32_t object = 0;
  runtime::Op op = runtime::Op::kUser;
  bool write = false;
};

// The access of a step of a thread; `self_start` is true for a thread's own
// first step (thread.start on its own context), which only reads it.
constexpr Access access_of(runtime::Op op, std::uint32_t object, bool self_start) noexcept {
  return Access{object, op, object != 0 && !self_start && !read_like(op)};
}

// The end of a thread: a write of its context.
constexpr Access end_access(std::uint32_t ctx) noexcept { return Access{ctx, runtime::Op::kThreadEnd, true}; }

constexpr bool final_join(const Access& a) noexcept { return a.op == runtime::Op::kThreadJoin && a.object == 0; }

// Whether access `a` of thread x and access `b` of thread y (x != y) are
// dependent. `ctx_x`/`ctx_y` are the object ids of the threads' contexts
// (0 when unknown).
constexpr bool dependent(const Access& a, std::uint32_t ctx_x, const Access& b, std::uint32_t ctx_y) noexcept {
  if (a.object != 0 && a.object == b.object && (a.write || b.write)) return true;
  if (final_join(a) || final_join(b)) return true;
  if (a.op == runtime::Op::kThreadJoin && ctx_y != 0 && a.object == ctx_y) return true;
  if (b.op == runtime::Op::kThreadJoin && ctx_x != 0 && b.object == ctx_x) return true;
  return false;
}

// Whether a step with op `earlier` by one thread, taken right before a
// *guarded* step with op `later` on the same object by another thread (with
// no other step on the object between them), is ordered with it by the guard
// rather than racing with it: the later step could not have run first, because
// its guard was false before the earlier step, or the two commute. The later
// step then races with the step before the earlier one instead (a blocking
// acquire with the previous acquire). Only guarded later steps qualify: a
// try-lock, is_alive() or any other unguarded step could have run first, and
// seen the object in the other state ("tried while held").
//
//   | earlier (succeeded)  | later (guarded)      | why                                     |
//   |----------------------|----------------------|-----------------------------------------|
//   | lock.release         | lock.acquire         | the lock was held before the release    |
//   | rlock.release        | rlock.acquire        | held by the releasing thread before it  |
//   | condition.notify     | condition.wait       | the waiter's own flag was clear before  |
//   | thread end           | thread.join          | the thread was alive before its end     |
//   | event.set            | event.wait           | waiting on a set event commutes with set|
//   | queue.task_done      | queue.join           | unfinished tasks > 0 before task_done   |
//
// Not listed, so always treated as races: semaphore release -> acquire (the
// count may have been positive; a BoundedSemaphore release may fail), queue
// put -> get and get -> put (the queue may have had items or room, and a LIFO
// or priority queue's get depends on the order), barrier wait -> wait (an
// entry may have been open, and the order of arrivals sets the indices).
constexpr bool enables(runtime::Op earlier, runtime::Op later) noexcept {
  using runtime::Op;
  switch (later) {
    case Op::kLockAcquire: return earlier == Op::kLockRelease;
    case Op::kRLockAcquire: return earlier == Op::kRLockRelease;
    case Op::kConditionWait: return earlier == Op::kConditionNotify;
    case Op::kEventWait: return earlier == Op::kEventSet;
    case Op::kQueueJoin: return earlier == Op::kQueueTaskDone;
    case Op::kThreadJoin: return earlier == Op::kThreadEnd;
    default: return false;
  }
}

}  // namespace braid::engine::dpor

#endif  // BRAID_SCENARIOS_STRATEGIES_DPOR_DEPENDENCE_H_
