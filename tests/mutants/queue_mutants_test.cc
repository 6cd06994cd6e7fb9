// The racy-size Queue mutant against the queue properties.
#include <gtest/gtest.h>

#include "braid/queue.h"
#include "generators/queue_gen.h"
#include "generators/queue_lin_gen.h"
#include "hunt.h"
#include "mutant_queue.h"

namespace {

using namespace braid::gen;
using braid::mutants::expect_caught;
using RacyQueue = braid::mutants::RacySizeQueue<int>;
using RealQueue = braid::queue::Queue<int>;

TEST(QueueMutants, RacySizeQueueFailsOneToOneFifo) {
  expect_caught("RacySizeQueue", "QueueProperties.OneToOneIsFifo", fifo_program(),
                BRAID_CHECK_WITH(check_fifo, RacyQueue), BRAID_CHECK_WITH(check_fifo, RealQueue));
}

TEST(QueueMutants, RacySizeQueueFailsProducersConsumers) {
  expect_caught("RacySizeQueue", "QueueProperties.ProducersConsumersDeliverEverything", pxc_program(),
                BRAID_CHECK_WITH(check_pxc, RacyQueue), BRAID_CHECK_WITH(check_pxc, RealQueue));
}

TEST(QueueMutants, RacySizeQueueFailsTaskDoneJoin) {
  expect_caught("RacySizeQueue", "QueueProperties.JoinWaitsForTaskDone", task_done_program(),
                BRAID_CHECK_WITH(check_task_done, RacyQueue), BRAID_CHECK_WITH(check_task_done, RealQueue));
}

TEST(QueueMutants, RacySizeQueueFailsLinearizability) {
  expect_caught(
      "RacySizeQueue", "QueueProperties.QueueHistoriesAreLinearizable", history_program(),
      [](const HistoryProgram& p, const CaseBudget& b) { return check_linearizable<RacyQueue>(p, lin::Order::kFifo, b); },
      [](const HistoryProgram& p, const CaseBudget& b) { return check_linearizable<RealQueue>(p, lin::Order::kFifo, b); });
}

}  // namespace
