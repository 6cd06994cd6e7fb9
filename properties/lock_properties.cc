// Lock properties over generated programs (scenarios/generators/lock_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/lock.h"
#include "generators/lock_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// Any number of threads, iterations and amounts: updates under a Lock keep
// the balance at zero, with no data race.
RC_GTEST_PROP(LockProperties, BalanceStaysZero, (const BalanceProgram& p)) {
  BRAID_RC_CHECK(check_balance<Lock>(p));
}

// A plain Lock re-acquired by its owner is reported as a deadlock.
RC_GTEST_PROP(LockProperties, OwnerReacquireIsDeadlock, (const SelfDeadlockProgram& p)) {
  BRAID_RC_CHECK(check_self_deadlock<Lock>(p));
}

}  // namespace
