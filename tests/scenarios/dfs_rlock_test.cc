// dfs() over reentrant locks: a thread that already holds an RLock re-acquires
// it without blocking, so the orders to explore are the orders in which the
// threads first take the lock from free. Also the tutorial's MyThreadRLock.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "blog/scenario.h"
#include "braid/explore.h"
#include "braid/rlock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "scenarios/dfs_support.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::testing_support::dfs_options;

// t threads, each n times {acquire; acquire; counter += 1; release; release}.
void nested(int t, int n) {
  braid::RLock lock;
  braid::Shared<int> counter{0};
  std::vector<std::unique_ptr<braid::Thread>> threads;
  for (int i = 0; i < t; ++i) {
    threads.push_back(std::make_unique<braid::Thread>([&] {
      for (int k = 0; k < n; ++k) {
        lock.acquire();
        lock.acquire();
        counter.store(counter.load() + 1);
        lock.release();
        lock.release();
      }
    }));
  }
  for (auto& th : threads) th->start();
  for (auto& th : threads) th->join();
  BRAID_ASSERT(counter.load() == t * n, "counter is ", counter.load());
}

TEST(DfsRLock, ThreeThreadsOnceEachExploreEveryOrder) {
  braid::Report r = braid::explore(dfs_options(), [] { nested(3, 1); });
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(r.executions, 6u);  // 3! orders of taking the lock
}

TEST(DfsRLock, TwoThreadsTwiceEachExploreEveryOrder) {
  braid::Report r = braid::explore(dfs_options(), [] { nested(2, 2); });
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(r.executions, 6u);  // C(4, 2) orders of the four critical sections
}

TEST(DfsRLock, MyThreadRLockExploresEveryOrder) {
  const braid::blog::Scenario* s = braid::blog::find("my-thread-rlock");
  ASSERT_NE(s, nullptr);
  braid::Report r = braid::explore(dfs_options(), s->body);
  ASSERT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(r.executions, 6u);
}

}  // namespace
