// Tests for braid::Condition: CPython's lock_tests.ConditionTests on real
// threads, exact notify counts, std adaptors, and a chaos stress run.
#include "braid/condition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
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

TEST(ConditionTest, Acquire) {
  Condition cond;  // an RLock by default: acquirable twice
  cond.acquire();
  cond.acquire();
  cond.release();
  cond.release();
  Lock lock;
  Condition over_lock(lock);
  over_lock.acquire();
  EXPECT_FALSE(lock.acquire(false));
  over_lock.release();
  EXPECT_TRUE(lock.acquire(false));
  EXPECT_FALSE(over_lock.acquire(false));
  lock.release();
  {
    std::scoped_lock g(over_lock);
    EXPECT_FALSE(lock.acquire(false));
  }
  EXPECT_FALSE(lock.locked());
}

TEST(ConditionTest, UnacquiredWaitAndNotify) {
  Condition cond;
  try {
    cond.wait();
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "cannot wait on un-acquired lock");
    EXPECT_TRUE(e.is_misuse());
  }
  try {
    cond.notify();
    FAIL() << "expected RuntimeError";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "cannot notify on un-acquired lock");
  }
  EXPECT_THROW(cond.notify_all(), RuntimeError);
}

TEST(ConditionTest, OwnershipOverRLockIsPerThread) {
  RLock rlock;
  Condition cond(rlock);
  std::atomic<bool> held{false}, done{false};
  Thread t([&] {
    rlock.acquire();
    held = true;
    while (!done.load()) std::this_thread::yield();
    rlock.release();
  });
  t.start();
  while (!held.load()) std::this_thread::yield();
  EXPECT_THROW(cond.notify(), RuntimeError);  // held, but not by us
  done = true;
  t.join();
}

TEST(ConditionTest, OwnershipOverLockIsAnyHolder) {
  // CPython: for a Lock, "acquire(False) fails" counts as owned.
  Lock lock;
  Condition cond(lock);
  lock.acquire();
  bool threw = false;
  run_bunch(1, [&] {
    try {
      cond.notify();
    } catch (const RuntimeError&) {
      threw = true;
    }
  });
  EXPECT_FALSE(threw);
  lock.release();
}

// CPython's _check_notify: notify(3) wakes exactly 3, notify(5) the rest and
// some second-round waiters, notify_all everyone.
void check_notify(Condition& cond) {
  constexpr int kN = 5;
  std::atomic<int> ready{0};
  std::atomic<int> phase{0};
  std::vector<std::pair<bool, int>> results1, results2;
  std::mutex results_mu;
  std::vector<Thread> threads;
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&] {
      cond.acquire();
      ready.fetch_add(1);
      bool r = cond.wait();
      cond.release();
      {
        std::scoped_lock g(results_mu);
        results1.emplace_back(r, phase.load());
      }
      cond.acquire();
      ready.fetch_add(1);
      r = cond.wait();
      cond.release();
      std::scoped_lock g(results_mu);
      results2.emplace_back(r, phase.load());
    });
  }
  for (auto& t : threads) t.start();
  auto wait_until = [&](const std::function<bool()>& pred) {
    while (true) {
      {
        std::scoped_lock g(results_mu);
        if (pred()) return;
      }
      std::this_thread::sleep_for(1ms);
    }
  };
  // All are in wait() once `ready` reaches kN and we can take the lock.
  while (ready.load() < kN) std::this_thread::sleep_for(1ms);
  ready = 0;
  cond.acquire();
  cond.notify(3);
  phase = 1;
  cond.release();
  wait_until([&] { return results1.size() >= 3; });
  std::this_thread::sleep_for(20ms);  // a 4th wake-up would show up here
  {
    std::scoped_lock g(results_mu);
    EXPECT_EQ(results1, (std::vector<std::pair<bool, int>>(3, {true, 1})));
    EXPECT_TRUE(results2.empty());
  }
  while (ready.load() < 3) std::this_thread::sleep_for(1ms);
  cond.acquire();
  cond.notify(5);  // FIFO: the 2 first-round waiters, then 3 second-round
  phase = 2;
  cond.release();
  wait_until([&] { return results1.size() + results2.size() >= 8; });
  {
    std::scoped_lock g(results_mu);
    std::vector<std::pair<bool, int>> expected1(3, {true, 1});
    expected1.insert(expected1.end(), 2, {true, 2});
    EXPECT_EQ(results1, expected1);
    EXPECT_EQ(results2, (std::vector<std::pair<bool, int>>(3, {true, 2})));
  }
  while (ready.load() < kN) std::this_thread::sleep_for(1ms);
  cond.acquire();
  cond.notify_all();
  phase = 3;
  cond.release();
  for (auto& t : threads) t.join();
  std::vector<std::pair<bool, int>> expected2(3, {true, 2});
  expected2.insert(expected2.end(), 2, {true, 3});
  EXPECT_EQ(results2, expected2);
}

TEST(ConditionTest, Notify) {
  Condition cond;
  check_notify(cond);
  check_notify(cond);  // internal state still fine
}

TEST(ConditionTest, NotifyOverLock) {
  Lock lock;
  Condition cond(lock);
  check_notify(cond);
}

TEST(ConditionTest, Timeout) {
  Condition cond;
  std::atomic<int> false_results{0};
  run_bunch(5, [&] {
    cond.acquire();
    if (!cond.wait(20ms)) false_results.fetch_add(1);
    cond.release();
  });
  EXPECT_EQ(false_results.load(), 5);
  cond.acquire();
  EXPECT_FALSE(cond.wait(0ns));
  EXPECT_FALSE(cond.wait(-1s));  // Python: a negative timeout does not block
  cond.release();
}

TEST(ConditionTest, WaitRestoresRecursionLevel) {
  RLock rlock;
  Condition cond(rlock);
  rlock.acquire();
  rlock.acquire();
  rlock.acquire();
  EXPECT_FALSE(cond.wait(1ms));
  EXPECT_EQ(rlock.recursion_count(), 3u);
  // While waiting, the lock is fully released: another thread can take it.
  bool other_got_it = false;
  Thread t([&] {
    rlock.acquire();
    other_got_it = true;
    cond.notify();
    rlock.release();
  });
  t.start();
  EXPECT_TRUE(cond.wait());
  EXPECT_TRUE(other_got_it);
  EXPECT_EQ(rlock.recursion_count(), 3u);
  t.join();
  rlock.release();
  rlock.release();
  rlock.release();
}

TEST(ConditionTest, WaitFor) {
  Condition cond;
  int state = 0;
  Thread t([&] {
    std::scoped_lock g(cond);
    bool result = cond.wait_for([&] { return state == 4; });
    EXPECT_TRUE(result);
    EXPECT_EQ(state, 4);
  });
  t.start();
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(2ms);
    std::scoped_lock g(cond);
    ++state;
    cond.notify();
  }
  t.join();
}

TEST(ConditionTest, WaitForTimeout) {
  Condition cond;
  int state = 0;
  bool result = true;
  Thread t([&] {
    std::scoped_lock g(cond);
    result = cond.wait_for([&] { return state == 4; }, 30ms);
  });
  t.start();
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(2ms);
    std::scoped_lock g(cond);
    ++state;
    cond.notify();
  }
  t.join();
  EXPECT_FALSE(result);
  std::scoped_lock g(cond);
  EXPECT_EQ(cond.wait_for([] { return 7; }, 0ns), 7);  // returns the predicate's value
}

TEST(ConditionTest, NotifyWithoutWaitersIsNoop) {
  Condition cond;
  std::scoped_lock g(cond);
  cond.notify(10);
  cond.notify_all();
  EXPECT_FALSE(cond.wait(0ns));
}

TEST(ConditionTest, ProducerConsumerChaosStress) {
  runtime::enable_chaos(4242);
  Condition cond;
  std::vector<int> items;
  long consumed = 0;
  constexpr int kProducers = 2, kPerProducer = 150;
  std::vector<Thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) {
        std::scoped_lock g(cond);
        items.push_back(i);
        cond.notify();
      }
    });
  }
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerProducer; ++i) {
        std::scoped_lock g(cond);
        cond.wait_for([&] { return !items.empty(); });
        items.pop_back();
        ++consumed;
      }
    });
  }
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();
  runtime::enable_chaos(0);
  EXPECT_EQ(consumed, kProducers * kPerProducer);
  EXPECT_TRUE(items.empty());
}

}  // namespace
}  // namespace braid
