// Modelled processes at the seam (runtime::spawn_process): tracked variables
// are copied at the fork and never leak between processes, across every
// interleaving; threads inside one process still share them (and race).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/runtime.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "dfs_support.h"

namespace braid {
namespace {

using testing_support::dfs_options;
using testing_support::dfs_outcomes;

// A bare modelled process: a context, a start and a join.
class Child {
 public:
  explicit Child(std::function<void()> body) : ctx_(std::make_shared<runtime::ThreadContext>("Process-1", false)) {
    runtime::spawn_process(ctx_, std::move(body));
  }
  void join() {
    runtime::Model* m = runtime::model();
    const auto done = runtime::Guard::word_equals<runtime::ThreadContext::kFinished>(ctx_->state);
    m->step(runtime::Op::kThreadJoin, ctx_.get(), braid::source_location::current(), done);
    m->sync_acquire(ctx_.get());
  }

 private:
  std::shared_ptr<runtime::ThreadContext> ctx_;
};

TEST(ProcessSpaces, ChildWritesNeverReachTheParent) {
  auto seen = dfs_outcomes<int>([] {
    Shared<int> balance(100);
    Child child([&] { balance.store(balance.load() + 50); });
    child.join();
    return balance.load();
  });
  EXPECT_EQ(seen, (std::set<int>{100}));
}

TEST(ProcessSpaces, ChildSeesTheValueAtTheForkWhateverTheParentWritesLater) {
  std::set<int> child_saw;
  Report r = explore(dfs_options(), [&] {
    Shared<int> x(1);
    Child child([&] { child_saw.insert(x.load()); });
    x.store(2);  // after the fork: never visible to the child
    child.join();
    BRAID_ASSERT(x.load() == 2, "the parent keeps its own write");
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive);
  EXPECT_EQ(child_saw, (std::set<int>{1}));
}

TEST(ProcessSpaces, GrandchildSeesItsParentsValueAtItsFork) {
  std::set<int> seen;
  Report r = explore(dfs_options(), [&] {
    Atomic<int> x(1);
    Child child([&] {
      x.store(10);
      Child grandchild([&] { seen.insert(x.load()); });
      x.fetch_add(5);
      grandchild.join();
      BRAID_ASSERT(x.load() == 15, "the child keeps its own writes");
    });
    child.join();
    BRAID_ASSERT(x.load() == 1, "the parent never sees the child's writes");
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(seen, (std::set<int>{10}));
}

TEST(ProcessSpaces, UnsynchronisedWritesInTwoProcessesAreNotARace) {
  Report r = explore(dfs_options(), [] {
    Shared<int> x(0);
    Child child([&] { x.store(1); });
    x.store(2);
    child.join();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

TEST(ProcessSpaces, ThreadsInsideOneChildProcessStillRace) {
  Report r = explore(dfs_options(), [] {
    Shared<int> x(0);
    Child child([&] {
      Thread t([&] { x.store(1); });
      t.start();
      x.store(2);
      t.join();
    });
    child.join();
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, FailureKind::kDataRace) << r.to_string();
}

TEST(ProcessSpaces, ThreadsInsideOneChildProcessShareItsCopy) {
  auto seen = dfs_outcomes<int>([] {
    Shared<int> x(0);
    Lock lock;
    std::atomic<int> child_total{-1};  // plain memory: the test's window into the child
    Child child([&] {
      Thread t([&] {
        std::scoped_lock g(lock);
        x.store(x.load() + 1);
      });
      t.start();
      {
        std::scoped_lock g(lock);
        x.store(x.load() + 1);
      }
      t.join();
      child_total = x.load();
    });
    child.join();
    return child_total.load() * 100 + x.load();
  });
  EXPECT_EQ(seen, (std::set<int>{200}));
}

TEST(ProcessSpaces, ExplorationStaysSmallWhenProcessesTouchOnlyTheirCopies) {
  Report r = explore(dfs_options(), [] {
    Shared<int> x(0);
    Child a([&] { x.store(1); x.store(2); });
    Child b([&] { x.store(3); x.store(4); });
    x.store(5);
    a.join();
    b.join();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_TRUE(r.exhaustive);
  // Independent copies: only the start/join order matters, not the writes.
  EXPECT_LE(r.executions, 6u) << r.to_string();
}

}  // namespace
}  // namespace braid
