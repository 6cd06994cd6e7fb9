// braid/lock.h
// -----------------------------------------------------------------------------
// braid::Lock — a non-recursive mutual-exclusion lock with Python's
// `threading.Lock` semantics: it has no owner, so any thread may release it,
// and acquiring it twice from one thread blocks (a self-deadlock).
//
// The lock is one 32-bit futex word: 0 free, 1 held, 2 held with (possible)
// waiters. An uncontended acquire is a single compare-and-swap and a release a
// single exchange; the only extra cost of braid's runtime seam is one
// predictable `runtime::hooked()` branch. Contended acquirers spin briefly and
// then block in the kernel through `runtime::futex_wait`.
//
// Lock is BasicLockable, Lockable and TimedLockable, so it works with
// `std::scoped_lock`, `std::unique_lock` and `std::condition_variable_any`,
// and it carries clang thread-safety annotations (`BRAID_GUARDED_BY(lock)`).
//
// Under the model runtime each acquire, release and `locked()` is one
// scheduling point; a blocked acquirer is a guarded step that is runnable only
// while the lock is free.
//
// Python equivalence: threading.Lock (_thread.allocate_lock()).
// -----------------------------------------------------------------------------
#ifndef BRAID_LOCK_H_
#define BRAID_LOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include "braid/source_location.h"

#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid {

class Condition;

// Lock
//
// Memory ordering: a successful acquire synchronizes-with the release that
// freed the lock (acquire/release on the futex word), so writes made before a
// `release()` are visible after the next successful `acquire()`.
class BRAID_CAPABILITY("mutex") Lock {
 public:
  Lock() = default;
  ~Lock();
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // Lock::acquire()
  //
  // Acquires the lock. With `blocking` false, returns immediately: true if the
  // lock was taken, false if it was held. With `blocking` true, waits until
  // the lock is free or `timeout` elapses (nullopt waits forever; zero tries
  // once) and returns whether it was taken.
  //
  // Throws ValueError "can't specify a timeout for a non-blocking call" when
  // `blocking` is false and a timeout is given, and ValueError "timeout value
  // must be positive" for a negative timeout.
  //
  // Python equivalence: Lock.acquire(blocking=True, timeout=-1).
  bool acquire(bool blocking = true, Timeout timeout = std::nullopt,
               braid::source_location where = braid::source_location::current())
      BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    if (BRAID_LIKELY(!runtime::hooked())) {
      std::uint32_t expected = 0;
      if (BRAID_LIKELY(!timeout.has_value() && state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                                                              std::memory_order_relaxed))) {
        return true;
      }
    } else if (runtime::Model* m = runtime::model(); m != nullptr && blocking && !timeout.has_value()) {
      return acquire_modelled(*m, where);
    }
    return acquire_slow(blocking, timeout, where);
  }

  // Lock::release()
  //
  // Releases the lock; any thread may release it, not only the acquirer. Wakes
  // one blocked acquirer, if any. Never blocks.
  //
  // Throws RuntimeError "release unlocked lock" (a misuse) if the lock is not
  // held.
  //
  // Python equivalence: Lock.release().
  void release(braid::source_location where = braid::source_location::current()) BRAID_RELEASE()
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    if (BRAID_UNLIKELY(runtime::hooked())) {
      if (runtime::Model* m = runtime::model()) {
        release_modelled(*m, where);
      } else {
        release_chaos();
      }
      return;
    }
    std::uint32_t prev = state_.exchange(0, std::memory_order_release);
    if (BRAID_UNLIKELY(prev != 1)) release_contended(prev);
  }

  // Lock::locked()
  //
  // Whether the lock is held by some thread at this instant. Never blocks.
  //
  // Python equivalence: Lock.locked().
  bool locked(braid::source_location where = braid::source_location::current()) const;

  // Lockable interface for std::scoped_lock, std::unique_lock and
  // std::condition_variable_any. lock() blocks forever; try_lock() never
  // blocks; unlock() throws as release() does.
  void lock() BRAID_ACQUIRE() BRAID_NO_THREAD_SAFETY_ANALYSIS { acquire(); }
  bool try_lock() BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return acquire(false);
  }
  void unlock() BRAID_RELEASE() BRAID_NO_THREAD_SAFETY_ANALYSIS { release(); }

  // TimedLockable: waits at most `d` (clamped at zero) for the lock.
  template <typename Rep, typename Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& d) BRAID_TRY_ACQUIRE(true)
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    auto ns = std::chrono::duration_cast<Duration>(d);
    return acquire(true, ns < Duration::zero() ? Duration::zero() : ns);
  }
  // TimedLockable: waits until `tp` on `Clock` (converted once to a relative
  // timeout on braid's runtime clock).
  template <typename Clock, typename Dur>
  bool try_lock_until(const std::chrono::time_point<Clock, Dur>& tp) BRAID_TRY_ACQUIRE(true)
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return try_lock_for(tp - Clock::now());
  }

 private:
  friend class Condition;

  bool acquire_slow(bool blocking, Timeout timeout, braid::source_location where);
  // The modelled paths. The blocking acquire and the release are inline, so
  // that user code calls Model::step() itself: a fiber switch costs a
  // mispredicted return per frame it suspends (see the engine's switch_to()).
  bool acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                        const braid::source_location& where);
  bool acquire_modelled(runtime::Model& m, const braid::source_location& where) {
    return m.step(runtime::Op::kLockAcquire, this, where, runtime::Guard::word_is_zero(state_)) ==
               runtime::Wake::kReady &&
           take_modelled(m);
  }
  // After the acquire step: takes the lock if it is free.
  bool take_modelled(runtime::Model& m) {
    if (state_.load(std::memory_order_relaxed) != 0) return false;
    state_.store(1, std::memory_order_relaxed);
    m.acquired(this);  // hold + sync_acquire
    return true;
  }
  void release_modelled(runtime::Model& m, const braid::source_location& where) {
    m.step(runtime::Op::kLockRelease, this, where);
    if (BRAID_UNLIKELY(state_.load(std::memory_order_relaxed) == 0)) {
      release_unheld(m);
      return;
    }
    m.released(this);  // unhold + sync_release
    state_.store(0, std::memory_order_relaxed);
  }
  // A modelled release of a free lock: throws RuntimeError, unless the
  // execution is unwinding (see Model::unwinding()).
  void release_unheld(runtime::Model& m);
  void release_chaos();
  void release_contended(std::uint32_t prev);
  // Whether the lock is held, read without a scheduling point (for Condition).
  bool held_unchecked() const noexcept { return state_.load(std::memory_order_relaxed) != 0; }

  // 0 free, 1 held, 2 held and a thread may be blocked in futex_wait.
  std::atomic<std::uint32_t> state_{0};
};

namespace detail {
// Python's argument checks shared by Lock and RLock: throws ValueError for a
// timeout on a non-blocking call or a negative timeout.
void check_lock_timeout(bool blocking, const Timeout& timeout);
}  // namespace detail

}  // namespace braid

#endif  // BRAID_LOCK_H_
