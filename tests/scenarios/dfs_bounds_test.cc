// Bounded exhaustive search: a bug that needs two preemptions is not found
// with a preemption bound of one, is found with two, and iterative deepening
// reports exactly two.
#include <gtest/gtest.h>

#include "braid/errors.h"
#include "braid/explore.h"
#include "braid/thread.h"
#include "braid/tracked.h"

namespace {

braid::Options opts(braid::Strategy s) {
  braid::Options o;
  o.strategy = s;
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  return o;
}

// Fails only when T2's first load falls between T1's two stores and its
// second load after them: T1 must be preempted, then T2 preempted.
void two_preemption_bug() {
  braid::Atomic<int> s{0};
  int r1 = -1, r2 = -1;
  braid::Thread t1([&] {
    s.store(1);
    s.store(0);
  });
  braid::Thread t2([&] {
    r1 = s.load();
    r2 = s.load();
  });
  t1.start();
  t2.start();
  t1.join();
  t2.join();
  BRAID_ASSERT(!(r1 == 1 && r2 == 0), "saw the intermediate value");
}

TEST(DfsBounds, PreemptionBoundOneMissesATwoPreemptionBug) {
  braid::Report r = braid::explore(opts(braid::Strategy::dfs_preemption_bound(1)), two_preemption_bug);
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive);
  ASSERT_TRUE(r.bound.has_value());
  EXPECT_EQ(*r.bound, 1u);
  EXPECT_NE(r.summary.find("preemption bound 1 complete"), std::string::npos) << r.summary;
}

TEST(DfsBounds, PreemptionBoundTwoFindsIt) {
  braid::Report r = braid::explore(opts(braid::Strategy::dfs_preemption_bound(2)), two_preemption_bug);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, braid::FailureKind::kAssertion);
  EXPECT_EQ(r.preemptions, 2u) << r.to_string();
}

TEST(DfsBounds, IterativePreemptionReportsTheSmallestBound) {
  braid::Report r = braid::explore(opts(braid::Strategy::dfs_iterative_preemption()), two_preemption_bug);
  ASSERT_FALSE(r.ok);
  ASSERT_TRUE(r.bound.has_value());
  EXPECT_EQ(*r.bound, 2u) << r.to_string();
  EXPECT_NE(r.to_string().find("failure at preemption bound 2 (bounds 0..1 complete without failure)"),
            std::string::npos)
      << r.to_string();
  // The token replays to the same failure.
  braid::Report again = braid::replay(r.token, two_preemption_bug);
  EXPECT_EQ(again.kind, braid::FailureKind::kAssertion);
}

TEST(DfsBounds, IterativeDelayReportsABoundThatIsSmallest) {
  braid::Report r = braid::explore(opts(braid::Strategy::dfs_iterative_delay()), two_preemption_bug);
  ASSERT_FALSE(r.ok);
  ASSERT_TRUE(r.bound.has_value());
  ASSERT_GE(*r.bound, 1u);
  braid::Report below = braid::explore(opts(braid::Strategy::dfs_delay_bound(*r.bound - 1)), two_preemption_bug);
  EXPECT_TRUE(below.ok) << below.to_string();
  EXPECT_TRUE(below.exhaustive);
}

TEST(DfsBounds, IterativeStopsWhenTheBoundCutsNothing) {
  braid::Report r = braid::explore(opts(braid::Strategy::dfs_iterative_preemption(50)), [] {
    braid::Atomic<int> x{0};
    braid::Thread t([&] { x.store(1); });
    t.start();
    t.join();
  });
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive);
  ASSERT_TRUE(r.bound.has_value());
  EXPECT_LT(*r.bound, 50u);
  EXPECT_NE(r.summary.find("every interleaving"), std::string::npos) << r.summary;
}

TEST(DfsBounds, EnvironmentSelectsDfs) {
  setenv("BRAID_STRATEGY", "dfs:pb=2", 1);
  setenv("BRAID_SHARD", "1/3", 1);
  braid::Options o = braid::Options{}.with_environment();
  unsetenv("BRAID_STRATEGY");
  unsetenv("BRAID_SHARD");
  EXPECT_EQ(o.strategy.kind, braid::Strategy::Kind::kDfs);
  EXPECT_EQ(o.strategy.bound, braid::Strategy::Bound::kPreemption);
  EXPECT_EQ(o.strategy.bound_value, 2u);
  EXPECT_EQ(o.shard.index, 1u);
  EXPECT_EQ(o.shard.count, 3u);
  setenv("BRAID_SHARD", "3/3", 1);
  EXPECT_THROW(braid::Options{}.with_environment(), braid::ValueError);
  setenv("BRAID_SHARD", "x", 1);
  EXPECT_THROW(braid::Options{}.with_environment(), braid::ValueError);
  unsetenv("BRAID_SHARD");
  setenv("BRAID_STRATEGY", "dfs:zz=1", 1);
  EXPECT_THROW(braid::Options{}.with_environment(), braid::ValueError);
  setenv("BRAID_STRATEGY", "dfs:ipb", 1);
  EXPECT_TRUE(braid::Options{}.with_environment().strategy.iterative);
  unsetenv("BRAID_STRATEGY");
}

}  // namespace
