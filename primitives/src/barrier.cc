// Barrier: CPython's state machine (filling, draining, resetting, broken) over
// an internal FutexMutex and a notification sequence word.
#include "braid/barrier.h"

#include "braid/errors.h"

namespace braid {

namespace {
std::size_t checked_parties(std::int64_t parties) {
  if (parties < 1) throw ValueError("parties must be >= 1");
  return static_cast<std::size_t>(parties);
}

// Holds a FutexMutex for a scope; cond_wait() drops and retakes it inside.
class Held {
 public:
  explicit Held(detail::FutexMutex& m) BRAID_NO_THREAD_SAFETY_ANALYSIS : m_(m) { m_.lock(); }
  ~Held() BRAID_NO_THREAD_SAFETY_ANALYSIS { m_.unlock(); }
  Held(const Held&) = delete;
  Held& operator=(const Held&) = delete;

 private:
  detail::FutexMutex& m_;
};
}  // namespace

Barrier::Barrier(std::int64_t parties, std::function<void()> action, Timeout timeout)
    : parties_(checked_parties(parties)), action_(std::move(action)), timeout_(timeout) {}

Barrier::~Barrier() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

bool Barrier::cond_wait(const std::optional<Duration>& deadline) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  const std::uint32_t seen = seq_.load(std::memory_order_relaxed);
  mu_.unlock();
  const bool ok = runtime::futex_wait(seq_, seen, deadline);
  mu_.lock();
  return ok;
}

void Barrier::notify_all() noexcept {
  seq_.fetch_add(1, std::memory_order_relaxed);
  runtime::futex_wake_all(seq_);
}

void Barrier::break_barrier() {
  state_.store(kBroken, std::memory_order_relaxed);
  notify_all();
}

void Barrier::release_round() {
  try {
    if (action_) action_();
    state_.store(kDraining, std::memory_order_relaxed);
    notify_all();
  } catch (...) {
    break_barrier();
    throw;
  }
}

void Barrier::await_release(const Timeout& timeout) {
  const bool poll = timeout.has_value() && *timeout <= Duration::zero();
  const std::optional<Duration> deadline = poll ? std::nullopt : runtime::deadline_after(timeout);
  while (state_.load(std::memory_order_relaxed) == kFilling) {
    if (poll || !cond_wait(deadline)) {
      if (state_.load(std::memory_order_relaxed) != kFilling) break;
      break_barrier();
      throw BrokenBarrierError("");
    }
  }
  if (state_.load(std::memory_order_relaxed) < 0) throw BrokenBarrierError("");
}

void Barrier::exit_round() {
  if (count_.load(std::memory_order_relaxed) == 0) {
    const int s = state_.load(std::memory_order_relaxed);
    if (s == kResetting || s == kDraining) {
      state_.store(kFilling, std::memory_order_relaxed);
      notify_all();
    }
  }
}

std::size_t Barrier::wait(Timeout timeout, braid::source_location where) {
  if (!timeout) timeout = timeout_;
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return wait_modelled(*m, timeout, where);
    runtime::chaos_point();
  }
  Held held(mu_);
  for (;;) {
    const int s = state_.load(std::memory_order_relaxed);
    if (s != kDraining && s != kResetting) break;
    cond_wait(std::nullopt);
  }
  if (state_.load(std::memory_order_relaxed) < 0) throw BrokenBarrierError("");
  const std::size_t index = count_.fetch_add(1, std::memory_order_relaxed);
  try {
    if (index + 1 == parties_) {
      release_round();
    } else {
      await_release(timeout);
    }
  } catch (...) {
    count_.fetch_sub(1, std::memory_order_relaxed);
    exit_round();
    throw;
  }
  count_.fetch_sub(1, std::memory_order_relaxed);
  exit_round();
  return index;
}

std::size_t Barrier::wait_modelled(runtime::Model& m, const Timeout& timeout,
                                   const braid::source_location& where) {
  auto can_enter = [this] {
    const int s = state_.load(std::memory_order_relaxed);
    return !in_action_ && (s == kFilling || s == kBroken);
  };
  m.step(runtime::Op::kBarrierWait, this, where, runtime::Guard(can_enter));
  if (state_.load(std::memory_order_relaxed) < 0) throw BrokenBarrierError("");
  m.sync_release(this);
  const std::size_t index = count_.fetch_add(1, std::memory_order_relaxed);
  auto leave = [this] {
    count_.fetch_sub(1, std::memory_order_relaxed);
    const int s = state_.load(std::memory_order_relaxed);
    if (count_.load(std::memory_order_relaxed) == 0 && (s == kResetting || s == kDraining)) {
      state_.store(kFilling, std::memory_order_relaxed);
    }
  };
  if (index + 1 == parties_) {
    if (action_) {
      in_action_ = true;
      try {
        action_();
      } catch (...) {
        in_action_ = false;
        state_.store(kBroken, std::memory_order_relaxed);
        leave();
        throw;
      }
      in_action_ = false;
    }
    state_.store(kDraining, std::memory_order_relaxed);
  } else {
    auto released = [this] { return state_.load(std::memory_order_relaxed) != kFilling; };
    Timeout t = timeout;
    if (t && *t < Duration::zero()) t = Duration::zero();
    m.step(runtime::Op::kBarrierWait, this, where, runtime::Guard(released), t);
    const int s = state_.load(std::memory_order_relaxed);
    if (s == kFilling) state_.store(kBroken, std::memory_order_relaxed);  // timed out
    if (s != kDraining) {
      leave();
      throw BrokenBarrierError("");
    }
  }
  m.sync_acquire(this);
  leave();
  return index;
}

void Barrier::reset(braid::source_location where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      auto idle = [this] { return !in_action_; };
      m->step(runtime::Op::kBarrierReset, this, where, runtime::Guard(idle));
      const int s = state_.load(std::memory_order_relaxed);
      if (count_.load(std::memory_order_relaxed) > 0) {
        if (s == kFilling || s == kBroken) state_.store(kResetting, std::memory_order_relaxed);
      } else {
        state_.store(kFilling, std::memory_order_relaxed);
      }
      return;
    }
    runtime::chaos_point();
  }
  Held held(mu_);
  const int s = state_.load(std::memory_order_relaxed);
  if (count_.load(std::memory_order_relaxed) > 0) {
    if (s == kFilling || s == kBroken) state_.store(kResetting, std::memory_order_relaxed);
  } else {
    state_.store(kFilling, std::memory_order_relaxed);
  }
  notify_all();
}

void Barrier::abort(braid::source_location where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      auto idle = [this] { return !in_action_; };
      m->step(runtime::Op::kBarrierAbort, this, where, runtime::Guard(idle));
      state_.store(kBroken, std::memory_order_relaxed);
      return;
    }
    runtime::chaos_point();
  }
  Held held(mu_);
  break_barrier();
}

std::size_t Barrier::n_waiting(braid::source_location where) const {
  // No dedicated query op exists; the step is tagged as a barrier wait.
  runtime::visible(runtime::Op::kBarrierWait, this, where);
  if (state_.load(std::memory_order_relaxed) == kFilling) {
    return count_.load(std::memory_order_relaxed);
  }
  return 0;
}

bool Barrier::broken(braid::source_location where) const {
  runtime::visible(runtime::Op::kBarrierWait, this, where);
  return state_.load(std::memory_order_relaxed) == kBroken;
}

}  // namespace braid
