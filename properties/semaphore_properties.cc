// Semaphore properties over generated programs (scenarios/generators/semaphore_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/semaphore.h"
#include "generators/semaphore_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// successes = initial + releases - outstanding.
RC_GTEST_PROP(SemaphoreProperties, AcquiresBalanceReleases, (const AccountingProgram& p)) {
  BRAID_RC_CHECK(check_accounting<Semaphore>(p));
}

// A BoundedSemaphore gate never admits more than its bound, and one release
// too many raises ValueError.
RC_GTEST_PROP(SemaphoreProperties, BoundedGateNeverOverAdmits, (const GateProgram& p)) {
  BRAID_RC_CHECK(check_gate<BoundedSemaphore>(p));
}

}  // namespace
