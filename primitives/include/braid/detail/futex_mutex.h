// braid/detail/futex_mutex.h
// -----------------------------------------------------------------------------
// FutexMutex: a small internal mutex for the OS-runtime paths of braid's
// primitives (the state of a Condition, Barrier or queue). Three states on one
// futex word (0 free, 1 held, 2 held with waiters); blocks in the kernel, never
// spins beyond a handful of retries.
//
// It is *not* a visible operation: it never calls the model. Under the model
// runtime only one logical thread runs at a time, so it is always free there;
// primitives must never hold it across a `Model::step`.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_FUTEX_MUTEX_H_
#define BRAID_DETAIL_FUTEX_MUTEX_H_

#include <atomic>
#include <cstdint>

#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid::detail {

class BRAID_CAPABILITY("mutex") FutexMutex {
 public:
  FutexMutex() = default;
  FutexMutex(const FutexMutex&) = delete;
  FutexMutex& operator=(const FutexMutex&) = delete;

  void lock() BRAID_ACQUIRE() {
    std::uint32_t expected = 0;
    if (BRAID_LIKELY(word_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                                   std::memory_order_relaxed))) {
      return;
    }
    lock_slow();
  }

  bool try_lock() BRAID_TRY_ACQUIRE(true) {
    std::uint32_t expected = 0;
    return word_.compare_exchange_strong(expected, 1, std::memory_order_acquire,
                                         std::memory_order_relaxed);
  }

  void unlock() BRAID_RELEASE() {
    if (BRAID_UNLIKELY(word_.exchange(0, std::memory_order_release) == 2)) {
      runtime::futex_wake(word_, 1);
    }
  }

 private:
  void lock_slow() {
    for (int i = 0; i < 32; ++i) {
      std::uint32_t expected = 0;
      if (word_.load(std::memory_order_relaxed) == 0 &&
          word_.compare_exchange_weak(expected, 1, std::memory_order_acquire,
                                      std::memory_order_relaxed)) {
        return;
      }
    }
    while (word_.exchange(2, std::memory_order_acquire) != 0) {
      runtime::futex_wait(word_, 2, std::nullopt);
    }
  }

  std::atomic<std::uint32_t> word_{0};
};

// Scoped holder of a FutexMutex.
class BRAID_SCOPED_CAPABILITY FutexGuard {
 public:
  explicit FutexGuard(FutexMutex& m) BRAID_ACQUIRE(m) : m_(m) { m_.lock(); }
  ~FutexGuard() BRAID_RELEASE() { m_.unlock(); }
  FutexGuard(const FutexGuard&) = delete;
  FutexGuard& operator=(const FutexGuard&) = delete;

 private:
  FutexMutex& m_;
};

}  // namespace braid::detail

#endif  // BRAID_DETAIL_FUTEX_MUTEX_H_
