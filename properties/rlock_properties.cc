// RLock properties over generated programs (scenarios/generators/rlock_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/rlock.h"
#include "generators/rlock_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// Reentrancy at any nesting depth in any number of threads never deadlocks;
// the lock stays owned until the matching last release, then is free.
RC_GTEST_PROP(RLockProperties, ReentrancyNeverDeadlocks, (const ReentrancyProgram& p)) {
  BRAID_RC_CHECK(check_reentrancy<RLock>(p));
}

// A release by a thread that does not own the RLock raises RuntimeError and
// the owner still holds it at the same depth.
RC_GTEST_PROP(RLockProperties, NonOwnerReleaseRaises, (const NonOwnerReleaseProgram& p)) {
  BRAID_RC_CHECK(check_non_owner_release<RLock>(p));
}

}  // namespace
