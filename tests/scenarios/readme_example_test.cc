// The README's "Exploring interleavings" example, as written there, and its
// seeded-bug twin without the lock.
#include <gtest/gtest.h>

#include <mutex>

#include "braid/testing.h"
#include "braid/threading.h"
#include "braid/tracked.h"

namespace {

void bank(bool locked) {
  braid::Shared<int> balance{0};
  braid::Lock lock;
  auto change = [&](int n) {
    for (int i = 0; i < 3; ++i) {
      std::unique_lock guard(lock, std::defer_lock);
      if (locked) guard.lock();
      balance.store(balance.load() + n);
      balance.store(balance.load() - n);
    }
  };
  braid::Thread t1(change, 5), t2(change, 8);
  t1.start();
  t2.start();
  t1.join();
  t2.join();
  BRAID_ASSERT(balance == 0, "balance is ", balance.load());
}

TEST(Bank, BalanceStaysZero) { BRAID_EXPECT_OK(braid::Options{}, [] { bank(true); }); }

TEST(Bank, WithoutTheLockTheRaceIsReported) {
  braid::Report r = braid::testing::expect_failure(braid::FailureKind::kDataRace, braid::Options{},
                                                   [] { bank(false); });
  EXPECT_NE(r.to_string().find("BRAID_REPLAY=" + r.token + " ctest --test-dir "), std::string::npos);
  EXPECT_NE(r.replay_line().find("-R '^Bank.WithoutTheLockTheRaceIsReported$'"), std::string::npos);
}

}  // namespace
