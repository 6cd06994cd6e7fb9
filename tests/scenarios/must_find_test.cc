// The must-find list: each seeded bug is found (with a token that replays to
// the same failure kind) and its fixed twin passes every explored execution.
#include <gtest/gtest.h>

#include <vector>

#include "braid/condition.h"
#include "braid/event.h"
#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/queue.h"
#include "braid/testing.h"
#include "braid/thread.h"
#include "braid/tracked.h"

namespace {

using braid::FailureKind;

braid::Options opts(std::uint64_t executions = 300) {
  braid::Options o;
  o.executions = executions;
  o.apply_environment = false;
  return o;
}

// The tutorial's bank balance: two threads deposit/withdraw 100 times.
void balance(bool locked, bool fresh_lock_each_time) {
  braid::Shared<int> balance{0};
  braid::Lock shared_lock;
  auto change = [&](int amount) {
    for (int i = 0; i < 3; ++i) {
      if (fresh_lock_each_time) {
        braid::Lock lock;  // the tutorial's `with threading.Lock():` bug
        std::scoped_lock g(lock);
        balance = balance + amount;
      } else if (locked) {
        std::scoped_lock g(shared_lock);
        balance = balance + amount;
      } else {
        balance = balance + amount;
      }
    }
  };
  braid::Thread deposit(change, 10);
  braid::Thread withdraw(change, -10);
  deposit.start();
  withdraw.start();
  deposit.join();
  withdraw.join();
  BRAID_ASSERT(balance == 0, "balance is ", balance.load());
}

TEST(MustFind, BalanceWithoutLockIsADataRace) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kDataRace, opts(), [] { balance(false, false); });
  EXPECT_NE(r.message.find("Shared#"), std::string::npos) << r.message;
}

TEST(MustFind, BalanceWithAFreshLockEachIterationIsADataRace) {
  BRAID_EXPECT_FAILURE(kDataRace, opts(), [] { balance(false, true); });
}

TEST(MustFind, BalanceWithOneLockPasses) {
  BRAID_EXPECT_OK(opts(), [] { balance(true, false); });
}

TEST(MustFind, LockAcquiredTwiceByItsOwnerDeadlocks) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kDeadlock, opts(10), [] {
    braid::Lock lock;
    braid::Thread t([&] {
      std::scoped_lock outer(lock);
      std::scoped_lock inner(lock);  // MyThreadLock: a plain Lock is not reentrant
    });
    t.start();
    t.join();
  });
  EXPECT_NE(r.message.find("itself"), std::string::npos) << r.message;
}

TEST(MustFind, RLockAcquiredTwiceByItsOwnerPasses) {
  BRAID_EXPECT_OK(opts(10), [] {
    braid::RLock lock;
    braid::Thread t([&] {
      std::scoped_lock outer(lock);
      std::scoped_lock inner(lock);
    });
    t.start();
    t.join();
  });
}

void two_locks(bool same_order) {
  braid::Lock a, b;
  braid::Thread t1([&] {
    std::scoped_lock ga(a);
    std::scoped_lock gb(b);
  });
  braid::Thread t2([&] {
    if (same_order) {
      std::scoped_lock ga(a);
      std::scoped_lock gb(b);
    } else {
      std::scoped_lock gb(b);
      std::scoped_lock ga(a);
    }
  });
  t1.start();
  t2.start();
  t1.join();
  t2.join();
}

TEST(MustFind, TwoLocksInOppositeOrdersDeadlockWithACycle) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kDeadlock, opts(), [] { two_locks(false); });
  EXPECT_NE(r.message.find("wait-for cycle"), std::string::npos) << r.message;
  EXPECT_LE(r.preemptions, 1u) << r.to_string();
}

TEST(MustFind, TwoLocksInTheSameOrderPass) {
  BRAID_EXPECT_OK(opts(), [] { two_locks(true); });
}

// Lost wake-up: the waiter waits without checking the predicate first; if the
// notifier ran before, the waiter sleeps forever.
void condition_handoff(bool check_predicate) {
  braid::Condition cond;
  braid::Shared<bool> ready{false};
  braid::Thread waiter([&] {
    std::scoped_lock g(cond);
    if (check_predicate) {
      while (!ready) cond.wait();
    } else {
      cond.wait();
    }
  });
  braid::Thread notifier([&] {
    std::scoped_lock g(cond);
    ready = true;
    cond.notify();
  });
  waiter.start();
  notifier.start();
  waiter.join();
  notifier.join();
}

TEST(MustFind, LostWakeUpWithConditionDeadlocks) {
  BRAID_EXPECT_FAILURE(kDeadlock, opts(), [] { condition_handoff(false); });
}

TEST(MustFind, ConditionWithPredicateLoopPasses) {
  BRAID_EXPECT_OK(opts(), [] { condition_handoff(true); });
}

// Event set-then-clear race: a worker signals "done" by set(), then the main
// thread clears it for the next round; a waiter that checks late misses it.
void event_round(bool fixed) {
  braid::Event event;
  braid::Shared<int> seen{0};
  braid::Thread waiter([&] {
    if (fixed) {
      event.wait();
      seen = 1;
    } else if (event.wait(std::chrono::milliseconds(0)) || event.is_set()) {
      seen = 1;
    }
  });
  waiter.start();
  event.set();
  if (!fixed) event.clear();  // the bug: cleared before the waiter observed it
  waiter.join();
  BRAID_ASSERT(seen == 1, "the waiter missed the event");
}

TEST(MustFind, EventSetThenClearRaceIsFound) {
  BRAID_EXPECT_FAILURE(kAssertion, opts(), [] { event_round(false); });
}

TEST(MustFind, EventWaitedForPasses) {
  BRAID_EXPECT_OK(opts(), [] { event_round(true); });
}

// A consumer that expects more items than are produced waits forever.
void producer_consumer(int produced, int consumed) {
  braid::queue::Queue<int> q;
  braid::Thread consumer([&] {
    for (int i = 0; i < consumed; ++i) q.get();
  });
  braid::Thread producer([&] {
    for (int i = 0; i < produced; ++i) q.put(i);
  });
  consumer.start();
  producer.start();
  producer.join();
  consumer.join();
}

TEST(MustFind, QueueConsumerWaitingForeverDeadlocks) {
  braid::Report r =
      braid::testing::expect_failure(FailureKind::kDeadlock, opts(20), [] { producer_consumer(2, 3); });
  EXPECT_NE(r.message.find("queue.get"), std::string::npos) << r.message;
}

TEST(MustFind, QueueBalancedPasses) {
  BRAID_EXPECT_OK(opts(), [] { producer_consumer(3, 3); });
}

// Livelock: a thread spins until a flag is set; in the bug nobody sets it.
void spin_until_flag(bool fixed) {
  braid::Atomic<int> flag{0};
  braid::Thread spinner([&] {
    while (flag.load() == 0) {
    }
  });
  spinner.start();
  braid::Thread t([&] { flag.store(fixed ? 1 : 0); });
  t.start();
  t.join();
  spinner.join();
}

TEST(MustFind, LivelockHitsTheStepLimit) {
  braid::Options o = opts(200);
  o.max_steps = 2000;
  o.strategy = braid::Strategy::pct(2);
  BRAID_EXPECT_FAILURE(kStepLimit, o, [] { spin_until_flag(false); });
}

TEST(MustFind, SpinnerWhoseFlagIsSetPasses) {
  braid::Options o = opts(200);
  o.max_steps = 2000;
  BRAID_EXPECT_OK(o, [] { spin_until_flag(true); });
}

}  // namespace
