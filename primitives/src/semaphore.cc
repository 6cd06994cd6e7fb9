// Semaphore and BoundedSemaphore on one futex counter.
#include "braid/semaphore.h"

#include <cstdint>
#include <limits>

#include "braid/errors.h"

namespace braid {

namespace {
constexpr std::uint32_t kUnbounded = std::numeric_limits<std::uint32_t>::max();

std::uint32_t checked_initial(std::int64_t value) {
  if (value < 0) throw ValueError("semaphore initial value must be >= 0");
  if (value > std::numeric_limits<std::int32_t>::max()) {
    throw ValueError("semaphore initial value too large");
  }
  return static_cast<std::uint32_t>(value);
}

[[noreturn]] void throw_over_release(std::uint32_t bound) {
  if (bound == kUnbounded) throw ValueError("semaphore value too large");
  throw misuse<ValueError>("Semaphore released too many times");
}
}  // namespace

Semaphore::Semaphore(std::int64_t value) : value_(checked_initial(value)), bound_(kUnbounded) {}

Semaphore::Semaphore(std::int64_t value, std::uint32_t bound)
    : value_(checked_initial(value)), bound_(bound) {}

Semaphore::~Semaphore() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

BoundedSemaphore::BoundedSemaphore(std::int64_t value)
    : Semaphore(value, value < 0 ? 0 : static_cast<std::uint32_t>(value)) {}

bool Semaphore::try_take() noexcept {
  std::uint32_t v = value_.load(std::memory_order_relaxed);
  while (v != 0) {
    if (value_.compare_exchange_weak(v, v - 1, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

bool Semaphore::acquire(bool blocking, Timeout timeout, braid::source_location where) {
  if (!blocking && timeout) throw ValueError("can't specify timeout for non-blocking acquire");
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return acquire_modelled(*m, blocking, timeout, where);
    runtime::chaos_point();
  }
  if (try_take()) return true;
  if (!blocking || (timeout && *timeout <= Duration::zero())) return false;
  const std::optional<Duration> deadline = runtime::deadline_after(timeout);
  // Announce ourselves before re-checking the value; release() adds to the
  // value before reading waiters_ (both seq_cst), so one of us sees the other.
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool got = false;
  for (;;) {
    std::uint32_t v = value_.load(std::memory_order_seq_cst);
    if (v != 0) {
      if (value_.compare_exchange_weak(v, v - 1, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        got = true;
        break;
      }
      continue;
    }
    if (!runtime::futex_wait(value_, 0, deadline)) {
      got = try_take();
      break;
    }
  }
  waiters_.fetch_sub(1, std::memory_order_relaxed);
  return got;
}

void Semaphore::release(std::int64_t n, braid::source_location where) {
  if (n < 1) throw ValueError("n must be one or more");
  if (n > static_cast<std::int64_t>(kUnbounded)) throw_over_release(bound_);
  const auto units = static_cast<std::uint32_t>(n);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      release_modelled(*m, units, where);
      return;
    }
    runtime::chaos_point();
  }
  std::uint32_t v = value_.load(std::memory_order_relaxed);
  do {
    if (units > bound_ - v) throw_over_release(bound_);
  } while (!value_.compare_exchange_weak(v, v + units, std::memory_order_seq_cst,
                                         std::memory_order_relaxed));
  if (waiters_.load(std::memory_order_seq_cst) != 0) {
    runtime::futex_wake(value_, units > INT32_MAX ? INT32_MAX : static_cast<int>(units));
  }
}

bool Semaphore::acquire_modelled(runtime::Model& m, bool blocking, const Timeout& timeout,
                                 const braid::source_location& where) {
  auto available = [this] { return value_.load(std::memory_order_relaxed) != 0; };
  if (!blocking) {
    m.step(runtime::Op::kSemaphoreAcquire, this, where);
    if (!available()) return false;
  } else {
    Timeout t = timeout;
    if (t && *t < Duration::zero()) t = Duration::zero();
    if (m.step(runtime::Op::kSemaphoreAcquire, this, where, runtime::Guard(available), t) !=
            runtime::Wake::kReady ||
        !available()) {
      return false;
    }
  }
  value_.store(value_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  m.hold(this);
  m.sync_acquire(this);
  return true;
}

void Semaphore::release_modelled(runtime::Model& m, std::uint32_t n,
                                 const braid::source_location& where) {
  m.step(runtime::Op::kSemaphoreRelease, this, where);
  const std::uint32_t v = value_.load(std::memory_order_relaxed);
  if (n > bound_ - v) throw_over_release(bound_);
  m.unhold(this);
  m.sync_release(this);
  value_.store(v + n, std::memory_order_relaxed);
}

}  // namespace braid
