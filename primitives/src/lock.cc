// Lock: slow paths (contention, timeouts, chaos mode) and the modelled path.
#include "braid/lock.h"

#include "braid/errors.h"

namespace braid {

namespace detail {
void check_lock_timeout(bool blocking, const Timeout& timeout) {
  if (!timeout) return;
  if (!blocking) throw ValueError("can't specify a timeout for a non-blocking call");
  if (*timeout < Duration::zero()) throw ValueError("timeout value must be positive");
}
}  // namespace detail

namespace {
constexpr int kSpinTries = 64;
}  // namespace

Lock::~Lock() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

bool Lock::acquire_slow(bool blocking, Timeout timeout, braid::source_location where) {
  detail::check_lock_timeout(blocking, timeout);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return acquire_modelled(*m, blocking, timeout, where);
    runtime::chaos_point();
  }
  std::uint32_t expected = 0;
  if (state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
    return true;
  }
  if (!blocking) return false;
  for (int i = 0; i < kSpinTries; ++i) {
    expected = 0;
    if (state_.load(std::memory_order_relaxed) == 0 &&
        state_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      return true;
    }
  }
  const std::optional<Duration> deadline = runtime::deadline_after(timeout);
  // Once we have waited, we take the lock in state 2: other waiters may remain.
  while (state_.exchange(2, std::memory_order_acquire) != 0) {
    if (!runtime::futex_wait(state_, 2, deadline)) {
      // Deadline passed: one last attempt, so a release racing the timeout
      // is not lost.
      return state_.exchange(2, std::memory_order_acquire) == 0;
    }
  }
  return true;
}

bool Lock::acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                            const braid::source_location& where) {
  const runtime::Wake wake = blocking ? m.step(runtime::Op::kLockAcquire, this, where,
                                               runtime::Guard::word_is_zero(state_), timeout)
                                      : m.step(runtime::Op::kLockAcquire, this, where);
  return wake == runtime::Wake::kReady && take_modelled(m);
}

void Lock::release_unheld(runtime::Model& m) {
  if (m.unwinding()) return;  // see Model::unwinding()
  throw misuse<RuntimeError>("release unlocked lock");
}

void Lock::release_chaos() {
  runtime::chaos_point();
  std::uint32_t prev = state_.exchange(0, std::memory_order_release);
  if (prev != 1) release_contended(prev);
}

void Lock::release_contended(std::uint32_t prev) {
  if (prev == 0) throw misuse<RuntimeError>("release unlocked lock");
  runtime::futex_wake(state_, 1);
}

bool Lock::locked(braid::source_location where) const {
  // A query is a visible operation: it observes acquires and releases.
  runtime::visible(runtime::Op::kLockAcquire, this, where);
  return state_.load(std::memory_order_relaxed) != 0;
}

}  // namespace braid
