// Thread-local properties over generated programs (scenarios/generators/local_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/local.h"
#include "generators/local_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// Every thread reads back exactly what it wrote, never another thread's
// value, and its value is destroyed when the thread ends.
RC_GTEST_PROP(LocalProperties, ThreadsAreIsolated, (const LocalProgram& p)) {
  BRAID_RC_CHECK(check_local<Local<Probe>>(p));
}

}  // namespace
