// Condition properties over generated programs (scenarios/generators/condition_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/condition.h"
#include "generators/condition_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// notify(n) wakes exactly min(n, waiters).
RC_GTEST_PROP(ConditionProperties, NotifyWakesMinOfNAndWaiters, (const NotifyProgram& p)) {
  BRAID_RC_CHECK(check_notify<Condition>(p));
}

}  // namespace
