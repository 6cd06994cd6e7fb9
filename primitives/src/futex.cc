// futex.cc
// -----------------------------------------------------------------------------
// The OS blocking core of braid/runtime.h: the monotonic clock, private Linux
// futexes with absolute CLOCK_MONOTONIC deadlines (FUTEX_WAIT_BITSET), and
// sleep. Under the model, now() and sleep() are virtual.
// -----------------------------------------------------------------------------
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "braid/runtime.h"

namespace braid::runtime {
namespace {

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

Duration monotonic_now() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return Duration(static_cast<std::int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec);
}

timespec to_timespec(Duration d) noexcept {
  std::int64_t ns = d.count();
  if (ns < 0) ns = 0;
  timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / kNanosPerSecond);
  ts.tv_nsec = static_cast<long>(ns % kNanosPerSecond);
  return ts;
}

std::uint32_t* word_address(const std::atomic<std::uint32_t>& word) noexcept {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return const_cast<std::uint32_t*>(reinterpret_cast<const std::uint32_t*>(&word));
}

// FUTEX_WAIT_BITSET (`op`, with or without FUTEX_PRIVATE_FLAG) with an
// absolute CLOCK_MONOTONIC deadline. False only when the deadline passed.
bool wait_on(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
             const std::optional<Duration>& deadline, int op) {
  timespec ts;
  timespec* tsp = nullptr;
  if (deadline) {
    if (monotonic_now() >= *deadline) return false;
    ts = to_timespec(*deadline);
    tsp = &ts;
  }
  long rc = ::syscall(SYS_futex, word_address(word), op, expected, tsp, nullptr, FUTEX_BITSET_MATCH_ANY);
  if (rc == -1 && errno == ETIMEDOUT) return false;
  return true;  // woken, value changed (EAGAIN) or interrupted (EINTR)
}

}  // namespace

Duration now() {
  if (Model* m = model()) return m->now();
  return monotonic_now();
}

bool futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::optional<Duration>& deadline) {
  return wait_on(word, expected, deadline, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG);
}

void futex_wake(const std::atomic<std::uint32_t>& word, int n) noexcept {
  ::syscall(SYS_futex, word_address(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, nullptr, nullptr,
            0);
}

bool futex_wait_shared(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       const std::optional<Duration>& deadline) {
  return wait_on(word, expected, deadline, FUTEX_WAIT_BITSET);
}

void futex_wake_shared(const std::atomic<std::uint32_t>& word, int n) noexcept {
  ::syscall(SYS_futex, word_address(word), FUTEX_WAKE, n, nullptr, nullptr, 0);
}

void sleep(Duration d, const braid::source_location& where) {
  if (Model* m = model()) {
    m->sleep(d, where);
    return;
  }
  if (d <= Duration::zero()) {
    sched_yield();
    return;
  }
  timespec until = to_timespec(monotonic_now() + d);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
  }
}

}  // namespace braid::runtime
