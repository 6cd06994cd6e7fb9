// tests/scenarios/dfs_support.h
// Helpers shared by the scenario tests: the options of an exhaustive run, the
// set of outcomes a program reaches under dfs(), and the two-increment program
// the outcome-set tests use.
#ifndef BRAID_TESTS_SCENARIOS_DFS_SUPPORT_H_
#define BRAID_TESTS_SCENARIOS_DFS_SUPPORT_H_

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"

namespace braid::testing_support {

// dfs() with no time budget and no environment overrides.
inline Options dfs_options(bool spurious = false) {
  Options o;
  o.strategy = Strategy::dfs();
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  o.spurious_wakeups = spurious;
  return o;
}

// Explores `body` exhaustively and returns the set of values it returned; the
// exploration must pass and be complete.
template <typename T, typename Body>
std::set<T> dfs_outcomes(Body body, bool spurious = false) {
  std::set<T> seen;
  Report r = explore(dfs_options(spurious), [&] { seen.insert(body()); });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive) << r.to_string();
  return seen;
}

// The lock is taken conditionally, which clang's thread-safety analysis cannot follow.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif
// Two threads each load an Atomic<int> and store it + 1, under a Lock or not;
// returns the final value (1 or 2 unlocked, 2 locked).
inline int two_increments(bool locked) {
  Atomic<int> x{0};
  Lock lock;
  auto inc = [&] {
    if (locked) lock.acquire();
    int v = x.load();
    x.store(v + 1);
    if (locked) lock.release();
  };
  Thread a(inc), b(inc);
  a.start();
  b.start();
  a.join();
  b.join();
  return x.load();
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

}  // namespace braid::testing_support

#endif  // BRAID_TESTS_SCENARIOS_DFS_SUPPORT_H_
