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
#include "scenarios/dfs_support.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::testing_support::dfs_options;
using braid::testing_support::two_increments;

template <typename T, typename Body>
std::set<T> outcomes(Body body, bool spurious = false) {
  return braid::testing_support::dfs_outcomes<T>(body, spurious);
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
  braid::testing::expect_failure(FailureKind::kAssertion, dfs_options(), [] { BRAID_ASSERT(two_increments(false) == 2); });
}

TEST(DfsDetectors, UncaughtException) {
  braid::testing::expect_failure(FailureKind::kUncaughtException, dfs_options(), [] {
    braid::Thread t([] { throw braid::ValueError("bad value"); });
    t.start();
    t.join();
  });
}

TEST(DfsDetectors, DeadlockOnOppositeLockOrders) {
  braid::testing::expect_failure(FailureKind::kDeadlock, dfs_options(), [] {
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
  braid::testing::expect_failure(FailureKind::kMisuse, dfs_options(), [] {
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
  braid::testing::expect_failure(FailureKind::kDataRace, dfs_options(), [] {
    braid::Shared<int> x{0};
    braid::Thread t([&] { x.store(x.load() + 1); });
    t.start();
    x.store(x.load() + 1);
    t.join();
  });
}

TEST(DfsDetectors, StepLimit) {
  braid::Options o = dfs_options();
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
  BRAID_EXPECT_OK(dfs_options(), [] { BRAID_ASSERT(two_increments(true) == 2); });
}

}  // namespace
