// braid::mp::Queue, JoinableQueue, SimpleQueue and Pool under the model
// runtime: the tutorial's programs (a writer process and a reader process; a
// Pool(2) running a function that sleeps a random, virtual, time) explored
// over many interleavings, and seeded bugs the exploration must find.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/pool.h"
#include "braid/mp/process.h"
#include "braid/mp/queue.h"
#include "braid/runtime.h"
#include "braid/testing.h"
#include "braid/thread.h"

namespace {

using namespace std::chrono_literals;

braid::Options quick(std::uint64_t executions = 200) {
  braid::Options o;
  o.executions = executions;
  o.apply_environment = false;
  return o;
}

// A random virtual sleep of 0..9 ms, chosen by the scheduler.
void random_sleep() {
  braid::runtime::Model* m = braid::runtime::model();
  braid::runtime::sleep(std::chrono::milliseconds(m->choose(10)));
}

int slow_square(int x) {
  random_sleep();
  return x * x;
}

int fail_on_2(int x) {
  if (x == 2) throw braid::ValueError("two");
  return x;
}

// The tutorial's first program: a writer process puts 1, 2, 3; a reader
// process gets them in order and reports their sum through a second queue.
TEST(MpQueueModel, WriterAndReaderProcesses) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::mp::Queue<int> items;
    braid::mp::Queue<int> sums;
    braid::mp::Process writer([&] {
      for (int i = 1; i <= 3; ++i) items.put(i);
    });
    braid::mp::Process reader([&] {
      int sum = 0;
      for (int i = 1; i <= 3; ++i) {
        const int got = items.get();
        BRAID_ASSERT(got == i, "got ", got, " expected ", i);
        sum += got;
      }
      sums.put(sum);
    });
    writer.start();
    reader.start();
    BRAID_ASSERT(sums.get() == 6, "wrong sum");
    writer.join();
    reader.join();
    BRAID_ASSERT(items.empty(), "items left");
  });
}

// A bounded queue: the writer blocks while it is full; no deadlock in any
// interleaving, and qsize never exceeds maxsize.
TEST(MpQueueModel, BoundedQueueBlocksWriter) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::mp::Queue<std::string> q(1);
    braid::mp::Process writer([&] {
      for (int i = 0; i < 3; ++i) q.put(std::to_string(i));
    });
    writer.start();
    for (int i = 0; i < 3; ++i) {
      BRAID_ASSERT(q.qsize() <= 1, "over maxsize");
      BRAID_ASSERT(q.get() == std::to_string(i), "out of order");
    }
    writer.join();
  });
}

// Seeded bug: get_nowait before the writer has put is Empty in some
// interleaving, and exploration finds it.
TEST(MpQueueModel, GetNowaitRaceIsFound) {
  BRAID_EXPECT_FAILURE(kUncaughtException, quick(), [] {
    braid::mp::Queue<int> q;
    braid::mp::Process writer([&] { q.put(1); });
    writer.start();
    q.get_nowait();  // may run before the put
    writer.join();
  });
}

// JoinableQueue: a worker process marks every task done; join returns.
TEST(MpQueueModel, JoinableQueueJoin) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::mp::JoinableQueue<int> q;
    braid::mp::Process worker([&] {
      for (int i = 0; i < 2; ++i) {
        q.get();
        q.task_done();
      }
    });
    worker.start();
    q.put(1);
    q.put(2);
    q.join();
    worker.join();
  });
}

// Seeded bug: a worker that forgets one task_done() leaves join() waiting
// forever: a deadlock.
TEST(MpQueueModel, MissingTaskDoneDeadlocks) {
  BRAID_EXPECT_FAILURE(kDeadlock, quick(), [] {
    braid::mp::JoinableQueue<int> q;
    braid::mp::Process worker([&] {
      q.get();
      q.get();
      q.task_done();
    });
    worker.start();
    q.put(1);
    q.put(2);
    q.join();
    worker.join();
  });
}

// SimpleQueue between two simulated processes; close() is per process.
TEST(MpQueueModel, SimpleQueueAndPerProcessClose) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::mp::SimpleQueue<int> q;
    braid::mp::Queue<int> other;
    braid::mp::Process child([&] {
      q.put(5);
      other.put(6);
      other.close();  // closes the child's handle only
    });
    child.start();
    BRAID_ASSERT(q.get() == 5, "wrong item");
    child.join();
    BRAID_ASSERT(other.get() == 6, "the parent's handle must stay open");
  });
}

// A reader blocked in get() is woken by Process::terminate() and ends with
// -SIGTERM, as the tutorial's reader does.
TEST(MpQueueModel, TerminateWakesABlockedReader) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::mp::Queue<int> q;
    braid::mp::Process reader([&] {
      for (;;) q.get();
    });
    reader.start();
    q.put(1);
    reader.terminate();
    reader.join();
    BRAID_ASSERT(reader.exitcode() == -15, "exit code ", reader.exitcode().value_or(0));
  });
}

// The tutorial's second program: Pool(2) runs apply_async and map of a
// function that sleeps a random (virtual) time; every result is right in
// every interleaving.
TEST(MpPoolModel, ApplyAsyncAndMapWithRandomSleeps) {
  BRAID_EXPECT_OK(quick(100), [] {
    braid::mp::Pool pool(2);
    auto a = pool.apply_async(slow_square, 3);
    auto b = pool.apply_async(slow_square, 4);
    const std::vector<int> squares = pool.map(slow_square, std::vector<int>{1, 2, 3, 4}, 1);
    BRAID_ASSERT(squares == (std::vector<int>{1, 4, 9, 16}), "wrong map");
    BRAID_ASSERT(a.get() == 9 && b.get() == 16, "wrong apply_async");
    pool.close();
    pool.join();
  });
}

// imap_unordered yields every result once; exceptions cross with their type.
TEST(MpPoolModel, ImapUnorderedAndErrors) {
  BRAID_EXPECT_OK(quick(100), [] {
    braid::mp::Pool pool(2);
    std::vector<int> got;
    for (int v : pool.imap_unordered(slow_square, std::vector<int>{1, 2, 3})) got.push_back(v);
    std::sort(got.begin(), got.end());
    BRAID_ASSERT(got == (std::vector<int>{1, 4, 9}), "wrong imap_unordered");
    bool raised = false;
    try {
      pool.apply(fail_on_2, 2);
    } catch (const braid::ValueError& e) {
      raised = std::string(e.what()) == "two";
    }
    BRAID_ASSERT(raised, "the worker's ValueError must come back");
  });  // ~Pool terminates
}

// Seeded bug: a result awaited with a timeout shorter than the task's
// random sleep times out in some interleaving.
TEST(MpPoolModel, TooShortTimeoutIsFound) {
  BRAID_EXPECT_FAILURE(kUncaughtException, quick(), [] {
    braid::mp::Pool pool(1);
    pool.apply_async(slow_square, 5).get(5ms);
  });
}

}  // namespace
