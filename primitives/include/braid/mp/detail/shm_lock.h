// braid/mp/detail/shm_lock.h
// -----------------------------------------------------------------------------
// ShmLock: a mutex that lives in memory shared between processes (a
// MAP_SHARED mapping inherited across fork) and survives the death of its
// owner.
//
// The lock is one 32-bit word: 0 when free, otherwise the owner's pid, with the
// top bit set while some thread may sleep on it. Zero-filled memory is a free
// lock, so a fresh anonymous mapping needs no initialisation.
//
//   lock():   CAS 0 -> pid; on failure spin briefly, then set the waiters bit
//             and sleep on the word (a non-private futex) in growing slices
//             (1 ms .. 64 ms). After a slice times out the sleeper asks
//             whether the owner still runs; if it does not (no such process,
//             or a zombie nobody reaped yet) it takes the lock over with one
//             CAS from the dead owner's word, so a process killed inside a
//             critical section never hangs the others.
//   unlock(): exchange with 0; wake one sleeper if the waiters bit was set.
//
// Taking over is only safe if a critical section never leaves shared state
// half-updated: users of ShmLock (see shm_ring.h) publish every change with a
// single store, so the state a new owner finds is always a committed one.
//
// Limits: a dead owner is noticed only while somebody waits; a pid reused by
// an unrelated process before the waiter looks makes the owner look alive (the
// waiter keeps waiting, as for a live owner). Threads of one process share a
// pid: the lock excludes them from each other too, but a thread that exits
// holding it is not detected.
//
// Memory ordering: lock() acquires, unlock() releases, in every process that
// maps the word.
//
// Python equivalence: the process-shared semaphore behind
// multiprocessing.Lock (SemLock), made robust against a dead holder.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_SHM_LOCK_H_
#define BRAID_MP_DETAIL_SHM_LOCK_H_

#include <atomic>
#include <cstdint>

#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid::mp::detail {

// The calling process's pid, cached: a pthread_atfork handler refreshes it in
// a child made by fork(2) (os::fork, runtime::fork_process, Pool workers).
std::uint32_t self_pid() noexcept;

// True while process `pid` runs: false when there is no such process or it
// has exited and waits to be reaped (a zombie).
bool process_alive(std::uint32_t pid) noexcept;

// A pause instruction for spin loops.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class BRAID_CAPABILITY("mutex") ShmLock {
 public:
  static constexpr std::uint32_t kWaiters = 1u << 31;

  ShmLock() = default;
  ShmLock(const ShmLock&) = delete;
  ShmLock& operator=(const ShmLock&) = delete;

  // Blocks until the lock is free or its owner is dead, then takes it.
  void lock() BRAID_ACQUIRE() {
    std::uint32_t expected = 0;
    if (BRAID_LIKELY(word_.compare_exchange_strong(expected, self_pid(), std::memory_order_acquire,
                                                   std::memory_order_relaxed))) {
      return;
    }
    lock_slow();
  }

  // Takes the lock if it is free; never blocks.
  bool try_lock() BRAID_TRY_ACQUIRE(true) {
    std::uint32_t expected = 0;
    return word_.compare_exchange_strong(expected, self_pid(), std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }

  void unlock() BRAID_RELEASE() {
    if (BRAID_UNLIKELY((word_.exchange(0, std::memory_order_release) & kWaiters) != 0)) {
      runtime::futex_wake_shared(word_, 1);
    }
  }

  // The owner's pid (0 when free); a snapshot for diagnostics.
  std::uint32_t owner() const noexcept {
    return word_.load(std::memory_order_relaxed) & ~kWaiters;
  }

  // How many times this lock was taken over from a dead owner.
  std::uint32_t takeovers() const noexcept { return takeovers_.load(std::memory_order_relaxed); }

 private:
  void lock_slow();

  std::atomic<std::uint32_t> word_{0};
  std::atomic<std::uint32_t> takeovers_{0};
};

// Scoped holder of a ShmLock.
class BRAID_SCOPED_CAPABILITY ShmGuard {
 public:
  explicit ShmGuard(ShmLock& l) BRAID_ACQUIRE(l) : l_(l) { l_.lock(); }
  ~ShmGuard() BRAID_RELEASE() { l_.unlock(); }
  ShmGuard(const ShmGuard&) = delete;
  ShmGuard& operator=(const ShmGuard&) = delete;

 private:
  ShmLock& l_;
};

}  // namespace braid::mp::detail

#endif  // BRAID_MP_DETAIL_SHM_LOCK_H_
