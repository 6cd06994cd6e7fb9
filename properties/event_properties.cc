// Event properties over generated programs (scenarios/generators/event_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/event.h"
#include "generators/event_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// set() immediately followed by clear() still wakes every waiter.
RC_GTEST_PROP(EventProperties, SetThenClearWakesEveryWaiter, (const SetClearProgram& p)) {
  BRAID_RC_CHECK(check_set_clear<Event>(p));
}

}  // namespace
