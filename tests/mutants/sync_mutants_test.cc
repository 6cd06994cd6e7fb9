// Local, Condition, Event, Semaphore and Barrier mutants against their properties.
#include <gtest/gtest.h>

#include "braid/barrier.h"
#include "braid/condition.h"
#include "braid/event.h"
#include "braid/local.h"
#include "braid/semaphore.h"
#include "generators/barrier_gen.h"
#include "generators/condition_gen.h"
#include "generators/event_gen.h"
#include "generators/local_gen.h"
#include "generators/semaphore_gen.h"
#include "hunt.h"
#include "mutant_local.h"
#include "mutant_sync.h"

namespace {

using namespace braid::gen;
using braid::mutants::expect_caught;

TEST(LocalMutants, SharedLocalFailsIsolation) {
  expect_caught("SharedLocal", "LocalProperties.ThreadsAreIsolated", local_program(),
                BRAID_CHECK_WITH(check_local, braid::mutants::SharedLocal<Probe>),
                BRAID_CHECK_WITH(check_local, braid::Local<Probe>));
}

TEST(ConditionMutants, LossyConditionFailsNotifyCount) {
  expect_caught("LossyCondition", "ConditionProperties.NotifyWakesMinOfNAndWaiters", notify_program(),
                BRAID_CHECK_WITH(check_notify, braid::mutants::LossyCondition),
                BRAID_CHECK_WITH(check_notify, braid::Condition));
}

TEST(EventMutants, RacyClearEventFailsSetThenClear) {
  expect_caught("RacyClearEvent", "EventProperties.SetThenClearWakesEveryWaiter", set_clear_program(),
                BRAID_CHECK_WITH(check_set_clear, braid::mutants::RacyClearEvent),
                BRAID_CHECK_WITH(check_set_clear, braid::Event));
}

TEST(SemaphoreMutants, OffByOneSemaphoreFailsAccounting) {
  expect_caught("OffByOneSemaphore", "SemaphoreProperties.AcquiresBalanceReleases", accounting_program(),
                BRAID_CHECK_WITH(check_accounting, braid::mutants::OffByOneSemaphore),
                BRAID_CHECK_WITH(check_accounting, braid::Semaphore));
}

TEST(SemaphoreMutants, OffByOneBoundedSemaphoreFailsGate) {
  expect_caught("OffByOneBoundedSemaphore", "SemaphoreProperties.BoundedGateNeverOverAdmits", gate_program(),
                BRAID_CHECK_WITH(check_gate, braid::mutants::OffByOneBoundedSemaphore),
                BRAID_CHECK_WITH(check_gate, braid::BoundedSemaphore));
}

TEST(BarrierMutants, EarlyBarrierFailsNobodyPassesEarly) {
  expect_caught("EarlyBarrier", "BarrierProperties.NobodyPassesBeforeAllArrive", barrier_program(),
                BRAID_CHECK_WITH(check_barrier, braid::mutants::EarlyBarrier),
                BRAID_CHECK_WITH(check_barrier, braid::Barrier));
}

}  // namespace
