// shm_lock.cc
// -----------------------------------------------------------------------------
// The slow path of braid::mp::detail::ShmLock (see braid/mp/detail/shm_lock.h),
// the cached pid and the liveness test of a lock owner.
// -----------------------------------------------------------------------------
#include "braid/mp/detail/shm_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace braid::mp::detail {
namespace {

// Polls of a held lock before sleeping on it: a pause costs 10-100 ns, and
// critical sections are a few hundred nanoseconds.
constexpr int kSpinLock = 30;

std::atomic<std::uint32_t> g_pid{0};

void refresh_pid() noexcept { g_pid.store(static_cast<std::uint32_t>(::getpid()), std::memory_order_relaxed); }

// Registers the at-fork handler once, before the first pid is cached.
struct PidCache {
  PidCache() {
    refresh_pid();
    ::pthread_atfork(nullptr, nullptr, &refresh_pid);
  }
};

// The state letter of /proc/<pid>/stat ("R", "S", "Z", ...), or 0 if unreadable.
char proc_state(std::uint32_t pid) noexcept {
  char path[48];
  std::snprintf(path, sizeof path, "/proc/%u/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[512];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  // "pid (comm) S ...": comm may hold spaces and parentheses; the state
  // follows the last ')'.
  const char* close_paren = std::strrchr(buf, ')');
  if (close_paren == nullptr || close_paren[1] != ' ') return 0;
  return close_paren[2];
}

}  // namespace

std::uint32_t self_pid() noexcept {
  static PidCache cache;
  (void)cache;
  return g_pid.load(std::memory_order_relaxed);
}

bool process_alive(std::uint32_t pid) noexcept {
  if (pid == 0) return false;
  if (pid == self_pid()) return true;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  const char state = proc_state(pid);
  if (state == 0) {
    // No /proc entry: gone between the two checks (or /proc is not mounted,
    // then trust kill()).
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
  }
  return state != 'Z' && state != 'X' && state != 'x';
}

void ShmLock::lock_slow() {
  const std::uint32_t me = self_pid();
  for (int i = 0; i < kSpinLock; ++i) {
    cpu_relax();
    std::uint32_t v = word_.load(std::memory_order_relaxed);
    if (v == 0 && word_.compare_exchange_weak(v, me, std::memory_order_acquire, std::memory_order_relaxed)) {
      return;
    }
  }
  Duration slice = std::chrono::milliseconds(1);
  for (;;) {
    std::uint32_t v = word_.load(std::memory_order_relaxed);
    if (v == 0) {
      // Others may still sleep: keep the waiters bit so our unlock wakes one.
      if (word_.compare_exchange_weak(v, me | kWaiters, std::memory_order_acquire, std::memory_order_relaxed)) {
        return;
      }
      continue;
    }
    if ((v & kWaiters) == 0) {
      if (!word_.compare_exchange_weak(v, v | kWaiters, std::memory_order_relaxed, std::memory_order_relaxed)) {
        continue;
      }
      v |= kWaiters;
    }
    if (runtime::futex_wait_shared(word_, v, runtime::now() + slice)) continue;
    // A slice passed with the same owner: is it still alive?
    const std::uint32_t owner = v & ~kWaiters;
    if (owner != me && !process_alive(owner)) {
      if (word_.compare_exchange_strong(v, me | kWaiters, std::memory_order_acquire, std::memory_order_relaxed)) {
        takeovers_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    slice = std::min<Duration>(slice * 2, std::chrono::milliseconds(64));
  }
}

}  // namespace braid::mp::detail
