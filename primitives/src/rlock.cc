// RLock: slow paths, the modelled path and the Condition support helpers.
#include "braid/rlock.h"

#include "braid/errors.h"
#include "braid/lock.h"

namespace braid {

namespace {
constexpr int kSpinTries = 64;
constexpr const char* kNotOwned = "cannot release un-acquired lock";
}  // namespace

RLock::~RLock() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

void RLock::wake_one() noexcept { runtime::futex_wake(state_, 1); }

bool RLock::acquire_slow(bool blocking, Timeout timeout, braid::source_location where) {
  detail::check_lock_timeout(blocking, timeout);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return acquire_modelled(*m, blocking, timeout, where);
    runtime::chaos_point();
  }
  return acquire_os(blocking, timeout, self());
}

bool RLock::acquire_os(bool blocking, const Timeout& timeout, const void* me) {
  if (owner_.load(std::memory_order_relaxed) == me) {
    ++count_;
    return true;
  }
  auto take = [&] {
    owner_.store(me, std::memory_order_relaxed);
    count_ = 1;
    return true;
  };
  std::uint32_t expected = 0;
  if (state_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
    return take();
  }
  if (!blocking) return false;
  for (int i = 0; i < kSpinTries; ++i) {
    expected = 0;
    if (state_.load(std::memory_order_relaxed) == 0 &&
        state_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      return take();
    }
  }
  const std::optional<Duration> deadline = runtime::deadline_after(timeout);
  while (state_.exchange(2, std::memory_order_acquire) != 0) {
    if (!runtime::futex_wait(state_, 2, deadline)) {
      if (state_.exchange(2, std::memory_order_acquire) == 0) return take();
      return false;
    }
  }
  return take();
}

bool RLock::acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                             const braid::source_location& where) {
  const void* me = self();
  auto free = [this, me] {
    const void* o = owner_.load(std::memory_order_relaxed);
    return o == nullptr || o == me;
  };
  if (!blocking) {
    m.step(runtime::Op::kRLockAcquire, this, where);
    if (!free()) return false;
  } else if (m.step(runtime::Op::kRLockAcquire, this, where, runtime::Guard(free), timeout) !=
                 runtime::Wake::kReady ||
             !free()) {
    return false;
  }
  if (owner_.load(std::memory_order_relaxed) == me) {
    ++count_;
    return true;
  }
  owner_.store(me, std::memory_order_relaxed);
  state_.store(1, std::memory_order_relaxed);
  count_ = 1;
  m.hold(this);
  m.sync_acquire(this);
  return true;
}

void RLock::release_slow(const braid::source_location& where) {
  if (runtime::Model* m = runtime::model()) {
    m->step(runtime::Op::kRLockRelease, this, where);
    if (owner_.load(std::memory_order_relaxed) != self()) {
      if (m->unwinding()) return;  // see Model::unwinding()
      throw misuse<RuntimeError>(kNotOwned);
    }
    if (--count_ != 0) return;
    owner_.store(nullptr, std::memory_order_relaxed);
    state_.store(0, std::memory_order_relaxed);
    m->unhold(this);
    m->sync_release(this);
    return;
  }
  if (runtime::hooked()) runtime::chaos_point();
  if (owner_.load(std::memory_order_relaxed) != self()) throw misuse<RuntimeError>(kNotOwned);
  if (--count_ != 0) return;
  owner_.store(nullptr, std::memory_order_relaxed);
  if (state_.exchange(0, std::memory_order_release) == 2) wake_one();
}

std::uint32_t RLock::release_save(const braid::source_location& where) {
  runtime::Model* m = runtime::model();
  if (m != nullptr) m->step(runtime::Op::kRLockRelease, this, where);
  if (owner_.load(std::memory_order_relaxed) != self()) throw misuse<RuntimeError>(kNotOwned);
  const std::uint32_t saved = count_;
  count_ = 0;
  owner_.store(nullptr, std::memory_order_relaxed);
  if (m != nullptr) {
    state_.store(0, std::memory_order_relaxed);
    m->unhold(this);
    m->sync_release(this);
  } else if (state_.exchange(0, std::memory_order_release) == 2) {
    wake_one();
  }
  return saved;
}

void RLock::acquire_restore(std::uint32_t count, const braid::source_location& where)
    BRAID_NO_THREAD_SAFETY_ANALYSIS {
  // A blocking acquire without timeout fails only while the model unwinds the
  // execution and another thread owns the lock: leave its count alone.
  if (acquire(true, std::nullopt, where)) count_ = count;
}

}  // namespace braid
