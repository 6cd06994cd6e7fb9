// Tests of braid::mp::Pool when workers die, when the pool is terminated, and
// when several threads use it: every task gets exactly one outcome, a dead
// worker's task fails with WorkerLostError naming the exit code or signal, the
// worker is replaced, and close()+join() never hangs.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/pool.h"
#include "braid/os.h"
#include "braid/runtime.h"
#include "leak_check.h"

namespace {

using namespace std::chrono_literals;
using braid::mp::AsyncResult;
using braid::mp::Pool;
using braid::mp::WorkerLostError;

int sqr(int x) { return x * x; }
int exit_with(int code) { braid::os::_exit(code); }
int kill_self(int sig) {
  ::kill(::getpid(), sig);
  return 0;
}
int sleep_ms(int ms) {
  braid::runtime::sleep(std::chrono::milliseconds(ms));
  return ms;
}
// Item 5 kills its worker; the others are squared.
int sqr_but_5_dies(int x) {
  if (x == 5) braid::os::_exit(7);
  return x * x;
}

std::string message_of(const AsyncResult<int>& r) {
  try {
    r.get();
  } catch (const braid::Exception& e) {
    return std::string(e.type_name()) + ": " + e.what();
  }
  return "no error";
}

class MpPoolCrash : public ::testing::Test {
 protected:
  braid_test::LeakCheck leaks_;
};

TEST_F(MpPoolCrash, ExitingWorkerFailsItsTaskAndIsReplaced) {
  Pool pool(2);
  const auto before = pool.worker_pids();
  try {
    pool.apply(exit_with, 3);
    FAIL() << "no error";
  } catch (const WorkerLostError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exited prematurely: exitcode 3."), std::string::npos) << what;
    EXPECT_EQ(what.rfind("Worker process ", 0), 0u) << what;
  }
  EXPECT_EQ(pool.apply(sqr, 9), 81);
  const auto after = pool.worker_pids();
  EXPECT_EQ(after.size(), 2u);
  EXPECT_NE(after, before);
}

TEST_F(MpPoolCrash, SignalledWorkerNamesTheSignal) {
  Pool pool(1);
  try {
    pool.apply(kill_self, SIGKILL);
    FAIL() << "no error";
  } catch (const WorkerLostError& e) {
    EXPECT_NE(std::string(e.what()).find("signal 9 (SIGKILL)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(message_of(pool.apply_async(kill_self, SIGTERM)).find("signal 15 (SIGTERM)") != std::string::npos,
            true);
  EXPECT_EQ(pool.apply(sqr, 4), 16);
}

// Killing the workers from outside while they run tasks.
TEST_F(MpPoolCrash, WorkersKilledFromOutside) {
  Pool pool(2);
  AsyncResult<int> a = pool.apply_async(sleep_ms, 10'000);
  AsyncResult<int> b = pool.apply_async(sleep_ms, 10'000);
  EXPECT_FALSE(a.wait(20ms));
  for (int pid : pool.worker_pids()) braid::os::kill(pid, SIGKILL);
  EXPECT_NE(message_of(a).find("WorkerLostError: Worker process "), std::string::npos);
  EXPECT_NE(message_of(b).find("signal 9 (SIGKILL)"), std::string::npos);
  EXPECT_EQ(pool.map(sqr, std::vector<int>{1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

// A crash inside map fails the chunk it was in; imap delivers the rest.
TEST_F(MpPoolCrash, CrashInsideMapAndImap) {
  Pool pool(2);
  std::vector<int> items;
  for (int i = 0; i < 10; ++i) items.push_back(i);
  try {
    pool.map(sqr_but_5_dies, items, 2);
    FAIL() << "no error";
  } catch (const WorkerLostError& e) {
    EXPECT_NE(std::string(e.what()).find("exitcode 7"), std::string::npos) << e.what();
  }
  auto it = pool.imap(sqr_but_5_dies, items);
  int delivered = 0, lost = 0;
  for (int i = 0; i < 10; ++i) {
    try {
      EXPECT_EQ(it.next(), i * i);
      ++delivered;
    } catch (const WorkerLostError&) {
      EXPECT_EQ(i, 5);
      ++lost;
    }
  }
  EXPECT_EQ(it.next(), std::nullopt);
  EXPECT_EQ(delivered, 9);
  EXPECT_EQ(lost, 1);
}

// close() then join() with workers dying meanwhile: returns, and every task
// has exactly one outcome.
TEST_F(MpPoolCrash, CloseAndJoinNeverHangOnCrashes) {
  Pool pool(2);
  std::vector<AsyncResult<int>> results;
  for (int i = 0; i < 12; ++i) {
    results.push_back(i % 4 == 1 ? pool.apply_async(exit_with, 9) : pool.apply_async(sqr, i));
  }
  pool.close();
  pool.join();
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(results[i].ready());
    if (i % 4 == 1) {
      EXPECT_NE(message_of(results[i]).find("exitcode 9"), std::string::npos);
    } else {
      EXPECT_EQ(results[i].get(), i * i);
    }
  }
  EXPECT_TRUE(pool.worker_pids().empty());
}

// test_terminate: many slow tasks; terminate returns promptly, unfinished
// tasks fail.
TEST_F(MpPoolCrash, TerminateStopsSlowTasks) {
  Pool pool(3);
  std::vector<int> forever(200, 60'000);
  auto r = pool.map_async(sleep_ms, forever, 1);
  pool.terminate();
  pool.join();
  try {
    r.get();
    FAIL() << "no error";
  } catch (const WorkerLostError& e) {
    EXPECT_STREQ(e.what(), "Pool was terminated before the task completed");
  }
  EXPECT_THROW(pool.apply(sqr, 1), braid::ValueError);
}

// The destructor terminates, like leaving `with Pool(...)`; results survive.
TEST_F(MpPoolCrash, DestructorTerminatesAndResultsSurvive) {
  AsyncResult<int> done = [] {
    Pool pool(2);
    AsyncResult<int> r = pool.apply_async(sqr, 12);
    r.wait();
    pool.apply_async(sleep_ms, 60'000);
    return r;
  }();
  EXPECT_EQ(done.get(), 144);
}

// Several threads submit and wait at once (one leads, the others follow).
TEST_F(MpPoolCrash, ManyThreadsShareThePool) {
  Pool pool(2);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const int x = t * 1000 + i;
        if (pool.apply_async(sqr, x).get() != x * x) ++wrong;
      }
    });
  }
  AsyncResult<int> slow = pool.apply_async(sleep_ms, 30);
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(slow.get(), 30);
}

// Workers killed while tasks stream through: each task either succeeds with
// the right value or fails with WorkerLostError; none is lost or doubled.
TEST_F(MpPoolCrash, ExactlyOnceUnderKills) {
  Pool pool(2);
  std::vector<AsyncResult<int>> results;
  for (int i = 0; i < 150; ++i) results.push_back(pool.apply_async(sqr, i));
  int kills = 0;
  for (int round = 0; round < 2; ++round) {
    results[50 * (round + 1)].wait();
    for (int pid : pool.worker_pids()) {
      braid::os::kill(pid, SIGKILL);
      ++kills;
    }
  }
  int ok = 0, lost = 0;
  for (int i = 0; i < 150; ++i) {
    try {
      EXPECT_EQ(results[i].get(), i * i);
      ++ok;
    } catch (const WorkerLostError&) {
      ++lost;
    }
  }
  EXPECT_EQ(ok + lost, 150);
  EXPECT_LE(lost, kills);
  pool.close();
  pool.join();
}

}  // namespace
