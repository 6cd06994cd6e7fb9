// Barrier properties over generated programs (scenarios/generators/barrier_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/barrier.h"
#include "generators/barrier_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// Nobody passes a round before every party arrived; indices 0..n-1 each once.
RC_GTEST_PROP(BarrierProperties, NobodyPassesBeforeAllArrive, (const BarrierProgram& p)) {
  BRAID_RC_CHECK(check_barrier<Barrier>(p));
}

}  // namespace
