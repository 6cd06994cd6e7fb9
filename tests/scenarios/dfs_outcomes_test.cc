// Outcome sets under dfs(): the exact set of final states of tiny programs
// equals the hand-derived set, and every detector fires on its seeded bug.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "braid/condition.h"
#include "braid/errors.h"
#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/testing.h"
#include "braid/thread.h"
#include "braid/tracked.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

braid::Options dfs(bool spurious = false) {
  braid::Options o;
  o.strategy = braid::Strategy::dfs();
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  o.spurious_wakeups = spurious;
  return o;
}

template <typename T, typename Body>
std::set<T> outcomes(Body body, bool spurious = false) {
  std::set<T> seen;
  braid::Report r = braid::explore(dfs(spurious), [&] { seen.insert(body()); });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive) << r.to_string();
  return seen;
}

int two_increments(bool locked) {
  braid::Atomic<int> x{0};
  braid::Lock lock;
  auto inc = [&] {
    if (locked) lock.acquire();
    int v = x.load();
    x.store(v + 1);
    if (locked) lock.release();
  };
  braid::Thread a(inc), b(inc);
  a.start();
  b.start();
  a.join();
  b.join();
  return x.load();
}

TEST(DfsOutcomes, UnlockedIncrementsGiveOneOrTwo) {
  EXPECT_EQ(outcomes<int>([] { return two_increments(false); }), (std::set<int>{1, 2}));
}

TEST(DfsOutcomes, LockedIncrementsGiveTwo) {
  EXPECT_EQ(outcomes<int>([] { return two_increments(true); }), (std::set<int>{2}));
}

TEST(DfsOutcomes, StoreBufferingWithSeqCstAtomics) {
  auto sb = [] {
    braid::Atomic<int> x{0}, y{0};
    int r1 = -1, r2 = -1;
    braid::Thread a([&] { x.store(1); r1 = y.load(); });
    braid::Thread b([&] { y.store(1); r2 = x.load(); });
    a.start();
    b.start();
    a.join();
    b.join();
    return std::pair(r1, r2);
  };
  EXPECT_EQ((outcomes<std::pair<int, int>>(sb)), (std::set<std::pair<int, int>>{{0, 1}, {1, 0}, {1, 1}}));
}

// The waiter checks the flag once under the condition's lock and waits once
// if it is not set: it sees the flag set, unless it wakes spuriously.
int condition_once() {
  braid::Condition c;
  braid::Shared<int> flag{0};
  int seen = -1;
  braid::Thread waiter([&] {
    c.acquire();
    if (flag.load() == 0) c.wait();
    seen = flag.load();
    c.release();
  });
  braid::Thread setter([&] {
    c.acquire();
    flag.store(1);
    c.notify();
    c.release();
  });
  waiter.start();
  setter.start();
  waiter.join();
  setter.join();
  return seen;
}

TEST(DfsOutcomes, ConditionWithoutSpuriousWakeups) {
  EXPECT_EQ(outcomes<int>(condition_once, false), (std::set<int>{1}));
}

TEST(DfsOutcomes, ConditionWithSpuriousWakeups) {
  EXPECT_EQ(outcomes<int>(condition_once, true), (std::set<int>{0, 1}));
}

// -- Every detector fires under dfs() ------------------------------------------

using braid::FailureKind;

TEST(DfsDetectors, Assertion) {
  braid::testing::expect_failure(FailureKind::kAssertion, dfs(), [] { BRAID_ASSERT(two_increments(false) == 2); });
}

TEST(DfsDetectors, UncaughtException) {
  braid::testing::expect_failure(FailureKind::kUncaughtException, dfs(), [] {
    braid::Thread t([] { throw braid::ValueError("bad value"); });
    t.start();
    t.join();
  });
}

TEST(DfsDetectors, DeadlockOnOppositeLockOrders) {
  braid::testing::expect_failure(FailureKind::kDeadlock, dfs(), [] {
    braid::Lock a, b;
    braid::Thread t([&] {
      b.acquire();
      a.acquire();
      a.release();
      b.release();
    });
    t.start();
    a.acquire();
    b.acquire();
    b.release();
    a.release();
    t.join();
  });
}

TEST(DfsDetectors, Misuse) {
  braid::testing::expect_failure(FailureKind::kMisuse, dfs(), [] {
    braid::Lock lock;
    braid::Thread t([&] {
      lock.acquire();
      lock.release();
      lock.release();
    });
    t.start();
    t.join();
  });
}

TEST(DfsDetectors, DataRace) {
  braid::testing::expect_failure(FailureKind::kDataRace, dfs(), [] {
    braid::Shared<int> x{0};
    braid::Thread t([&] { x.store(x.load() + 1); });
    t.start();
    x.store(x.load() + 1);
    t.join();
  });
}

TEST(DfsDetectors, StepLimit) {
  braid::Options o = dfs();
  o.max_steps = 200;
  braid::testing::expect_failure(FailureKind::kStepLimit, o, [] {
    braid::Atomic<int> stop{0};
    braid::Thread t([&] {
      while (stop.load() == 0) {
      }
    });
    t.start();
    t.join();
    stop.store(1);
  });
}

TEST(DfsDetectors, FixedTwinsPass) {
  BRAID_EXPECT_OK(dfs(), [] { BRAID_ASSERT(two_increments(true) == 2); });
}

}  // namespace
