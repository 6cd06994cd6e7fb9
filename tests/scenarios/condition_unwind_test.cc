// A logical thread blocked in Condition::wait when its execution ends early is
// unwound like any other: wait() re-acquires the lock on the way out (Python's
// `finally: self._acquire_restore(...)`), so the RAII guard around it releases
// a held lock, and the waiter leaves the condition's list. These executions
// end in a deadlock or an assertion while a thread waits; the engine must
// report that, run every destructor and not crash (no release of an unheld
// lock thrown from a destructor, no dangling waiter).
#include <gtest/gtest.h>

#include <mutex>

#include "braid/condition.h"
#include "braid/event.h"
#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/rlock.h"
#include "braid/testing.h"
#include "braid/thread.h"

// Locks taken conditionally and held across joins on purpose.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::FailureKind;

braid::Options opts(std::uint64_t executions = 100) {
  braid::Options o;
  o.executions = executions;
  o.apply_environment = false;
  return o;
}

// Counts destructors that ran on the waiter's stack while it unwound.
struct Sentinel {
  int* count;
  ~Sentinel() { ++*count; }
};

// The waiter waits forever (nobody notifies); main then takes the lock and
// joins it while holding it: a deadlock with the waiter inside wait() and the
// lock held by another thread not yet unwound.
template <typename L>
void wait_forever_while_main_holds(int* unwound) {
  L lock;
  braid::Condition cond(lock);
  braid::Event ready;
  braid::Thread waiter([&] {
    Sentinel s{unwound};
    std::unique_lock guard(cond);
    ready.set();
    cond.wait();
  });
  waiter.start();
  ready.wait();
  std::scoped_lock guard(cond);  // free once the waiter is inside wait()
  waiter.join();                 // holds the lock: the waiter can never re-acquire it
}

TEST(ConditionUnwind, WaiterOnRLockUnwindsWhileLockHeldElsewhere) {
  int unwound = 0;
  braid::Report r = braid::explore(opts(), [&] { wait_forever_while_main_holds<braid::RLock>(&unwound); });
  EXPECT_EQ(r.kind, FailureKind::kDeadlock) << r.to_string();
  EXPECT_GT(unwound, 0);
}

TEST(ConditionUnwind, WaiterOnLockUnwindsWhileLockHeldElsewhere) {
  int unwound = 0;
  braid::Report r = braid::explore(opts(), [&] { wait_forever_while_main_holds<braid::Lock>(&unwound); });
  EXPECT_EQ(r.kind, FailureKind::kDeadlock) << r.to_string();
  EXPECT_GT(unwound, 0);
}

// Two waiters, nobody notifies, main joins them without holding the lock:
// the waiters unwind one after the other, each re-acquiring the free lock and
// releasing it through its guard.
TEST(ConditionUnwind, WaitersReacquireAFreeLockOnTheWayOut) {
  int unwound = 0;
  braid::Report r = braid::explore(opts(), [&] {
    braid::Condition cond;
    auto wait = [&] {
      Sentinel s{&unwound};
      std::scoped_lock guard(cond);
      cond.wait();
    };
    braid::Thread a(wait), b(wait);
    a.start();
    b.start();
    a.join();
    b.join();
  });
  EXPECT_EQ(r.kind, FailureKind::kDeadlock) << r.to_string();
  EXPECT_GT(unwound, 0);
}

// An assertion fails in main while a daemon-less waiter is blocked with a
// timeout: the waiter unwinds from its pending wait.
TEST(ConditionUnwind, AssertionWhileAThreadWaits) {
  braid::Report r = braid::explore(opts(), [] {
    braid::Condition cond;
    braid::Thread t([&] {
      std::scoped_lock guard(cond);
      cond.wait(std::chrono::seconds(10));
    });
    t.start();
    BRAID_ASSERT(false, "fails while the waiter may be blocked");
    t.join();
  });
  EXPECT_EQ(r.kind, FailureKind::kAssertion) << r.to_string();
}

}  // namespace
