// The counts table of exhaustive exploration: dfs() runs exactly one
// execution per distinct lock-acquisition order of S1(t x n), and one per
// distinct read-from/write order of the lock-free S2(2 x 2).
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "programs/counters.h"
#include "scenarios/dfs_support.h"

// Locks are taken and released inside lambdas run as logical threads: clang's
// static thread-safety analysis cannot follow them.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::testing_support::dfs_options;

// S1 and S2 are braid::programs::locked_counter and racy_atomic_counter.
void s1(int t, int n) { braid::programs::locked_counter(t, n); }
void s2(int t, int n) { braid::programs::racy_atomic_counter(t, n); }

std::uint64_t factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }

// Lock-acquisition orders of t threads taking the lock n times each: the
// multinomial (t*n)! / (n!)^t.
std::uint64_t orders(int t, int n) {
  std::uint64_t r = factorial(t * n);
  for (int i = 0; i < t; ++i) r /= factorial(n);
  return r;
}

struct Case {
  int t, n;
  std::uint64_t expected;
};

class DfsCounts : public ::testing::TestWithParam<Case> {};

TEST_P(DfsCounts, S1ExploresEveryLockOrderOnce) {
  const Case c = GetParam();
  ASSERT_EQ(orders(c.t, c.n), c.expected);
  braid::Report r = braid::explore(dfs_options(), [&] { s1(c.t, c.n); });
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive);
  EXPECT_EQ(r.executions, c.expected) << r.to_string();
  EXPECT_EQ(r.sleep_blocked, 0u) << r.to_string();
  EXPECT_NE(r.to_string().find("explored all " + std::to_string(c.expected) + " interleavings (" +
                               std::to_string(r.sleep_blocked) + " sleep-set blocked): no failure"),
            std::string::npos)
      << r.to_string();
}

INSTANTIATE_TEST_SUITE_P(Table, DfsCounts,
                         ::testing::Values(Case{2, 3, 20}, Case{3, 2, 90}, Case{3, 3, 1680}, Case{4, 2, 2520}),
                         [](const auto& info) {
                           return "S1_" + std::to_string(info.param.t) + "x" + std::to_string(info.param.n);
                         });

TEST(DfsCounts, S2FailsWithinTheFirstExecutions) {
  for (auto [t, n] : {std::pair{2, 2}, std::pair{3, 2}, std::pair{2, 3}}) {
    braid::Options o = dfs_options();
    o.shrink = false;
    braid::Report r = braid::explore(o, [&, t = t, n = n] { s2(t, n); });  // clang 14: no capture of structured bindings
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.kind, braid::FailureKind::kAssertion) << r.to_string();
    EXPECT_LE(r.executions, 3u) << t << "x" << n;
  }
}

// S2(2 x 2): threads A and B each do {load; store} twice on one atomic. Two
// steps are dependent unless both are loads, so an execution is fixed by
// the order of the four stores plus, for each load, which stores precede it
// (its read-from). Derivation: every interleaving of A = a1 a2 a3 a4 and
// B = b1 b2 b3 b4 (loads odd, stores even) is C(8,4) = 70 sequences; two
// sequences are equivalent iff they differ only by swapping adjacent loads
// of different threads. Count the classes by brute force here: enumerate the
// 70 sequences and canonicalize each by the (store order, per-load
// read-from) it induces.
std::uint64_t s2_classes() {
  std::set<std::vector<int>> classes;
  for (int mask = 0; mask < 256; ++mask) {
    if (__builtin_popcount(mask) != 4) continue;
    int a = 0, b = 0, last_store = -1;
    std::vector<int> signature;  // per step, in each thread's order: loads record the last store seen
    std::vector<int> sa, sb;
    for (int i = 0; i < 8; ++i) {
      const bool is_a = (mask >> i) & 1;
      int& k = is_a ? a : b;
      const int id = (is_a ? 0 : 10) + k;
      if (k % 2 == 0) (is_a ? sa : sb).push_back(last_store);  // a load: what it reads
      else last_store = id, (is_a ? sa : sb).push_back(-2 - static_cast<int>(signature.size())), signature.push_back(id);
      ++k;
    }
    std::vector<int> key = signature;  // the store order
    key.push_back(-100);
    for (int i = 0; i < 4; ++i) {
      if (i % 2 == 0) key.push_back(sa[i]), key.push_back(sb[i]);
    }
    classes.insert(key);
  }
  return classes.size();
}

TEST(DfsCounts, S2ExhaustiveCountIsReadFromWriteOrders) {
  const std::uint64_t expected = s2_classes();
  braid::Options o = dfs_options();
  o.stop_on_failure = false;
  o.shrink = false;
  braid::Report r = braid::explore(o, [&] { s2(2, 2); });
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.executions, expected) << r.to_string();
}

}  // namespace
