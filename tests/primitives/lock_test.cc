// Tests for braid::Lock: CPython's lock_tests.BaseLockTests and LockTests on
// real threads, the std lockable adaptors, and a chaos stress run.
#include "braid/lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
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

TEST(LockTest, AcquireRelease) {
  Lock lock;
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.acquire());
  EXPECT_TRUE(lock.locked());
  lock.release();
  EXPECT_FALSE(lock.locked());
}

TEST(LockTest, AcquireDestroy) {
  auto* lock = new Lock;
  lock->acquire();
  delete lock;
}

TEST(LockTest, TryAcquire) {
  Lock lock;
  EXPECT_TRUE(lock.acquire(false));
  EXPECT_FALSE(lock.acquire(false));
  lock.release();
}

TEST(LockTest, TryAcquireContended) {
  Lock lock;
  lock.acquire();
  bool result = true;
  run_bunch(1, [&] { result = lock.acquire(false); });
  EXPECT_FALSE(result);
  lock.release();
}

TEST(LockTest, AcquireContended) {
  Lock lock;
  lock.acquire();
  std::atomic<int> finished{0};
  constexpr int kN = 5;
  std::vector<Thread> threads;
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&] {
      lock.acquire();
      lock.release();
      finished.fetch_add(1);
    });
  }
  for (auto& t : threads) t.start();
  let_threads_block(kN);
  EXPECT_EQ(finished.load(), 0);
  lock.release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(finished.load(), kN);
}

TEST(LockTest, WithStatementEquivalents) {
  Lock lock;
  { std::scoped_lock g(lock); }
  run_bunch(1, [&] {
    lock.acquire();
    lock.release();
  });
  EXPECT_THROW(
      {
        std::scoped_lock g(lock);
        throw std::logic_error("inside");
      },
      std::logic_error);
  EXPECT_FALSE(lock.locked());
  run_bunch(1, [&] {
    lock.acquire();
    lock.release();
  });
}

TEST(LockTest, ThreadLeak) {
  Lock lock;
  run_bunch(15, [&] {
    lock.acquire();
    lock.release();
  });
  EXPECT_FALSE(lock.locked());
}

TEST(LockTest, TimeoutArguments) {
  Lock lock;
  try {
    lock.acquire(false, 1s);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "can't specify a timeout for a non-blocking call");
  }
  try {
    lock.acquire(true, -100s);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "timeout value must be positive");
  }
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.acquire(true, 5s));
  bool result = true;
  run_bunch(1, [&] { result = lock.acquire(true, 20ms); });
  EXPECT_FALSE(result);
  lock.release();
}

TEST(LockTest, ReleaseUnlockedIsMisuse) {
  Lock lock;
  try {
    lock.release();
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "release unlocked lock");
    EXPECT_TRUE(e.is_misuse());
    EXPECT_STREQ(e.type_name(), "RuntimeError");
  }
}

TEST(LockTest, Reacquire) {
  Lock lock;
  std::atomic<int> phase{0};
  Thread t([&] {
    lock.acquire();
    phase = 1;
    lock.acquire();  // blocks until the main thread releases
    phase = 2;
  });
  t.start();
  while (phase.load() < 1) std::this_thread::yield();
  let_threads_block(1);
  EXPECT_EQ(phase.load(), 1);
  lock.release();
  t.join();
  EXPECT_EQ(phase.load(), 2);
  EXPECT_TRUE(lock.locked());
  lock.release();
}

TEST(LockTest, DifferentThreadRelease) {
  Lock lock;
  lock.acquire();
  run_bunch(1, [&] { lock.release(); });
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
}

TEST(LockTest, StateAfterTimeout) {
  Lock lock;
  lock.acquire();
  EXPECT_FALSE(lock.acquire(true, 10ms));
  lock.release();
  EXPECT_FALSE(lock.locked());
  EXPECT_TRUE(lock.acquire(false));
  lock.release();
}

TEST(LockTest, ZeroTimeoutTriesOnce) {
  Lock lock;
  EXPECT_TRUE(lock.acquire(true, 0ns));
  EXPECT_FALSE(lock.acquire(true, 0ns));
  lock.release();
}

TEST(LockTest, StdAdaptors) {
  Lock lock;
  {
    std::unique_lock<Lock> g(lock, std::try_to_lock);
    EXPECT_TRUE(g.owns_lock());
    EXPECT_TRUE(lock.locked());
  }
  EXPECT_FALSE(lock.locked());
  {
    std::unique_lock<Lock> g(lock, 10ms);  // try_lock_for
    EXPECT_TRUE(g.owns_lock());
    std::unique_lock<Lock> g2(lock, 1ms);
    EXPECT_FALSE(g2.owns_lock());
  }
  {
    std::unique_lock<Lock> g(lock, std::chrono::steady_clock::now() + 5ms);  // try_lock_until
    EXPECT_TRUE(g.owns_lock());
  }
  Lock other;
  { std::scoped_lock g(lock, other); }
  EXPECT_FALSE(lock.locked());
  EXPECT_FALSE(other.locked());
}

TEST(LockTest, ConditionVariableAny) {
  Lock lock;
  std::condition_variable_any cv;
  bool ready = false;
  int consumed = 0;
  Thread consumer([&] {
    std::unique_lock<Lock> g(lock);
    cv.wait(g, [&] { return ready; });
    consumed = 1;
  });
  consumer.start();
  {
    std::scoped_lock g(lock);
    ready = true;
  }
  cv.notify_all();
  consumer.join();
  EXPECT_EQ(consumed, 1);
  EXPECT_FALSE(lock.locked());
}

TEST(LockTest, MutualExclusionStress) {
  Lock lock;
  long counter = 0;
  constexpr int kThreads = 4, kIters = 20000;
  run_bunch(kThreads, [&] {
    for (int i = 0; i < kIters; ++i) {
      if (i % 3 == 0) {
        while (!lock.acquire(false)) {
        }
      } else if (i % 3 == 1) {
        while (!lock.acquire(true, 1ms)) {
        }
      } else {
        lock.lock();
      }
      ++counter;
      lock.release();
    }
  });
  EXPECT_EQ(counter, static_cast<long>(kThreads) * kIters);
}

TEST(LockTest, ChaosStress) {
  runtime::enable_chaos(12345);
  Lock lock;
  long counter = 0;
  int inside = 0;
  bool overlap = false;
  run_bunch(4, [&] {
    for (int i = 0; i < 300; ++i) {
      lock.acquire();
      if (++inside != 1) overlap = true;
      ++counter;
      --inside;
      lock.release();
    }
  });
  runtime::enable_chaos(0);
  EXPECT_FALSE(overlap);
  EXPECT_EQ(counter, 1200);
}

}  // namespace
}  // namespace braid
