// Tests of braid::mp::Queue across many processes and threads: nothing lost
// or duplicated with several writers and readers, a writer that exits right
// after its last put, and processes killed in the middle of put/get (the ring
// lock is taken over from a dead owner; the ring is never corrupted).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <new>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/detail/shm_lock.h"
#include "braid/mp/queue.h"
#include "braid/os.h"
#include "leak_check.h"
#include "process_test_support.h"

// One test takes the ring's lock in a child that exits holding it, on
// purpose: clang's static thread-safety analysis is off here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using namespace std::chrono_literals;
using braid::mp::Queue;

using braid::testing_support::fork_child;
using braid::testing_support::wait_child;

// A recognisable item: its index and a body derived from it.
std::string item(int i, std::size_t size) {
  std::string s = std::to_string(i) + ":";
  s.resize(size, static_cast<char>('a' + i % 26));
  return s;
}
int index_of(const std::string& s, std::size_t size) {
  const int i = std::stoi(s.substr(0, s.find(':')));
  return s == item(i, size) ? i : -1;
}

// Three writer and two reader processes: the readers together get every item
// exactly once.
TEST(MpQueueProcesses, SeveralWritersAndReadersLoseAndDuplicateNothing) {
  braid_test::LeakCheck leaks;
  constexpr int kWriters = 3, kReaders = 2, kPerWriter = 2000;
  Queue<int> work(64);
  Queue<std::vector<int>> seen;
  std::vector<int> writers, readers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(fork_child([&, w] {
      for (int i = 0; i < kPerWriter; ++i) work.put(w * kPerWriter + i);
      return 0;
    }));
  }
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(fork_child([&] {
      std::vector<int> got;
      for (int x; (x = work.get()) != -1;) got.push_back(x);
      seen.put(got);
      return 0;
    }));
  }
  for (int pid : writers) EXPECT_EQ(wait_child(pid), 0);
  for (int r = 0; r < kReaders; ++r) work.put(-1);
  std::vector<int> all;
  for (int r = 0; r < kReaders; ++r) {
    std::vector<int> part = seen.get();
    all.insert(all.end(), part.begin(), part.end());
  }
  for (int pid : readers) EXPECT_EQ(wait_child(pid), 0);
  std::sort(all.begin(), all.end());
  std::vector<int> expected(kWriters * kPerWriter);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);
  EXPECT_TRUE(work.empty());
}

// Threads of one process and a forked reader share the queue.
TEST(MpQueueProcesses, ThreadsPutForkedChildGets) {
  braid_test::LeakCheck leaks;
  Queue<int> q;
  Queue<long> sum;
  const int pid = fork_child([&] {
    long s = 0;
    for (int i = 0; i < 2000; ++i) s += q.get();
    sum.put(s);
    return 0;
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&q, t] {
      for (int i = 0; i < 1000; ++i) q.put(t * 1000 + i);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sum.get(), 1999L * 2000 / 2);
  EXPECT_EQ(wait_child(pid), 0);
}

// No feeder thread: a writer may _exit right after its last put; everything
// it put is there.
TEST(MpQueueProcesses, WriterExitingRightAfterPutLosesNothing) {
  braid_test::LeakCheck leaks;
  Queue<std::string> q;
  const int pid = braid::os::fork();
  if (pid == 0) {
    for (int i = 0; i < 3000; ++i) q.put(item(i, 100));
    braid::os::_exit(0);
  }
  EXPECT_EQ(wait_child(pid), 0);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(index_of(q.get(), 100), i);
  EXPECT_THROW(q.get_nowait(), braid::queue::Empty);
}

// A writer killed at a random moment (often inside put's critical section,
// as its items are large): the items before it are whole and in order, none
// is half-written, and the queue keeps working.
TEST(MpQueueProcesses, KilledWriterNeverCorruptsOrHangs) {
  braid_test::LeakCheck leaks;
  constexpr std::size_t kSize = 128 << 10;
  for (int round = 0; round < 3; ++round) {
    Queue<std::string> q(4);
    const int pid = braid::os::fork();
    if (pid == 0) {
      for (int i = 0;; ++i) q.put(item(i, kSize));
    }
    int next = 0;
    for (; next < 3 + round; ++next) ASSERT_EQ(index_of(q.get(), kSize), next);
    braid::os::kill(pid, SIGKILL);
    EXPECT_EQ(wait_child(pid), -SIGKILL);
    for (;;) {
      std::string s;
      try {
        s = q.get(20ms);
      } catch (const braid::queue::Empty&) {
        break;
      }
      ASSERT_EQ(index_of(s, kSize), next);
      ++next;
    }
    q.put("after");
    EXPECT_EQ(q.get(), "after");
  }
}

// A reader killed while it gets: the items it did not take are still there,
// in order, and the queue keeps working.
TEST(MpQueueProcesses, KilledReaderLeavesTheRestIntact) {
  braid_test::LeakCheck leaks;
  constexpr std::size_t kSize = 128 << 10;
  Queue<std::string> q;
  for (int i = 0; i < 40; ++i) q.put(item(i, kSize));
  Queue<int> progress;
  const int pid = fork_child([&] {
    for (int i = 0;; ++i) {
      q.get();
      if (i == 2) progress.put(i);
    }
    return 0;
  });
  progress.get();
  braid::os::kill(pid, SIGKILL);
  EXPECT_EQ(wait_child(pid), -SIGKILL);
  int last = -1;
  while (!q.empty()) {
    const int i = index_of(q.get(), kSize);
    ASSERT_GT(i, last);
    last = i;
  }
  if (last != -1) {
    EXPECT_EQ(last, 39);
  }
  q.put("after");
  EXPECT_EQ(q.get(), "after");
}

// The lock underneath: a process that dies holding it does not hang the
// next locker, which takes it over.
TEST(MpQueueProcesses, ShmLockIsTakenOverFromADeadOwner) {
  braid_test::LeakCheck leaks;
  void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  auto* lock = new (p) braid::mp::detail::ShmLock();
  const int pid = fork_child([&] {
    lock->lock();
    return 0;  // exits holding it
  });
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_EQ(lock->owner(), static_cast<std::uint32_t>(pid));
  lock->lock();
  EXPECT_EQ(lock->takeovers(), 1u);
  EXPECT_EQ(lock->owner(), braid::mp::detail::self_pid());
  lock->unlock();
  EXPECT_TRUE(lock->try_lock());
  lock->unlock();
  lock->~ShmLock();
  ::munmap(p, 4096);
}

// A dead owner that is still a zombie (not reaped yet) counts as dead.
TEST(MpQueueProcesses, ZombieOwnerCountsAsDead) {
  braid_test::LeakCheck leaks;
  const int pid = fork_child([] { return 0; });
  while (braid::mp::detail::process_alive(static_cast<std::uint32_t>(pid))) braid::runtime::sleep(1ms);
  EXPECT_TRUE(braid::mp::detail::process_alive(braid::mp::detail::self_pid()));
  EXPECT_EQ(wait_child(pid), 0);
  EXPECT_FALSE(braid::mp::detail::process_alive(static_cast<std::uint32_t>(pid)));
}

}  // namespace
