// Tests for braid::Semaphore and braid::BoundedSemaphore: CPython's
// lock_tests.BaseSemaphoreTests, SemaphoreTests and BoundedSemaphoreTests on
// real threads (typed over both classes), plus adaptors and chaos stress.
#include "braid/semaphore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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

template <typename T>
class SemaphoreTypedTest : public ::testing::Test {};
using SemaphoreTypes = ::testing::Types<Semaphore, BoundedSemaphore>;
TYPED_TEST_SUITE(SemaphoreTypedTest, SemaphoreTypes);

TYPED_TEST(SemaphoreTypedTest, Constructor) {
  try {
    TypeParam sem(-1);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "semaphore initial value must be >= 0");
  }
  EXPECT_THROW(TypeParam(-(1LL << 62)), ValueError);
}

TYPED_TEST(SemaphoreTypedTest, Acquire) {
  TypeParam sem1(1);
  sem1.acquire();
  sem1.release();
  TypeParam sem2(2);
  sem2.acquire();
  sem2.acquire();
  sem2.release();
  sem2.release();
  auto* held = new TypeParam();
  held->acquire();
  delete held;
}

// CPython's test_acquire_contended / test_multirelease: 10 threads acquire
// twice each from a semaphore with 6 free units; releases let exactly as many
// through as units released.
void check_contended(Semaphore& sem, bool multirelease) {
  constexpr int kValue = 7;
  std::atomic<int> phase{0};
  std::mutex mu;
  std::vector<int> results;
  std::vector<Thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 2; ++k) {
        EXPECT_TRUE(sem.acquire());
        std::scoped_lock g(mu);
        results.push_back(phase.load());
      }
    });
  }
  auto wait_count = [&](std::size_t n) {
    for (;;) {
      {
        std::scoped_lock g(mu);
        if (results.size() >= n) break;
      }
      std::this_thread::sleep_for(1ms);
    }
    std::this_thread::sleep_for(10ms);  // an extra acquire would show up here
    std::scoped_lock g(mu);
    std::vector<int> sorted = results;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  };
  for (auto& t : threads) t.start();
  auto r = wait_count(kValue - 1);
  EXPECT_EQ(r, std::vector<int>(kValue - 1, 0));
  phase = 1;
  if (multirelease) {
    sem.release(kValue);
  } else {
    for (int i = 0; i < kValue; ++i) sem.release();
  }
  r = wait_count(2 * kValue - 1);
  std::vector<int> expected(kValue - 1, 0);
  expected.insert(expected.end(), kValue, 1);
  EXPECT_EQ(r, expected);
  phase = 2;
  sem.release(kValue - 1);
  r = wait_count(3 * kValue - 2);
  expected.insert(expected.end(), kValue - 1, 2);
  EXPECT_EQ(r, expected);
  EXPECT_FALSE(sem.acquire(false));  // still locked
  sem.release();                     // let the last thread finish
  for (auto& t : threads) t.join();
  EXPECT_EQ(results.size(), 20u);
}

TEST(SemaphoreTest, AcquireContended) {
  Semaphore sem(7);
  sem.acquire();
  check_contended(sem, false);
}

TEST(SemaphoreTest, MultiRelease) {
  Semaphore sem(7);
  sem.acquire();
  check_contended(sem, true);
}

TYPED_TEST(SemaphoreTypedTest, TryAcquire) {
  TypeParam sem(2);
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_TRUE(sem.acquire(false));
  EXPECT_FALSE(sem.acquire(false));
  sem.release();
  EXPECT_TRUE(sem.acquire(false));
}

TYPED_TEST(SemaphoreTypedTest, TryAcquireContended) {
  TypeParam sem(4);
  sem.acquire();
  std::atomic<int> trues{0}, falses{0};
  run_bunch(5, [&] {
    for (int i = 0; i < 2; ++i) (sem.acquire(false) ? trues : falses).fetch_add(1);
  });
  EXPECT_EQ(trues.load(), 3);
  EXPECT_EQ(falses.load(), 7);
}

TYPED_TEST(SemaphoreTypedTest, AcquireTimeout) {
  TypeParam sem(2);
  try {
    sem.acquire(false, 1s);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "can't specify timeout for non-blocking acquire");
  }
  EXPECT_TRUE(sem.acquire(true, 5ms));
  EXPECT_TRUE(sem.acquire(true, 5ms));
  EXPECT_FALSE(sem.acquire(true, 5ms));
  sem.release();
  EXPECT_TRUE(sem.acquire(true, 5ms));
  EXPECT_FALSE(sem.acquire(true, 20ms));
  EXPECT_FALSE(sem.acquire(true, -1s));  // Python: negative means "do not wait"
}

TYPED_TEST(SemaphoreTypedTest, DefaultValue) {
  TypeParam sem;
  sem.acquire();
  std::atomic<bool> finished{false};
  Thread t([&] {
    sem.acquire();
    sem.release();
    finished = true;
  });
  t.start();
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(finished.load());
  sem.release();
  t.join();
  EXPECT_TRUE(finished.load());
}

TYPED_TEST(SemaphoreTypedTest, With) {
  TypeParam sem(2);
  auto with = [&](bool fail) {
    std::scoped_lock g(sem);
    EXPECT_TRUE(sem.acquire(false));
    sem.release();
    std::scoped_lock g2(sem);
    EXPECT_FALSE(sem.acquire(false));
    if (fail) throw std::logic_error("inside");
  };
  with(false);
  EXPECT_TRUE(sem.acquire(false));
  sem.release();
  EXPECT_THROW(with(true), std::logic_error);
  EXPECT_TRUE(sem.acquire(false));
  sem.release();
  std::unique_lock<TypeParam> g(sem, 1ms);
  EXPECT_TRUE(g.owns_lock());
}

TYPED_TEST(SemaphoreTypedTest, ReleaseArgument) {
  TypeParam sem(1);
  try {
    sem.release(0);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "n must be one or more");
  }
}

TEST(SemaphoreTest, ReleaseUnacquired) {
  Semaphore sem(1);
  sem.release();
  sem.acquire();
  sem.acquire();
  sem.release();
  EXPECT_EQ(sem.value(), 1u);
}

TEST(BoundedSemaphoreTest, ReleaseUnacquired) {
  BoundedSemaphore sem;
  try {
    sem.release();
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Semaphore released too many times");
    EXPECT_TRUE(e.is_misuse());
  }
  sem.acquire();
  sem.release();
  EXPECT_THROW(sem.release(), ValueError);
  BoundedSemaphore three(3);
  three.acquire();
  EXPECT_THROW(three.release(2), ValueError);
  EXPECT_EQ(three.value(), 2u);  // a refused release adds nothing
  three.release(1);
  EXPECT_EQ(three.value(), 3u);
}

TYPED_TEST(SemaphoreTypedTest, ChaosStress) {
  runtime::enable_chaos(99);
  TypeParam sem(2);
  std::atomic<int> inside{0};
  std::atomic<bool> too_many{false};
  run_bunch(5, [&] {
    for (int i = 0; i < 150; ++i) {
      if (i % 2 == 0) {
        sem.acquire();
      } else {
        while (!sem.acquire(true, 1ms)) {
        }
      }
      if (inside.fetch_add(1) + 1 > 2) too_many = true;
      inside.fetch_sub(1);
      sem.release();
    }
  });
  runtime::enable_chaos(0);
  EXPECT_FALSE(too_many.load());
  EXPECT_EQ(sem.value(), 2u);
}

}  // namespace
}  // namespace braid
