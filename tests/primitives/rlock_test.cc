// Tests for braid::RLock: CPython's lock_tests.BaseLockTests and RLockTests on
// real threads, the std lockable adaptors, and a chaos stress run.
#include "braid/rlock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/thread.h"
#include "primitives/bunch.h"

// The tests pair acquire()/release() as Python code does and misuse locks on
// purpose, which clang's static thread-safety analysis cannot follow.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid {
namespace {

using testing_support::let_threads_block;
using testing_support::run_bunch;

using namespace std::chrono_literals;

TEST(RLockTest, AcquireReleaseAndDestroy) {
  RLock lock;
  EXPECT_TRUE(lock.acquire());
  lock.release();
  auto* held = new RLock;
  held->acquire();
  delete held;
}

TEST(RLockTest, TryAcquireContended) {
  RLock lock;
  lock.acquire();
  bool result = true;
  run_bunch(1, [&] { result = lock.acquire(false); });
  EXPECT_FALSE(result);
  lock.release();
}

TEST(RLockTest, AcquireContended) {
  RLock lock;
  lock.acquire();
  std::atomic<int> finished{0};
  std::vector<Thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&] {
      lock.acquire();
      lock.release();
      finished.fetch_add(1);
    });
  }
  for (auto& t : threads) t.start();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(finished.load(), 0);
  lock.release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(finished.load(), 5);
}

TEST(RLockTest, Reacquire) {
  RLock lock;
  lock.acquire();
  lock.acquire();
  lock.release();
  lock.acquire();
  lock.release();
  lock.release();
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
}

TEST(RLockTest, ReleaseUnacquired) {
  RLock lock;
  EXPECT_THROW(lock.release(), RuntimeError);
  lock.acquire();
  lock.acquire();
  lock.release();
  lock.acquire();
  lock.release();
  lock.release();
  try {
    lock.release();
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "cannot release un-acquired lock");
    EXPECT_TRUE(e.is_misuse());
  }
}

TEST(RLockTest, TimeoutArguments) {
  RLock lock;
  EXPECT_THROW(lock.acquire(false, 1s), ValueError);
  EXPECT_THROW(lock.acquire(true, -1ms), ValueError);
  lock.acquire();
  // Also checked on a recursive acquire, as in CPython.
  EXPECT_THROW(lock.acquire(false, 1s), ValueError);
  EXPECT_TRUE(lock.acquire(true, 1s));
  bool result = true;
  run_bunch(1, [&] { result = lock.acquire(true, 20ms); });
  EXPECT_FALSE(result);
  lock.release();
  lock.release();
}

TEST(RLockTest, RecursionCount) {
  RLock lock;
  EXPECT_EQ(lock.recursion_count(), 0u);
  lock.acquire();
  EXPECT_EQ(lock.recursion_count(), 1u);
  lock.acquire();
  lock.acquire();
  EXPECT_EQ(lock.recursion_count(), 3u);
  lock.release();
  EXPECT_EQ(lock.recursion_count(), 2u);
  lock.release();
  lock.release();
  EXPECT_EQ(lock.recursion_count(), 0u);

  std::atomic<int> phase{0};
  Thread t([&] {
    lock.acquire();
    phase = 1;
    while (phase.load() < 2) std::this_thread::yield();
    lock.release();
    phase = 3;
  });
  t.start();
  while (phase.load() < 1) std::this_thread::yield();
  EXPECT_EQ(lock.recursion_count(), 0u);  // held by the other thread
  phase = 2;
  t.join();
  EXPECT_EQ(lock.recursion_count(), 0u);
}

TEST(RLockTest, DifferentThreadCannotRelease) {
  RLock lock;
  std::atomic<bool> held{false}, done{false};
  Thread t([&] {
    lock.acquire();
    held = true;
    while (!done.load()) std::this_thread::yield();
    lock.release();
  });
  t.start();
  while (!held.load()) std::this_thread::yield();
  EXPECT_THROW(lock.release(), RuntimeError);
  done = true;
  t.join();
}

TEST(RLockTest, IsOwned) {
  RLock lock;
  EXPECT_FALSE(lock.is_owned());
  lock.acquire();
  EXPECT_TRUE(lock.is_owned());
  lock.acquire();
  EXPECT_TRUE(lock.is_owned());
  bool other = true;
  run_bunch(1, [&] { other = lock.is_owned(); });
  EXPECT_FALSE(other);
  lock.release();
  EXPECT_TRUE(lock.is_owned());
  lock.release();
  EXPECT_FALSE(lock.is_owned());
}

TEST(RLockTest, StdAdaptors) {
  RLock lock;
  {
    std::scoped_lock g(lock);
    std::unique_lock<RLock> g2(lock);  // recursive
    std::unique_lock<RLock> g3(lock, 1ms);
    EXPECT_TRUE(g3.owns_lock());
    EXPECT_EQ(lock.recursion_count(), 3u);
  }
  EXPECT_EQ(lock.recursion_count(), 0u);
  std::condition_variable_any cv;
  bool ready = false;
  Thread t([&] {
    std::unique_lock<RLock> g(lock);
    cv.wait(g, [&] { return ready; });
  });
  t.start();
  {
    std::scoped_lock g(lock);
    ready = true;
  }
  cv.notify_all();
  t.join();
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
}

TEST(RLockTest, MutualExclusionStress) {
  RLock lock;
  long counter = 0;
  run_bunch(4, [&] {
    for (int i = 0; i < 20000; ++i) {
      lock.acquire();
      lock.acquire();
      ++counter;
      lock.release();
      lock.release();
    }
  });
  EXPECT_EQ(counter, 80000);
}

TEST(RLockTest, ChaosStress) {
  runtime::enable_chaos(777);
  RLock lock;
  long counter = 0;
  int inside = 0;
  bool overlap = false;
  run_bunch(4, [&] {
    for (int i = 0; i < 200; ++i) {
      lock.acquire();
      if (++inside != 1) overlap = true;
      lock.acquire(true, 1s);
      ++counter;
      lock.release();
      --inside;
      lock.release();
    }
  });
  runtime::enable_chaos(0);
  EXPECT_FALSE(overlap);
  EXPECT_EQ(counter, 800);
}

}  // namespace
}  // namespace braid
