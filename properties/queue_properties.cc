// Queue properties over generated programs (scenarios/generators/queue_gen.h).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "braid/queue.h"
#include "generators/queue_gen.h"
#include "generators/queue_lin_gen.h"

namespace {

using namespace braid;
using namespace braid::gen;

// One producer -> one consumer, blocking or timed calls, any maxsize: FIFO.
RC_GTEST_PROP(QueueProperties, OneToOneIsFifo, (const FifoProgram& p)) {
  BRAID_RC_CHECK(check_fifo<queue::Queue<int>>(p));
}

// P producers x C consumers: the multiset sent arrives, nothing lost or
// duplicated, each producer's items in its order.
RC_GTEST_PROP(QueueProperties, ProducersConsumersDeliverEverything, (const PxCProgram& p)) {
  BRAID_RC_CHECK(check_pxc<queue::Queue<int>>(p));
}

// join() returns only when every item put has been task_done()'d.
RC_GTEST_PROP(QueueProperties, JoinWaitsForTaskDone, (const TaskDoneProgram& p)) {
  BRAID_RC_CHECK(check_task_done<queue::Queue<int>>(p));
}

// Concurrent puts then concurrent gets: LifoQueue gives the puts reversed.
RC_GTEST_PROP(QueueProperties, LifoQueueOrder, (const OrderProgram& p)) {
  BRAID_RC_CHECK(check_order<queue::LifoQueue<int>>(p, Order::kLifo));
}

// Concurrent puts then concurrent gets: PriorityQueue gives them sorted.
RC_GTEST_PROP(QueueProperties, PriorityQueueOrder, (const OrderProgram& p)) {
  BRAID_RC_CHECK(check_order<queue::PriorityQueue<int>>(p, Order::kPriority));
}

// Every explored history of concurrent put/get (nowait and timed, Full and
// Empty included) is linearizable against a sequential queue of each kind.
RC_GTEST_PROP(QueueProperties, QueueHistoriesAreLinearizable, (const HistoryProgram& p)) {
  BRAID_RC_CHECK(check_linearizable<queue::Queue<int>>(p, lin::Order::kFifo));
}
RC_GTEST_PROP(QueueProperties, LifoQueueHistoriesAreLinearizable, (const HistoryProgram& p)) {
  BRAID_RC_CHECK(check_linearizable<queue::LifoQueue<int>>(p, lin::Order::kLifo));
}
RC_GTEST_PROP(QueueProperties, PriorityQueueHistoriesAreLinearizable, (const HistoryProgram& p)) {
  BRAID_RC_CHECK(check_linearizable<queue::PriorityQueue<int>>(p, lin::Order::kPriority));
}

}  // namespace
