// braid/condition.h
// -----------------------------------------------------------------------------
// braid::Condition — a condition variable with Python's `threading.Condition`
// semantics. A Condition is associated with a lock: by default it owns an
// RLock; it can also be built over an external braid::Lock or braid::RLock.
// The condition forwards acquire/release (and lock/unlock) to that lock.
//
// Waiters are kept in FIFO order, each with its own wake flag, so that
// `notify(n)` wakes exactly min(n, number of waiters) threads, the longest
// waiting first, and a notification is never lost or given twice. The OS path
// has no spurious wake-ups; under the model runtime the engine may choose
// spurious wake-ups (as any condition-variable protocol allows).
//
// Python equivalence: threading.Condition(lock=None).
// -----------------------------------------------------------------------------
#ifndef BRAID_CONDITION_H_
#define BRAID_CONDITION_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include "braid/source_location.h"
#include <utility>

#include "braid/detail/futex_mutex.h"
#include "braid/lock.h"
#include "braid/rlock.h"
#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid {

// Condition
//
// Memory ordering: a `notify()` synchronizes-with the `wait()` it wakes; the
// lock re-acquired by `wait()` gives the usual lock ordering as well.
class BRAID_CAPABILITY("mutex") Condition {
 public:
  // A condition over its own new RLock.
  Condition();
  // A condition over an external lock, which must outlive the condition.
  explicit Condition(Lock& lock) noexcept;
  explicit Condition(RLock& lock) noexcept;
  ~Condition();
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // Condition::acquire() / release()
  //
  // Forward to the underlying lock, with its blocking, timeout and error
  // behaviour. Python equivalence: Condition.acquire(), Condition.release().
  bool acquire(bool blocking = true, Timeout timeout = std::nullopt,
               braid::source_location where = braid::source_location::current())
      BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return lock_ != nullptr ? lock_->acquire(blocking, timeout, where)
                            : rlock_->acquire(blocking, timeout, where);
  }
  void release(braid::source_location where = braid::source_location::current()) BRAID_RELEASE()
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    if (lock_ != nullptr) {
      lock_->release(where);
    } else {
      rlock_->release(where);
    }
  }

  // Lockable interface, forwarding to the underlying lock.
  void lock() BRAID_ACQUIRE() BRAID_NO_THREAD_SAFETY_ANALYSIS { acquire(); }
  bool try_lock() BRAID_TRY_ACQUIRE(true) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return acquire(false);
  }
  void unlock() BRAID_RELEASE() BRAID_NO_THREAD_SAFETY_ANALYSIS { release(); }

  // Condition::wait()
  //
  // Atomically releases the underlying lock (fully, whatever an RLock's
  // recursion depth), blocks until notified or until `timeout` elapses
  // (nullopt waits forever; zero or negative does not block), then re-acquires
  // the lock (blocking, without timeout) before returning. Returns false if
  // the timeout elapsed without a notification, else true.
  //
  // Throws RuntimeError "cannot wait on un-acquired lock" (a misuse) if the
  // lock is not held: for an RLock, not owned by the caller; for a Lock, not
  // held by anyone (Python's check for locks without _is_owned).
  //
  // Exception-safe: if the wait itself ends by an exception (under the model,
  // the engine unwinding a thread blocked here), the waiter is unlinked and the
  // lock re-acquired before the exception propagates, so RAII guards around
  // the wait release a lock the thread holds.
  //
  // Python equivalence: Condition.wait(timeout=None).
  bool wait(Timeout timeout = std::nullopt,
            braid::source_location where = braid::source_location::current());

  // Condition::wait_for()
  //
  // Waits until `predicate()` is true or `timeout` elapses (the deadline is
  // fixed at the first wait), and returns the predicate's last value. The
  // predicate is evaluated with the lock held.
  //
  // Python equivalence: Condition.wait_for(predicate, timeout=None).
  template <typename Predicate>
  auto wait_for(Predicate predicate, Timeout timeout = std::nullopt,
                braid::source_location where = braid::source_location::current())
      -> decltype(predicate()) {
    std::optional<Duration> deadline;
    Timeout wait_time = timeout;
    auto result = predicate();
    while (!result) {
      if (wait_time) {
        if (!deadline) {
          deadline = runtime::now() + *wait_time;
        } else {
          wait_time = *deadline - runtime::now();
          if (*wait_time <= Duration::zero()) break;
        }
      }
      wait(wait_time, where);
      result = predicate();
    }
    return result;
  }

  // Condition::notify()
  //
  // Wakes up to `n` waiting threads, longest waiting first. Never blocks; the
  // woken threads return from wait() once they re-acquire the lock.
  //
  // Throws RuntimeError "cannot notify on un-acquired lock" (a misuse) if the
  // lock is not held (see wait()).
  //
  // Python equivalence: Condition.notify(n=1).
  void notify(std::size_t n = 1,
              braid::source_location where = braid::source_location::current());

  // Wakes every waiting thread. Python equivalence: Condition.notify_all().
  void notify_all(braid::source_location where = braid::source_location::current())
     ;

 private:
  // One blocked wait(): a node of the FIFO list, on the waiter's stack.
  struct Waiter {
    std::atomic<std::uint32_t> notified{0};
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  bool is_owned() const noexcept;
  std::uint32_t release_save(const braid::source_location& where) BRAID_NO_THREAD_SAFETY_ANALYSIS;
  void acquire_restore(std::uint32_t saved, const braid::source_location& where)
      BRAID_NO_THREAD_SAFETY_ANALYSIS;
  void push_back(Waiter* w) noexcept;
  void unlink(Waiter* w) noexcept;
  void notify_impl(std::size_t n, const braid::source_location& where);
  bool wait_os(Waiter& w, const Timeout& timeout);
  bool wait_modelled(runtime::Model& m, Waiter& w, const Timeout& timeout,
                     const braid::source_location& where);

  std::unique_ptr<RLock> own_;
  Lock* lock_ = nullptr;
  RLock* rlock_ = nullptr;
  // Guards the waiter list on the OS runtime (always free under the model).
  detail::FutexMutex mu_;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

}  // namespace braid

#endif  // BRAID_CONDITION_H_
