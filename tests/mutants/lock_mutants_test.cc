// Lock and RLock mutants against the lock properties.
#include <gtest/gtest.h>

#include "braid/lock.h"
#include "braid/rlock.h"
#include "generators/lock_gen.h"
#include "generators/rlock_gen.h"
#include "hunt.h"
#include "mutant_locks.h"

namespace {

using namespace braid::gen;
using braid::mutants::expect_caught;

TEST(LockMutants, NoExclusionLockFailsBalance) {
  expect_caught("NoExclusionLock", "LockProperties.BalanceStaysZero", balance_program(),
                BRAID_CHECK_WITH(check_balance, braid::mutants::NoExclusionLock),
                BRAID_CHECK_WITH(check_balance, braid::Lock));
}

TEST(LockMutants, NoExclusionLockFailsOwnerReacquire) {
  expect_caught("NoExclusionLock", "LockProperties.OwnerReacquireIsDeadlock", self_deadlock_program(),
                BRAID_CHECK_WITH(check_self_deadlock, braid::mutants::NoExclusionLock),
                BRAID_CHECK_WITH(check_self_deadlock, braid::Lock));
}

TEST(RLockMutants, ForgetfulOwnerRLockFailsReentrancy) {
  expect_caught("ForgetfulOwnerRLock", "RLockProperties.ReentrancyNeverDeadlocks", reentrancy_program(),
                BRAID_CHECK_WITH(check_reentrancy, braid::mutants::ForgetfulOwnerRLock),
                BRAID_CHECK_WITH(check_reentrancy, braid::RLock));
}

TEST(RLockMutants, ForgetfulOwnerRLockFailsNonOwnerRelease) {
  expect_caught("ForgetfulOwnerRLock", "RLockProperties.NonOwnerReleaseRaises", non_owner_release_program(),
                BRAID_CHECK_WITH(check_non_owner_release, braid::mutants::ForgetfulOwnerRLock),
                BRAID_CHECK_WITH(check_non_owner_release, braid::RLock));
}

TEST(RLockMutants, MiscountingRLockFailsReentrancy) {
  expect_caught("MiscountingRLock", "RLockProperties.ReentrancyNeverDeadlocks", reentrancy_program(),
                BRAID_CHECK_WITH(check_reentrancy, braid::mutants::MiscountingRLock),
                BRAID_CHECK_WITH(check_reentrancy, braid::RLock));
}

TEST(RLockMutants, MiscountingRLockFailsNonOwnerRelease) {
  expect_caught("MiscountingRLock", "RLockProperties.NonOwnerReleaseRaises", non_owner_release_program(),
                BRAID_CHECK_WITH(check_non_owner_release, braid::mutants::MiscountingRLock),
                BRAID_CHECK_WITH(check_non_owner_release, braid::RLock));
}

}  // namespace
