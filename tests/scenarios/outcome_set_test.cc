// Outcome-set tests: tiny programs whose set of possible final states is
// derived by hand; enough random (and PCT) executions reach all of it, and
// nothing outside it.
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "scenarios/dfs_support.h"

// These tests take and release locks conditionally, or misuse them on purpose
// (the detectors must see it): clang's static thread-safety analysis is off here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::testing_support::two_increments;

using namespace std::chrono_literals;

template <typename T, typename Body>
std::set<T> outcomes(Body body, braid::Strategy strategy = braid::Strategy::random(), std::uint64_t n = 400) {
  std::set<T> seen;
  braid::Options o;
  o.executions = n;
  o.apply_environment = false;
  o.strategy = strategy;
  braid::Report r = braid::explore(o, [&] { seen.insert(body()); });
  EXPECT_TRUE(r.ok) << r.to_string();
  return seen;
}

TEST(OutcomeSet, UnlockedIncrementsGiveOneOrTwo) {
  EXPECT_EQ(outcomes<int>([] { return two_increments(false); }), (std::set<int>{1, 2}));
  EXPECT_EQ(outcomes<int>([] { return two_increments(false); }, braid::Strategy::pct(2)), (std::set<int>{1, 2}));
}

TEST(OutcomeSet, LockedIncrementsGiveTwo) {
  EXPECT_EQ(outcomes<int>([] { return two_increments(true); }), (std::set<int>{2}));
}

// Store buffering under sequentially consistent atomics: (0, 0) is impossible.
TEST(OutcomeSet, StoreBufferingWithSeqCstAtomics) {
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

// Message passing through a lock-protected flag: the reader sees the data
// whenever it sees the flag.
TEST(OutcomeSet, MessagePassing) {
  auto mp = [] {
    braid::Atomic<int> data{0}, flag{0};
    int seen_flag = -1, seen_data = -1;
    braid::Thread w([&] { data.store(42); flag.store(1); });
    braid::Thread r([&] { seen_flag = flag.load(); seen_data = data.load(); });
    w.start();
    r.start();
    w.join();
    r.join();
    return std::pair(seen_flag, seen_data);
  };
  EXPECT_EQ((outcomes<std::pair<int, int>>(mp)), (std::set<std::pair<int, int>>{{0, 0}, {0, 42}, {1, 42}}));
}

// A timed acquire of a lock another thread holds for a while: both the
// timeout and the acquisition are possible.
TEST(OutcomeSet, TimeoutVersusRelease) {
  auto timed = [] {
    braid::Lock lock;
    lock.acquire();
    bool got = false;
    braid::Thread t([&] {
      got = lock.acquire(true, 10ms);
      if (got) lock.release();
    });
    t.start();
    braid::sleep(1ms);  // the release may come before or after the 10 ms
    lock.release();
    t.join();
    return got;
  };
  EXPECT_EQ(outcomes<bool>(timed), (std::set<bool>{true, false}));
}

// Data choices made through the model are explored too.
TEST(OutcomeSet, ModelChoiceCoversItsRange) {
  EXPECT_EQ(outcomes<std::uint64_t>([] { return braid::runtime::model()->choose(3); }),
            (std::set<std::uint64_t>{0, 1, 2}));
}

}  // namespace
