// braid/semaphore.h
// -----------------------------------------------------------------------------
// braid::Semaphore and braid::BoundedSemaphore — counting semaphores with
// Python's `threading.Semaphore` / `threading.BoundedSemaphore` semantics.
//
// The counter is a 32-bit futex word: acquire decrements it with a
// compare-and-swap, blocking in the kernel while it is zero; release adds to
// it and wakes as many blocked acquirers as it added units (no busy waiting).
// A BoundedSemaphore refuses to be released above its initial value.
//
// Both are BasicLockable, Lockable and TimedLockable (lock() = acquire(),
// unlock() = release()), so std::scoped_lock and std::unique_lock work.
//
// Python equivalence: threading.Semaphore(value=1),
// threading.BoundedSemaphore(value=1).
// -----------------------------------------------------------------------------
#ifndef BRAID_SEMAPHORE_H_
#define BRAID_SEMAPHORE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include "braid/source_location.h"

#include "braid/runtime.h"

namespace braid {

// Semaphore
//
// Memory ordering: a successful acquire synchronizes-with the release that
// provided the unit it took (release/acquire on the counter).
class Semaphore {
 public:
  // Creates a semaphore holding `value` units. Throws ValueError "semaphore
  // initial value must be >= 0" for a negative value (and ValueError
  // "semaphore initial value too large" above 2^31 - 1).
  explicit Semaphore(std::int64_t value = 1);
  virtual ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Semaphore::acquire()
  //
  // Takes one unit. With `blocking` false, returns at once whether a unit was
  // available. With `blocking` true, waits until a unit is available or
  // `timeout` elapses (nullopt waits forever; zero or negative — as in Python
  // — only tries once) and returns whether a unit was taken.
  //
  // Throws ValueError "can't specify timeout for non-blocking acquire" when
  // `blocking` is false and a timeout is given.
  //
  // Python equivalence: Semaphore.acquire(blocking=True, timeout=None).
  bool acquire(bool blocking = true, Timeout timeout = std::nullopt,
               braid::source_location where = braid::source_location::current());

  // Semaphore::release()
  //
  // Adds `n` units and wakes up to `n` blocked acquirers. Never blocks.
  // Throws ValueError "n must be one or more" for n < 1; a BoundedSemaphore
  // throws ValueError "Semaphore released too many times" (a misuse) if the
  // value would exceed its initial value (and then adds nothing).
  //
  // Python equivalence: Semaphore.release(n=1).
  void release(std::int64_t n = 1,
               braid::source_location where = braid::source_location::current());

  // The current number of units (a snapshot). Python equivalence: _value.
  std::uint32_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

  // Lockable interface.
  void lock() { acquire(); }
  bool try_lock() { return acquire(false); }
  void unlock() { release(); }
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& d) {
    auto ns = std::chrono::duration_cast<Duration>(d);
    return acquire(true, ns < Duration::zero() ? Duration::zero() : ns);
  }
  template <typename Clock, typename Dur>
  bool try_lock_until(const std::chrono::time_point<Clock, Dur>& tp) {
    return try_lock_for(tp - Clock::now());
  }

 protected:
  // Used by BoundedSemaphore: releases above `bound` throw.
  Semaphore(std::int64_t value, std::uint32_t bound);

 private:
  bool try_take() noexcept;
  bool acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                        const braid::source_location& where);
  void release_modelled(runtime::Model& m, std::uint32_t n, const braid::source_location& where);

  std::atomic<std::uint32_t> value_;
  std::atomic<std::uint32_t> waiters_{0};  // threads blocked (or about to) in futex_wait
  std::uint32_t bound_;                    // UINT32_MAX for an unbounded semaphore
};

// BoundedSemaphore
//
// A Semaphore whose value may never exceed its initial value.
// Python equivalence: threading.BoundedSemaphore(value=1).
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(std::int64_t value = 1);
};

}  // namespace braid

#endif  // BRAID_SEMAPHORE_H_
