// Outcome sets under dfs() of programs whose steps are not guarded where a
// blocking step would be: a try-lock (Lock::acquire(false)) can run while the
// lock is held and fail, so a release does not order it the way it orders a
// blocking acquire. The exact outcome sets are derived by hand.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "scenarios/dfs_support.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::testing_support::dfs_options;

template <typename T, typename Body>
std::set<T> outcomes(Body body) {
  return braid::testing_support::dfs_outcomes<T>(body);
}


// Thread a holds the lock for one step; thread b tries it once. b's try runs
// before a's acquire (succeeds), between a's acquire and release (fails:
// "tried while held"), or after a's release (succeeds).
bool try_while_held() {
  braid::Lock lock;
  bool ok = false;
  braid::Thread a([&] {
    lock.acquire();
    lock.release();
  });
  braid::Thread b([&] {
    ok = lock.acquire(false);
    if (ok) lock.release();
  });
  a.start();
  b.start();
  a.join();
  b.join();
  return ok;
}

TEST(DfsTryLock, TryWhileHeldFails) {
  EXPECT_EQ(outcomes<bool>(try_while_held), (std::set<bool>{false, true}));
}

// Two threads each hold the lock once; a third tries it twice. Each try sees
// the lock free or held independently (the holders may come and go between
// the tries), and a successful try holds the lock, so the holders wait for it.
// The outcomes are the pairs of try results: all four.
std::pair<bool, bool> two_tries() {
  braid::Lock lock;
  bool first = false, second = false;
  auto hold = [&] {
    lock.acquire();
    lock.release();
  };
  braid::Thread a(hold), c(hold);
  braid::Thread b([&] {
    first = lock.acquire(false);
    if (first) lock.release();
    second = lock.acquire(false);
    if (second) lock.release();
  });
  a.start();
  c.start();
  b.start();
  a.join();
  c.join();
  b.join();
  return {first, second};
}

TEST(DfsTryLock, EveryPairOfTryResults) {
  EXPECT_EQ((outcomes<std::pair<bool, bool>>(two_tries)),
            (std::set<std::pair<bool, bool>>{{false, false}, {false, true}, {true, false}, {true, true}}));
}

// The main thread tries the lock while a child may hold it, then joins.
std::string main_tries() {
  braid::Lock lock;
  braid::Thread a([&] {
    lock.acquire();
    lock.release();
  });
  a.start();
  const bool ok = lock.acquire(false);
  if (ok) lock.release();
  a.join();
  return ok ? "free" : "held";
}

TEST(DfsTryLock, MainTriesWhileChildHolds) {
  EXPECT_EQ(outcomes<std::string>(main_tries), (std::set<std::string>{"free", "held"}));
}

}  // namespace
