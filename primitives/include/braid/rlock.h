// braid/rlock.h
// -----------------------------------------------------------------------------
// braid::RLock — a reentrant lock with Python's `threading.RLock` semantics:
// the owning thread may acquire it again (each acquire needs one release),
// and only the owner may release it.
//
// The owner is the calling thread's `runtime::ThreadContext` (the logical
// thread under the model). A recursive acquire by the owner touches no atomic
// read-modify-write: it compares the owner field and bumps a plain counter.
// A first acquire is one compare-and-swap on a 32-bit futex word (0 free,
// 1 held, 2 held with waiters), as braid::Lock.
//
// RLock is BasicLockable, Lockable and TimedLockable (std::scoped_lock,
// std::unique_lock, std::condition_variable_any) and carries clang
// thread-safety annotations.
//
// Python equivalence: threading.RLock (_thread.RLock).
// -----------------------------------------------------------------------------
#ifndef BRAID_RLOCK_H_
#define BRAID_RLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include "braid/source_location.h"

#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid {

class Condition;

// RLock
//
// Memory ordering: the acquire that makes a thread the owner synchronizes-with
// the release that last freed the lock (count reaching zero).
class BRAID_CAPABILITY("mutex") RLock {
 public:
  RLock() = default;
  ~RLock();
  RLock(const RLock&) = delete;
  RLock& operator=(const RLock&) = delete;

  // RLock::acquire()
  //
  // If the calling thread owns the lock, increments the recursion count and
  // returns true at once. Otherwise acquires it as Lock::acquire does: with
  // `blocking` false never blocks; with `blocking` true waits until the lock is
  // free or `timeout` elapses (nullopt waits forever) and returns whether it
  // was taken.
  //
  // Throws ValueError "can't specify a timeout for a non-blocking call" or
  // "timeout value must be positive", as Lock does.
  //
  // Python equivalence: RLock.acquire(blocking=True, timeout=-1).
  bool acquire(bool blocking = true, Timeout timeout = std::nullopt,
               braid::source_location where = braid::source_location::current())
      BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    if (BRAID_LIKELY(!runtime::hooked()) && !timeout.has_value()) {
      const void* me = self();
      if (owner_.load(std::memory_order_relaxed) == me) {
        ++count_;
        return true;
      }
      std::uint32_t expected = 0;
      if (BRAID_LIKELY(state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                                      std::memory_order_relaxed))) {
        owner_.store(me, std::memory_order_relaxed);
        count_ = 1;
        return true;
      }
    }
    return acquire_slow(blocking, timeout, where);
  }

  // RLock::release()
  //
  // Decrements the recursion count; at zero the lock is freed and one blocked
  // acquirer is woken. Never blocks.
  //
  // Throws RuntimeError "cannot release un-acquired lock" (a misuse) if the
  // calling thread does not own the lock.
  //
  // Python equivalence: RLock.release().
  void release(braid::source_location where = braid::source_location::current()) BRAID_RELEASE()
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    if (BRAID_LIKELY(!runtime::hooked())) {
      if (BRAID_LIKELY(owner_.load(std::memory_order_relaxed) == self())) {
        if (--count_ != 0) return;
        owner_.store(nullptr, std::memory_order_relaxed);
        if (BRAID_UNLIKELY(state_.exchange(0, std::memory_order_release) == 2)) wake_one();
        return;
      }
    }
    release_slow(where);
  }

  // Lockable interface (see Lock). lock() blocks forever; try_lock() never
  // blocks; unlock() throws as release() does.
  void lock() BRAID_ACQUIRE() BRAID_NO_THREAD_SAFETY_ANALYSIS { acquire(); }
  bool try_lock() BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return acquire(false);
  }
  void unlock() BRAID_RELEASE() BRAID_NO_THREAD_SAFETY_ANALYSIS { release(); }
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& d) BRAID_TRY_ACQUIRE(true)
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    auto ns = std::chrono::duration_cast<Duration>(d);
    return acquire(true, ns < Duration::zero() ? Duration::zero() : ns);
  }
  template <typename Clock, typename Dur>
  bool try_lock_until(const std::chrono::time_point<Clock, Dur>& tp) BRAID_TRY_ACQUIRE(true)
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return try_lock_for(tp - Clock::now());
  }

  // Whether the calling thread owns the lock. Not a scheduling point.
  // Python equivalence: RLock._is_owned().
  bool is_owned() const noexcept { return owner_.load(std::memory_order_relaxed) == self(); }

  // The recursion count if the calling thread owns the lock, else 0.
  // Python equivalence: RLock._recursion_count().
  std::uint32_t recursion_count() const noexcept { return is_owned() ? count_ : 0; }

 private:
  friend class Condition;

  // The identity of the calling (logical) thread.
  static const void* self() noexcept {
    runtime::ThreadContext* c = runtime::detail::tls_context;
    return c != nullptr ? c : &runtime::current_context();
  }

  bool acquire_slow(bool blocking, Timeout timeout, braid::source_location where);
  bool acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                        const braid::source_location& where);
  bool acquire_os(bool blocking, const Timeout& timeout, const void* me);
  void release_slow(const braid::source_location& where);
  void wake_one() noexcept;

  // Condition support, as CPython's _release_save / _acquire_restore: fully
  // releases the lock (any recursion depth), returning the count; then
  // re-acquires it (blocking) and restores the count. release_save throws
  // RuntimeError "cannot release un-acquired lock" if not owned.
  std::uint32_t release_save(const braid::source_location& where);
  void acquire_restore(std::uint32_t count, const braid::source_location& where);

  std::atomic<std::uint32_t> state_{0};
  std::atomic<const void*> owner_{nullptr};
  std::uint32_t count_ = 0;  // only the owner reads or writes it
};

}  // namespace braid

#endif  // BRAID_RLOCK_H_
