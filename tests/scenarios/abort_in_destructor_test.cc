// An execution that ends (a failure, a step limit, a dfs shard or sleep set
// abandoning it) while a logical thread is at a release inside a destructor
// (std::scoped_lock's) must not throw through that noexcept destructor: the
// thread goes on to its next step and unwinds there.
#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "dfs_support.h"

namespace braid {
namespace {

using testing_support::dfs_options;

// Two threads, each twice: { std::scoped_lock g(lock); x = x + 1; }.
void scoped_counter() {
  Shared<int> x{0};
  Lock lock;
  auto work = [&] {
    for (int i = 0; i < 2; ++i) {
      std::scoped_lock g(lock);
      x.store(x.load() + 1);
    }
  };
  Thread t1(work), t2(work);
  t1.start();
  t2.start();
  t1.join();
  t2.join();
  BRAID_ASSERT(x.load() == 4, "x is ", x.load());
}

TEST(AbortInDestructor, DfsShardsAbandonAtScopedLockReleases) {
  const Report whole = explore(dfs_options(), scoped_counter);
  ASSERT_TRUE(whole.ok) << whole.to_string();
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < 4; ++i) {
    Options o = dfs_options();
    o.shard = {i, 4};
    const Report part = explore(o, scoped_counter);
    EXPECT_TRUE(part.ok) << "shard " << i << ": " << part.to_string();
    sum += part.executions;
  }
  EXPECT_EQ(sum, whole.executions);
}

TEST(AbortInDestructor, FailureWhileAnotherThreadIsInAScopedLockRelease) {
  Report r = explore(dfs_options(), [] {
    Shared<int> x{0};
    Lock lock;
    Thread t1([&] {
      for (int i = 0; i < 3; ++i) {
        std::scoped_lock g(lock);
        x.store(i);
      }
    });
    Thread t2([&] {
      std::scoped_lock g(lock);
      BRAID_ASSERT(x.load() != 1, "t2 saw x == 1");
    });
    t1.start();
    t2.start();
    t1.join();
    t2.join();
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, FailureKind::kAssertion) << r.to_string();
}

TEST(AbortInDestructor, StepLimitReachedAtAScopedLockRelease) {
  Options o = dfs_options();
  o.max_steps = 41;  // odd: the limit falls on acquire and release steps in turn across executions
  Report r = explore(o, [] {
    Lock lock;
    for (;;) {
      std::scoped_lock g(lock);
    }
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, FailureKind::kStepLimit) << r.to_string();
  o.max_steps = 40;
  r = explore(o, [] {
    Lock lock;
    for (;;) {
      std::scoped_lock g(lock);
    }
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, FailureKind::kStepLimit) << r.to_string();
}

}  // namespace
}  // namespace braid
