// Condition: FIFO waiter list with per-waiter wake flags, on both runtimes.
#include "braid/condition.h"

#include "braid/errors.h"

namespace braid {

Condition::Condition() : own_(std::make_unique<RLock>()), rlock_(own_.get()) {}
Condition::Condition(Lock& lock) noexcept : lock_(&lock) {}
Condition::Condition(RLock& lock) noexcept : rlock_(&lock) {}

Condition::~Condition() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

bool Condition::is_owned() const noexcept {
  return lock_ != nullptr ? lock_->held_unchecked() : rlock_->is_owned();
}

std::uint32_t Condition::release_save(const braid::source_location& where)
    BRAID_NO_THREAD_SAFETY_ANALYSIS {
  if (lock_ != nullptr) {
    lock_->release(where);
    return 1;
  }
  return rlock_->release_save(where);
}

void Condition::acquire_restore(std::uint32_t saved, const braid::source_location& where)
    BRAID_NO_THREAD_SAFETY_ANALYSIS {
  if (lock_ != nullptr) {
    lock_->acquire(true, std::nullopt, where);
  } else {
    rlock_->acquire_restore(saved, where);
  }
}

void Condition::push_back(Waiter* w) noexcept {
  w->prev = tail_;
  w->next = nullptr;
  if (tail_ != nullptr) {
    tail_->next = w;
  } else {
    head_ = w;
  }
  tail_ = w;
}

void Condition::unlink(Waiter* w) noexcept {
  (w->prev != nullptr ? w->prev->next : head_) = w->next;
  (w->next != nullptr ? w->next->prev : tail_) = w->prev;
  w->prev = w->next = nullptr;
}

bool Condition::wait(Timeout timeout, braid::source_location where) {
  runtime::Model* m = nullptr;
  if (BRAID_UNLIKELY(runtime::hooked())) {
    m = runtime::model();
    if (m == nullptr) runtime::chaos_point();
  }
  if (!is_owned()) throw misuse<RuntimeError>("cannot wait on un-acquired lock");
  Waiter w;
  {
    detail::FutexGuard g(mu_);
    push_back(&w);
  }
  std::uint32_t saved;
  try {
    saved = release_save(where);
  } catch (...) {
    detail::FutexGuard g(mu_);
    unlink(&w);
    throw;
  }
  bool got;
  try {
    got = m != nullptr ? wait_modelled(*m, w, timeout, where) : wait_os(w, timeout);
  } catch (...) {
    // As Python's `finally: self._acquire_restore(saved_state)`: whatever ends
    // the wait (under the model: the engine unwinding this logical thread), the
    // caller gets its lock back, and `w` (on this stack) leaves the list.
    {
      detail::FutexGuard g(mu_);
      if (head_ == &w || w.prev != nullptr) unlink(&w);
    }
    acquire_restore(saved, where);
    throw;
  }
  acquire_restore(saved, where);
  return got;
}

bool Condition::wait_os(Waiter& w, const Timeout& timeout) {
  const bool poll = timeout.has_value() && *timeout <= Duration::zero();
  const std::optional<Duration> deadline = poll ? std::nullopt : runtime::deadline_after(timeout);
  while (!poll && w.notified.load(std::memory_order_acquire) == 0) {
    if (!runtime::futex_wait(w.notified, 0, deadline)) break;
  }
  // Taking mu_ also waits out a notifier still touching `w` (it wakes under mu_).
  detail::FutexGuard g(mu_);
  if (w.notified.load(std::memory_order_acquire) != 0) return true;
  unlink(&w);
  return false;
}

bool Condition::wait_modelled(runtime::Model& m, Waiter& w, const Timeout& timeout,
                              const braid::source_location& where) {
  auto notified = [&w] { return w.notified.load(std::memory_order_relaxed) != 0; };
  Timeout t = timeout;
  if (t && *t < Duration::zero()) t = Duration::zero();
  const runtime::Wake why = m.step(runtime::Op::kConditionWait, this, where,
                                   runtime::Guard(notified), t, /*allow_spurious=*/true);
  if (notified()) {
    m.sync_acquire(this);
    return true;
  }
  unlink(&w);
  return why == runtime::Wake::kSpurious;
}

void Condition::notify(std::size_t n, braid::source_location where) { notify_impl(n, where); }

void Condition::notify_all(braid::source_location where) { notify_impl(SIZE_MAX, where); }

void Condition::notify_impl(std::size_t n, const braid::source_location& where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kConditionNotify, this, where);
      if (!is_owned()) throw misuse<RuntimeError>("cannot notify on un-acquired lock");
      m->sync_release(this);
      for (; n > 0 && head_ != nullptr; --n) {
        Waiter* w = head_;
        unlink(w);
        w->notified.store(1, std::memory_order_relaxed);
      }
      return;
    }
    runtime::chaos_point();
  }
  if (!is_owned()) throw misuse<RuntimeError>("cannot notify on un-acquired lock");
  detail::FutexGuard g(mu_);
  for (; n > 0 && head_ != nullptr; --n) {
    Waiter* w = head_;
    unlink(w);
    w->notified.store(1, std::memory_order_release);
    runtime::futex_wake(w->notified, 1);
  }
}

}  // namespace braid
