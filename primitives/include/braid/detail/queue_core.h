// braid/detail/queue_core.h
// -----------------------------------------------------------------------------
// Internals of braid/queue.h: the storage policies (FIFO, LIFO, heap) and the
// OS-runtime blocking machinery shared by every queue.
//
// Blocking on the OS runtime is a condition variable built from a futex word:
// each wait condition of a queue (not_empty, not_full, all_tasks_done) owns a
// sequence counter `seq` and a `WaitCount` guarded by the queue's FutexMutex.
//
//   waiter (mutex held):  ++waiters; s = seq; unlock; futex_wait(seq, s); lock;
//                         --waiters; consume one pending signal if any.
//   waker  (mutex held):  if waiters > signals: ++signals; ++seq;
//                         then, after unlocking, futex_wake(seq, 1).
//
// Because `seq` is read and bumped under the mutex, a wake-up cannot be lost
// between the waiter's check and its futex_wait. `signals` counts wake-ups
// issued but not yet consumed, so a producer that runs ahead of a sleeping
// consumer issues one futex_wake, not one per item, and a queue nobody waits on
// never makes a system call.
//
// Nothing here is a visible operation: the model runtime never reaches it.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_QUEUE_CORE_H_
#define BRAID_DETAIL_QUEUE_CORE_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid::queue::detail {

// FifoStore: first in, first out (Python's Queue._put/_get on a deque).
template <typename T>
class FifoStore {
 public:
  std::size_t size() const noexcept { return items_.size(); }
  void push(T&& item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

 private:
  std::deque<T> items_;
};

// LifoStore: last in, first out (Python's LifoQueue on a list).
template <typename T>
class LifoStore {
 public:
  std::size_t size() const noexcept { return items_.size(); }
  void push(T&& item) { items_.push_back(std::move(item)); }
  T pop() {
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }

 private:
  std::vector<T> items_;
};

// HeapStore: smallest first under `Compare` (Python's PriorityQueue on heapq).
// Like heapq, the order among equivalent items is unspecified.
template <typename T, typename Compare>
class HeapStore {
 public:
  HeapStore() = default;
  explicit HeapStore(Compare less) : less_(std::move(less)) {}

  std::size_t size() const noexcept { return items_.size(); }
  void push(T&& item) {
    items_.push_back(std::move(item));
    std::push_heap(items_.begin(), items_.end(), Greater{&less_});
  }
  T pop() {
    std::pop_heap(items_.begin(), items_.end(), Greater{&less_});
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }

 private:
  // std:: heaps put the largest element first; inverting the comparison puts
  // the smallest first, as heapq does.
  struct Greater {
    const Compare* less;
    bool operator()(const T& a, const T& b) const { return (*less)(b, a); }
  };
  Compare less_{};
  std::vector<T> items_;
};

// WaitCount: the bookkeeping of one wait condition, guarded by the queue mutex.
struct WaitCount {
  std::uint32_t waiters = 0;  // threads between "++waiters" and "--waiters"
  std::uint32_t signals = 0;  // wake-ups issued and not yet consumed
};

// PendingWake: a futex_wake to issue after the queue mutex is released.
// Declare it before the FutexGuard so that it is destroyed after it.
class PendingWake {
 public:
  PendingWake() = default;
  PendingWake(const PendingWake&) = delete;
  PendingWake& operator=(const PendingWake&) = delete;
  ~PendingWake() {
    if (word_ != nullptr) runtime::futex_wake(*word_, count_);
  }
  void set(const std::atomic<std::uint32_t>& word, int count) noexcept {
    word_ = &word;
    count_ = count;
  }

 private:
  const std::atomic<std::uint32_t>* word_ = nullptr;
  int count_ = 0;
};

// Blocks once on `seq`: releases `mu`, sleeps until woken, a spurious wake-up
// or `deadline`, and re-acquires `mu`. Returns false when the deadline passed.
// Callers loop, re-checking their condition.
bool wait_once(braid::detail::FutexMutex& mu, std::atomic<std::uint32_t>& seq,
               WaitCount& count, const std::optional<Duration>& deadline) BRAID_REQUIRES(mu);

// With the mutex held: if some waiter has no wake-up pending, records one and
// bumps `seq`; then the caller must futex_wake(seq, 1) after unlocking.
inline bool signal_one(std::atomic<std::uint32_t>& seq, WaitCount& count) {
  if (count.waiters <= count.signals) return false;
  ++count.signals;
  seq.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// With the mutex held: wakes every waiter (the caller must futex_wake_all).
inline bool signal_all(std::atomic<std::uint32_t>& seq, WaitCount& count) {
  if (count.waiters == 0) return false;
  count.signals = count.waiters;
  seq.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// True when `timeout` is negative (Python's "'timeout' must be a non-negative
// number" ValueError).
inline bool negative(const Timeout& timeout) noexcept {
  return timeout.has_value() && timeout->count() < 0;
}

// Throws ValueError("'timeout' must be a non-negative number").
[[noreturn]] void throw_negative_timeout();
// Throws queue::Empty / queue::Full (message empty, as Python's).
[[noreturn]] void throw_empty();
[[noreturn]] void throw_full();
// Throws ValueError("task_done() called too many times"), marked as misuse.
[[noreturn]] void throw_task_done_too_many();

}  // namespace braid::queue::detail

#endif  // BRAID_DETAIL_QUEUE_CORE_H_
