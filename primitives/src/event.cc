// Event: flag + generation on one futex word.
#include "braid/event.h"

namespace braid {

Event::~Event() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

bool Event::is_set(braid::source_location where) const {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kEventQuery, this, where);
      const bool set = (word_.load(std::memory_order_relaxed) & kSet) != 0;
      if (set) m->sync_acquire(this);
      return set;
    }
    runtime::chaos_point();
  }
  return (word_.load(std::memory_order_acquire) & kSet) != 0;
}

void Event::set(braid::source_location where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kEventSet, this, where);
      m->sync_release(this);
      const std::uint32_t v = word_.load(std::memory_order_relaxed);
      if ((v & kSet) == 0) word_.store((v + kGeneration) | kSet, std::memory_order_relaxed);
      return;
    }
    runtime::chaos_point();
  }
  std::uint32_t v = word_.load(std::memory_order_relaxed);
  do {
    if ((v & kSet) != 0) {
      // Already set: a release RMW still publishes our writes to later
      // observers of the flag.
      word_.fetch_or(kSet, std::memory_order_release);
      return;
    }
  } while (!word_.compare_exchange_weak(v, (v + kGeneration) | kSet, std::memory_order_seq_cst,
                                        std::memory_order_relaxed));
  if (waiters_.load(std::memory_order_seq_cst) != 0) runtime::futex_wake_all(word_);
}

void Event::clear(braid::source_location where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kEventClear, this, where);
      word_.store(word_.load(std::memory_order_relaxed) & ~kSet, std::memory_order_relaxed);
      return;
    }
    runtime::chaos_point();
  }
  word_.fetch_and(~kSet, std::memory_order_relaxed);
}

bool Event::wait(Timeout timeout, braid::source_location where) {
  const bool poll = timeout.has_value() && *timeout <= Duration::zero();
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      const std::uint32_t start = word_.load(std::memory_order_relaxed);
      auto signalled = [this, start] {
        const std::uint32_t v = word_.load(std::memory_order_relaxed);
        return (v & kSet) != 0 || (v >> 1) != (start >> 1);
      };
      m->step(runtime::Op::kEventWait, this, where, runtime::Guard(signalled),
              poll ? Timeout(Duration::zero()) : timeout);
      if (!signalled()) return false;
      m->sync_acquire(this);
      return true;
    }
    runtime::chaos_point();
  }
  const std::uint32_t start = word_.load(std::memory_order_acquire);
  if ((start & kSet) != 0) return true;
  if (poll) return false;
  const std::optional<Duration> deadline = runtime::deadline_after(timeout);
  auto signalled = [start](std::uint32_t v) {
    return (v & kSet) != 0 || (v >> 1) != (start >> 1);
  };
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool result = false;
  for (;;) {
    const std::uint32_t v = word_.load(std::memory_order_seq_cst);
    if (signalled(v)) {
      result = true;
      break;
    }
    if (!runtime::futex_wait(word_, v, deadline)) {
      result = signalled(word_.load(std::memory_order_acquire));
      break;
    }
  }
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  return result;
}

}  // namespace braid
