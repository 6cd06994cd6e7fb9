// braid/queue.h
// -----------------------------------------------------------------------------
// Synchronized queues for passing items between threads: the C++ counterpart
// of Python's `queue` module.
//
//   braid::queue::Queue<T>            first in, first out
//   braid::queue::LifoQueue<T>        last in, first out
//   braid::queue::PriorityQueue<T>    smallest first (optional Compare)
//   braid::queue::SimpleQueue<T>      unbounded FIFO without task tracking
//
// Queue, LifoQueue and PriorityQueue may be bounded (`maxsize > 0`): `put`
// then blocks while the queue is full. They count unfinished tasks: each `put`
// adds one, each `task_done` removes one, and `join` blocks until none remain.
//
// Errors are Python's: `queue::Empty` from `get_nowait()` or a `get` that timed
// out, `queue::Full` from `put_nowait()` or a `put` that timed out, ValueError
// for a negative timeout and for too many `task_done()` calls.
//
// Items are moved in and out, so move-only types (std::unique_ptr) work. An
// item that was put is returned by exactly one get.
//
// Memory ordering: everything a thread did before `put(x)` happens before
// everything the thread that gets `x` does after `get` returns; likewise
// `task_done()` happens before the return of a `join()` it lets finish. (All
// operations of one queue are serialised by an internal mutex.)
//
// Under braid's model runtime every operation is one scheduling point, and a
// blocking `put`/`get`/`join` is a guarded step: the thread is not runnable
// while the queue is full / empty / has unfinished tasks, and a timeout firing
// is a scheduler choice.
//
// Example:
//
//   braid::queue::Queue<std::string> q;
//   // producer:                 // consumer:
//   q.put("job");                auto job = q.get();
//                                run(job);
//                                q.task_done();
//   q.join();  // every job has been processed
//
// Python equivalence: queue.Queue, queue.LifoQueue, queue.PriorityQueue,
// queue.SimpleQueue, queue.Empty, queue.Full.
// -----------------------------------------------------------------------------
#ifndef BRAID_QUEUE_H_
#define BRAID_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include "braid/source_location.h"
#include <utility>

#include "braid/detail/futex_mutex.h"
#include "braid/detail/queue_core.h"
#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid::queue {

namespace detail {

// BasicQueue
//
// The implementation shared by Queue, LifoQueue and PriorityQueue; `Store` is
// the order policy (see queue_core.h). Use the named classes below.
template <typename T, typename Store>
class BasicQueue {
 public:
  using value_type = T;
  using Where = braid::source_location;

  // Creates a queue holding at most `maxsize` items; `maxsize <= 0` means
  // unbounded, as in Python. `store_args` are passed to the order policy
  // (PriorityQueue's comparison).
  template <typename... StoreArgs>
  explicit BasicQueue(long maxsize = 0, StoreArgs&&... store_args)
      : store_(std::forward<StoreArgs>(store_args)...), maxsize_(maxsize) {}

  // Destroying a queue that threads still block on is undefined behaviour.
  ~BasicQueue() {
    if (runtime::Model* m = runtime::model()) m->forget(this);
  }

  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  // put()
  //
  // Appends `item`. With `block` false, throws Full at once if the queue is
  // full. Otherwise blocks while it is full: forever when `timeout` is nullopt,
  // else at most `timeout`, then throws Full. A negative `timeout` on a bounded
  // queue with `block` true throws ValueError (an unbounded queue never
  // checks it, as in Python). On an exception, `item` is destroyed.
  //
  // Python equivalence: Queue.put(item, block=True, timeout=None).
  void put(T item, bool block = true, Timeout timeout = std::nullopt,
           Where where = Where::current());

  // put(item, timeout): `put(item, true, timeout)`.
  void put(T item, Timeout timeout, Where where = Where::current()) {
    put(std::move(item), true, timeout, where);
  }

  // put_nowait(): `put(item, false)`; throws Full if the queue is full.
  //
  // Python equivalence: Queue.put_nowait(item).
  void put_nowait(T item, Where where = Where::current()) {
    put(std::move(item), false, std::nullopt, where);
  }

  // get()
  //
  // Removes and returns the next item. With `block` false, throws Empty at
  // once if there is none. Otherwise blocks until an item is available:
  // forever when `timeout` is nullopt, else at most `timeout`, then throws
  // Empty. A negative `timeout` with `block` true throws ValueError.
  //
  // Python equivalence: Queue.get(block=True, timeout=None).
  T get(bool block = true, Timeout timeout = std::nullopt, Where where = Where::current());

  // get(timeout): `get(true, timeout)`.
  T get(Timeout timeout, Where where = Where::current()) { return get(true, timeout, where); }

  // get_nowait(): `get(false)`; throws Empty if the queue is empty.
  //
  // Python equivalence: Queue.get_nowait().
  T get_nowait(Where where = Where::current()) { return get(false, std::nullopt, where); }

  // qsize(), empty(), full()
  //
  // Snapshots of the number of items; by the time they return another thread
  // may have changed it. full() is `0 < maxsize <= qsize()`. Never block.
  //
  // Python equivalence: Queue.qsize(), Queue.empty(), Queue.full().
  std::size_t qsize(Where where = Where::current()) const;
  bool empty(Where where = Where::current()) const { return qsize(where) == 0; }
  bool full(Where where = Where::current()) const;

  // maxsize(), set_maxsize()
  //
  // The bound (<= 0: unbounded). Changing it affects later puts; blocked
  // putters re-check it. Python equivalence: the `Queue.maxsize` attribute.
  long maxsize(Where where = Where::current()) const;
  void set_maxsize(long maxsize, Where where = Where::current());

  // task_done()
  //
  // Marks one item previously got as processed. When the count of unfinished
  // tasks reaches zero, every thread blocked in join() wakes. Throws ValueError
  // ("task_done() called too many times", a misuse) if there is no unfinished
  // task. Publishes: happens before the return of the join() it releases.
  //
  // Python equivalence: Queue.task_done().
  void task_done(Where where = Where::current());

  // join()
  //
  // Blocks until every item ever put has been marked by task_done(). Returns
  // at once if there are no unfinished tasks.
  //
  // Python equivalence: Queue.join().
  void join(Where where = Where::current());

 private:
  void put_modelled(runtime::Model& m, T item, bool block, const Timeout& timeout,
                    const Where& where);
  T get_modelled(runtime::Model& m, bool block, const Timeout& timeout, const Where& where);

  // Unlocked reads for the model runtime's guards, where only one logical
  // thread runs at a time.
  std::size_t size_unlocked() const BRAID_NO_THREAD_SAFETY_ANALYSIS { return store_.size(); }
  bool has_room_unlocked() const BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return maxsize_ <= 0 || store_.size() < static_cast<std::size_t>(maxsize_);
  }
  bool bounded_unlocked() const BRAID_NO_THREAD_SAFETY_ANALYSIS { return maxsize_ > 0; }
  std::uint64_t unfinished_unlocked() const BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return unfinished_;
  }
  bool full_locked() const BRAID_REQUIRES(mu_) {
    return maxsize_ > 0 && store_.size() >= static_cast<std::size_t>(maxsize_);
  }

  mutable braid::detail::FutexMutex mu_;
  Store store_ BRAID_GUARDED_BY(mu_);
  long maxsize_ BRAID_GUARDED_BY(mu_);
  std::uint64_t unfinished_ BRAID_GUARDED_BY(mu_) = 0;
  // Futex words: bumped (under mu_) when the condition may have become true.
  std::atomic<std::uint32_t> not_empty_seq_{0};
  std::atomic<std::uint32_t> not_full_seq_{0};
  std::atomic<std::uint32_t> all_done_seq_{0};
  WaitCount not_empty_ BRAID_GUARDED_BY(mu_);
  WaitCount not_full_ BRAID_GUARDED_BY(mu_);
  WaitCount all_done_ BRAID_GUARDED_BY(mu_);
};

}  // namespace detail

// Queue
//
// A FIFO queue, optionally bounded. See BasicQueue above for the operations.
//
// Python equivalence: queue.Queue(maxsize=0).
template <typename T>
class Queue : public detail::BasicQueue<T, detail::FifoStore<T>> {
 public:
  explicit Queue(long maxsize = 0) : detail::BasicQueue<T, detail::FifoStore<T>>(maxsize) {}
};

// LifoQueue
//
// A LIFO queue (a stack), optionally bounded: get() returns the item put most
// recently.
//
// Python equivalence: queue.LifoQueue(maxsize=0).
template <typename T>
class LifoQueue : public detail::BasicQueue<T, detail::LifoStore<T>> {
 public:
  explicit LifoQueue(long maxsize = 0) : detail::BasicQueue<T, detail::LifoStore<T>>(maxsize) {}
};

// PriorityQueue
//
// get() returns the smallest item under `Compare` (a strict weak ordering,
// `std::less<T>` by default: a min-heap, as heapq). The order among
// equivalent items is unspecified, as with heapq; put `std::pair{priority,
// sequence}`-like items to make it deterministic.
//
// Python equivalence: queue.PriorityQueue(maxsize=0).
template <typename T, typename Compare = std::less<T>>
class PriorityQueue : public detail::BasicQueue<T, detail::HeapStore<T, Compare>> {
  using Base = detail::BasicQueue<T, detail::HeapStore<T, Compare>>;

 public:
  explicit PriorityQueue(long maxsize = 0) : Base(maxsize) {}
  PriorityQueue(long maxsize, Compare less) : Base(maxsize, std::move(less)) {}
};

// SimpleQueue
//
// An unbounded FIFO queue without task tracking (no full, task_done, join).
// put() never blocks; its `block` and `timeout` arguments exist for
// compatibility with Queue and are ignored, as in Python.
//
// Python equivalence: queue.SimpleQueue.
template <typename T>
class SimpleQueue {
  using Where = braid::source_location;

 public:
  using value_type = T;

  SimpleQueue() = default;
  SimpleQueue(const SimpleQueue&) = delete;
  SimpleQueue& operator=(const SimpleQueue&) = delete;

  // put(), put_nowait(): appends `item`; never blocks, never throws Full.
  void put(T item, bool block = true, Timeout timeout = std::nullopt,
           Where where = Where::current()) {
    q_.put(std::move(item), true, std::nullopt, where);
  }
  void put_nowait(T item, Where where = Where::current()) {
    q_.put(std::move(item), true, std::nullopt, where);
  }

  // get(), get_nowait(): as Queue::get; Empty when no item came in time,
  // ValueError for a negative timeout with `block` true.
  T get(bool block = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    return q_.get(block, timeout, where);
  }
  T get(Timeout timeout, Where where = Where::current()) { return q_.get(true, timeout, where); }
  T get_nowait(Where where = Where::current()) { return q_.get(false, std::nullopt, where); }

  // empty(), qsize(): snapshots, as Queue's.
  bool empty(Where where = Where::current()) const { return q_.empty(where); }
  std::size_t qsize(Where where = Where::current()) const { return q_.qsize(where); }

 private:
  detail::BasicQueue<T, detail::FifoStore<T>> q_;
};

}  // namespace braid::queue

#include "braid/detail/queue_inl.h"  // IWYU pragma: export

#endif  // BRAID_QUEUE_H_
