// Tests of braid::mp::Queue, JoinableQueue and SimpleQueue on the OS runtime:
// CPython's _TestQueue and TestSimpleQueue (Lib/test/_test_multiprocessing.py)
// re-expressed, plus errors and codec round trips. Cross-process stress and
// crash tests are in mp_queue_process_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/process.h"
#include "braid/mp/queue.h"
#include "braid/os.h"
#include "leak_check.h"
#include "process_test_support.h"

namespace {

using namespace std::chrono_literals;
using braid::mp::JoinableQueue;
using braid::mp::Queue;
using braid::mp::SimpleQueue;

using braid::testing_support::fork_child;
using braid::testing_support::wait_child;

struct Job {
  int id = 0;
  std::string name;
  std::vector<double> args;
  BRAID_CODEC_FIELDS(id, name, args)
};

// _TestQueue.test_put: a bounded queue fills up; Full from every non-waiting
// or timed-out put; a child empties it.
TEST(MpQueue, PutUntilFullThenChildEmptiesIt) {
  braid_test::LeakCheck leaks;
  Queue<int> queue(6);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.full());
  queue.put(1);
  queue.put(2, true);
  queue.put(3, true, std::nullopt);
  queue.put(4, false);
  queue.put(5, false, std::nullopt);
  queue.put_nowait(6);
  EXPECT_FALSE(queue.empty());
  EXPECT_TRUE(queue.full());
  EXPECT_EQ(queue.qsize(), 6u);

  EXPECT_THROW(queue.put(7, false), braid::queue::Full);
  EXPECT_THROW(queue.put(7, false, std::nullopt), braid::queue::Full);
  EXPECT_THROW(queue.put_nowait(7), braid::queue::Full);
  EXPECT_THROW(queue.put(7, true, 10ms), braid::queue::Full);
  EXPECT_THROW(queue.put(7, false, 10ms), braid::queue::Full);
  EXPECT_THROW(queue.put(7, 10ms), braid::queue::Full);

  const int pid = fork_child([&] {
    for (int i = 1; i <= 6; ++i) {
      if (queue.get() != i) return 1;
    }
    return 0;
  });
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.full());
}

// A blocked put proceeds when a reader in another process makes room.
TEST(MpQueue, BlockedPutWakesWhenAnotherProcessGets) {
  braid_test::LeakCheck leaks;
  Queue<int> queue(1);
  queue.put(0);
  const int pid = fork_child([&] {
    queue.put(1);  // blocks until the parent gets 0
    return 0;
  });
  EXPECT_EQ(queue.get(), 0);
  EXPECT_EQ(queue.get(), 1);
  EXPECT_EQ(wait_child(pid), 0);
}

// _TestQueue.test_get: items put by a child; Empty from every non-waiting or
// timed-out get once it is drained.
TEST(MpQueue, GetItemsPutByChild) {
  braid_test::LeakCheck leaks;
  Queue<int> queue;
  EXPECT_TRUE(queue.empty());
  const int pid = fork_child([&] {
    for (int i = 2; i <= 5; ++i) queue.put(i);
    return 0;
  });
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(queue.get(true, std::nullopt), 2);
  EXPECT_EQ(queue.get(true), 3);
  EXPECT_EQ(queue.get(1s), 4);
  EXPECT_EQ(queue.get_nowait(), 5);
  EXPECT_TRUE(queue.empty());

  EXPECT_THROW(queue.get(false), braid::queue::Empty);
  EXPECT_THROW(queue.get(false, std::nullopt), braid::queue::Empty);
  EXPECT_THROW(queue.get_nowait(), braid::queue::Empty);
  EXPECT_THROW(queue.get(true, 10ms), braid::queue::Empty);
  EXPECT_THROW(queue.get(false, 10ms), braid::queue::Empty);
  EXPECT_THROW(queue.get(10ms), braid::queue::Empty);
}

// A blocked get wakes when a child puts.
TEST(MpQueue, BlockedGetWakesWhenChildPuts) {
  braid_test::LeakCheck leaks;
  Queue<std::string> queue;
  const int pid = fork_child([&] {
    braid::runtime::sleep(5ms);
    queue.put("late");
    return 0;
  });
  EXPECT_EQ(queue.get(), "late");
  EXPECT_EQ(wait_child(pid), 0);
}

// _TestQueue.test_fork: items queued before the fork and items the child puts
// arrive in order.
TEST(MpQueue, ItemsFromBeforeAndAfterForkArriveInOrder) {
  braid_test::LeakCheck leaks;
  Queue<int> queue;
  for (int i = 0; i < 10; ++i) queue.put(i);
  const int pid = fork_child([&] {
    for (int i = 10; i < 20; ++i) queue.put(i);
    return 0;
  });
  EXPECT_EQ(wait_child(pid), 0);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(queue.get(), i);
  EXPECT_THROW(queue.get(false), braid::queue::Empty);
}

// _TestQueue.test_qsize.
TEST(MpQueue, Qsize) {
  Queue<int> q;
  EXPECT_EQ(q.qsize(), 0u);
  q.put(1);
  EXPECT_EQ(q.qsize(), 1u);
  q.put(5);
  EXPECT_EQ(q.qsize(), 2u);
  q.get();
  EXPECT_EQ(q.qsize(), 1u);
  q.get();
  EXPECT_EQ(q.qsize(), 0u);
}

// A negative timeout counts as zero: Empty / Full, not ValueError (Python's
// multiprocessing queues behave so).
TEST(MpQueue, NegativeTimeoutCountsAsZero) {
  Queue<int> q(1);
  EXPECT_THROW(q.get(true, -1s), braid::queue::Empty);
  q.put(1, true, -1s);  // room: fine
  EXPECT_THROW(q.put(2, true, -1s), braid::queue::Full);
}

// _TestQueue.test_task_done: four worker processes mark tasks done; join
// returns once all ten are.
TEST(MpQueue, JoinableQueueTaskDoneAcrossProcesses) {
  braid_test::LeakCheck leaks;
  JoinableQueue<int> queue;
  std::vector<int> pids;
  for (int w = 0; w < 4; ++w) {
    pids.push_back(fork_child([&] {
      for (int item; (item = queue.get()) != -1;) queue.task_done();
      queue.task_done();
      return 0;
    }));
  }
  for (int i = 0; i < 10; ++i) queue.put(i);
  queue.join();
  for (int w = 0; w < 4; ++w) queue.put(-1);
  for (int pid : pids) EXPECT_EQ(wait_child(pid), 0);
  queue.join();
}

TEST(MpQueue, TaskDoneTooManyTimesIsValueError) {
  JoinableQueue<int> q;
  try {
    q.task_done();
    FAIL() << "no error";
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.what(), "task_done() called too many times");
    EXPECT_TRUE(e.is_misuse());
  }
  q.put(1);
  q.get();
  q.task_done();
  q.join();
  EXPECT_THROW(q.task_done(), braid::ValueError);
}

// test_closed_queue_put_get_exceptions: put/get on a closed handle raise
// ValueError "Queue <...> is closed"; queries still work.
TEST(MpQueue, ClosedQueueRaisesValueError) {
  Queue<std::string> q;
  JoinableQueue<std::string> jq;
  q.put("kept");
  q.close();
  q.close();  // twice is fine
  jq.close();
  for (Queue<std::string>* queue : {&q, static_cast<Queue<std::string>*>(&jq)}) {
    try {
      queue->put("foo");
      FAIL() << "put on a closed queue";
    } catch (const braid::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("is closed"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("Queue <braid.mp.", 0), 0u) << e.what();
    }
    EXPECT_THROW(queue->get(), braid::ValueError);
  }
  EXPECT_EQ(q.qsize(), 1u);
  EXPECT_FALSE(q.empty());
  q.join_thread();  // closed: returns
  q.cancel_join_thread();
  Queue<int> open;
  EXPECT_THROW(open.join_thread(), braid::AssertionError);
}

// close() is per process: a child's close leaves the parent's handle open.
TEST(MpQueue, CloseInChildLeavesParentOpen) {
  braid_test::LeakCheck leaks;
  Queue<int> q;
  const int pid = fork_child([&] {
    q.put(7);
    q.close();
    return 0;
  });
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_EQ(q.get(), 7);
  q.put(8);
  EXPECT_EQ(q.get(), 8);
}

// TestSimpleQueue.test_empty, test_close.
TEST(MpSimpleQueue, EmptyAcrossProcesses) {
  braid_test::LeakCheck leaks;
  SimpleQueue<bool> queue;
  EXPECT_TRUE(queue.empty());
  const int pid = fork_child([&] {
    queue.put(queue.empty());
    queue.put(queue.empty());
    return 0;
  });
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(queue.get(), true);
  EXPECT_EQ(queue.get(), false);
  EXPECT_TRUE(queue.empty());
}

TEST(MpSimpleQueue, CloseTwiceThenHandleIsClosed) {
  SimpleQueue<int> queue;
  queue.close();
  queue.close();
  try {
    queue.put(1);
    FAIL() << "put after close";
  } catch (const braid::OSError& e) {
    EXPECT_STREQ(e.what(), "handle is closed");
  }
  EXPECT_THROW(queue.get(), braid::OSError);
  EXPECT_THROW(queue.empty(), braid::OSError);
}

// Structured values, strings and maps cross intact.
TEST(MpQueue, CodecTypesRoundTrip) {
  braid_test::LeakCheck leaks;
  Queue<Job> jobs;
  Queue<std::map<std::string, std::vector<int>>> maps;
  const int pid = fork_child([&] {
    jobs.put(Job{7, "seven", {1.5, -2.0}});
    maps.put({{"a", {1, 2}}, {"b", {}}});
    return 0;
  });
  const Job job = jobs.get();
  EXPECT_EQ(job.id, 7);
  EXPECT_EQ(job.name, "seven");
  EXPECT_EQ(job.args, (std::vector<double>{1.5, -2.0}));
  const auto m = maps.get();
  EXPECT_EQ(m.at("a"), (std::vector<int>{1, 2}));
  EXPECT_TRUE(m.at("b").empty());
  EXPECT_EQ(wait_child(pid), 0);
}

// Items larger than the ring (64 KiB at first) make it grow.
TEST(MpQueue, LargeItemsGrowTheRing) {
  braid_test::LeakCheck leaks;
  Queue<std::string> q;
  std::string big((2 << 20) + 1, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + (i / 4096) % 26);
  const int pid = fork_child([&] {
    q.put(big);
    q.put("small");
    q.put(big);
    return 0;
  });
  EXPECT_EQ(q.get(), big);
  EXPECT_EQ(q.get(), "small");
  EXPECT_EQ(q.get(), big);
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_TRUE(q.empty());
}

}  // namespace
