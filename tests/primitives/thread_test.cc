// thread_test.cc
// -----------------------------------------------------------------------------
// braid::Thread on the OS runtime, after CPython's test_threading.py
// (ThreadTests, ThreadJoinOnShutdown, ThreadingExceptionTests, ExceptHookTests).
// -----------------------------------------------------------------------------
#include "braid/thread.h"

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/threading.h"  // the umbrella header compiles on its own

namespace braid {
namespace {

using namespace std::chrono_literals;

// A one-shot gate built on the runtime's futex, so the tests do not depend on
// the other primitives.
class Gate {
 public:
  void open() {
    word_.store(1, std::memory_order_release);
    runtime::futex_wake_all(word_);
  }
  void wait() {
    while (word_.load(std::memory_order_acquire) == 0) runtime::futex_wait(word_, 0, std::nullopt);
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};

template <typename E, typename F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    EXPECT_TRUE(e.is_misuse());
    return e.what();
  }
  ADD_FAILURE() << "no exception";
  return "";
}

TEST(ThreadTest, RunsTargetWithCopiedArguments) {
  int out = 0;
  std::string s = "abc";
  Thread t([](int* o, std::string v, int k) { *o = static_cast<int>(v.size()) + k; }, &out, s, 4);
  s = "changed-after-construction";
  t.start();
  t.join();
  EXPECT_EQ(out, 7);
}

TEST(ThreadTest, MoveOnlyArgumentsAreMoved) {
  std::atomic<int> out{0};
  Thread t([&out](std::unique_ptr<int> p) { out = *p; }, std::make_unique<int>(9));
  t.start();
  t.join();
  EXPECT_EQ(out.load(), 9);
}

TEST(ThreadTest, DefaultConstructedThreadRunsNothing) {
  Thread t;
  t.start();
  t.join();
  EXPECT_FALSE(t.is_alive());
}

TEST(ThreadTest, StartTwiceRaises) {
  Thread t([] {});
  t.start();
  Thread copy = t;
  EXPECT_EQ(error_message<RuntimeError>([&] { copy.start(); }), "threads can only be started once");
  t.join();
  EXPECT_EQ(error_message<RuntimeError>([&] { t.start(); }), "threads can only be started once");
}

TEST(ThreadTest, JoinBeforeStartRaises) {
  Thread t([] {});
  EXPECT_EQ(error_message<RuntimeError>([&] { t.join(); }),
            "cannot join thread before it is started");
}

TEST(ThreadTest, JoinCurrentThreadRaises) {
  EXPECT_EQ(error_message<RuntimeError>([] { current_thread().join(); }),
            "cannot join current thread");
  std::string inside;
  Thread t([&inside] {
    inside = error_message<RuntimeError>([] { current_thread().join(); });
  });
  t.start();
  t.join();
  EXPECT_EQ(inside, "cannot join current thread");
}

TEST(ThreadTest, JoinWithTimeoutOnLiveThreadReturnsWithThreadAlive) {
  Gate gate;
  Thread t([&gate] { gate.wait(); });
  t.start();
  t.join(10ms);
  EXPECT_TRUE(t.is_alive());
  t.join(-1s);  // negative timeouts are treated as zero, as in Python
  EXPECT_TRUE(t.is_alive());
  gate.open();
  t.join();
  EXPECT_FALSE(t.is_alive());
}

TEST(ThreadTest, IsAliveLifecycle) {
  Gate gate;
  Thread t([&gate] { gate.wait(); });
  EXPECT_FALSE(t.is_alive());
  t.start();
  EXPECT_TRUE(t.is_alive());
  gate.open();
  t.join();
  EXPECT_FALSE(t.is_alive());
}

TEST(ThreadTest, IdentAndNativeId) {
  std::uint64_t ident = 0, native = 0;
  Thread t([&] {
    ident = get_ident();
    native = get_native_id();
  });
  EXPECT_EQ(t.ident(), std::nullopt);
  EXPECT_EQ(t.native_id(), std::nullopt);
  t.start();
  ASSERT_TRUE(t.ident().has_value());
  ASSERT_TRUE(t.native_id().has_value());
  t.join();
  EXPECT_EQ(*t.ident(), ident);
  EXPECT_EQ(*t.native_id(), native);
  EXPECT_NE(ident, get_ident());
  EXPECT_NE(native, get_native_id());
  EXPECT_NE(native, 0u);
}

TEST(ThreadTest, DefaultNamesCountUp) {
  Thread a([] {});
  Thread b([] {});
  auto number = [](const std::string& name) {
    EXPECT_EQ(name.rfind("Thread-", 0), 0u) << name;
    return std::stoull(name.substr(7));
  };
  EXPECT_LT(number(a.name()), number(b.name()));
}

TEST(ThreadTest, NamesCanBeGivenAndChanged) {
  std::string seen;
  Thread t(ThreadOptions{.name = "worker"}, [&seen] { seen = current_thread().name(); });
  EXPECT_EQ(t.name(), "worker");
  t.set_name("renamed");
  t.start();
  t.join();
  EXPECT_EQ(seen, "renamed");
}

TEST(ThreadTest, MainThreadIdentity) {
  EXPECT_EQ(current_thread(), main_thread());
  EXPECT_EQ(main_thread().name(), "MainThread");
  EXPECT_TRUE(main_thread().is_alive());
  EXPECT_FALSE(main_thread().daemon());
  EXPECT_EQ(main_thread().ident(), get_ident());
  bool inside_is_main = true;
  Thread t([&] { inside_is_main = current_thread() == main_thread(); });
  t.start();
  t.join();
  EXPECT_FALSE(inside_is_main);
}

TEST(ThreadTest, CurrentThreadInsideThreadIsItsHandle) {
  bool same = false;
  Thread t;
  t = Thread([&same, &t] { same = current_thread() == t; });
  t.start();
  t.join();
  EXPECT_TRUE(same);
}

TEST(ThreadTest, DaemonFlag) {
  Thread plain([] {});
  EXPECT_FALSE(plain.daemon());
  plain.set_daemon(true);
  EXPECT_TRUE(plain.daemon());

  bool child_daemon = false;
  Thread d(ThreadOptions{.name = "d", .daemon = true}, [&child_daemon] {
    child_daemon = Thread([] {}).daemon();  // inherited from the creating thread
  });
  EXPECT_TRUE(d.daemon());
  d.start();
  EXPECT_EQ(error_message<RuntimeError>([&] { d.set_daemon(false); }),
            "cannot set daemon status of active thread");
  d.join();
  EXPECT_TRUE(child_daemon);
}

TEST(ThreadTest, EnumerateAndActiveCount) {
  const std::size_t before = active_count();
  constexpr int kThreads = 5;
  Gate gate;
  std::vector<Thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&gate] { gate.wait(); });
  for (auto& t : threads) t.start();
  EXPECT_EQ(active_count(), before + kThreads);
  std::vector<Thread> all = enumerate();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), main_thread());
  for (auto& t : threads) EXPECT_NE(std::find(all.begin(), all.end(), t), all.end());
  gate.open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(active_count(), before);
  all = enumerate();
  for (auto& t : threads) EXPECT_EQ(std::find(all.begin(), all.end(), t), all.end());
}

TEST(ThreadTest, HandleDestructionNeitherJoinsNorDetachesTheThread) {
  Gate gate;
  std::optional<std::uint64_t> ident;
  {
    Thread t(ThreadOptions{.name = "orphan"}, [&gate] { gate.wait(); });
    t.start();
    ident = t.ident();
  }
  std::vector<Thread> all = enumerate();
  auto it = std::find_if(all.begin(), all.end(), [&](const Thread& t) { return t.ident() == ident; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->name(), "orphan");
  gate.open();
  it->join();
  EXPECT_FALSE(it->is_alive());
}

TEST(ThreadTest, ForeignThreadGetsDummyContext) {
  std::string name;
  bool daemon = false, alive = false, listed = false;
  std::thread foreign([&] {
    Thread self = current_thread();
    name = self.name();
    daemon = self.daemon();
    alive = self.is_alive();
    std::vector<Thread> all = enumerate();
    listed = std::find(all.begin(), all.end(), self) != all.end();
  });
  foreign.join();
  EXPECT_EQ(name.rfind("Dummy-", 0), 0u) << name;
  EXPECT_TRUE(daemon);
  EXPECT_TRUE(alive);
  EXPECT_TRUE(listed);
  for (const Thread& t : enumerate()) EXPECT_NE(t.name(), name);  // retired at OS thread exit
}

TEST(ThreadTest, ExceptionEscapingTargetIsPrintedAndProcessContinues) {
  testing::internal::CaptureStderr();
  Thread a(ThreadOptions{.name = "w"}, [] { throw RuntimeError("boom"); });
  a.start();
  a.join();
  Thread b(ThreadOptions{.name = "x"}, [] { throw std::logic_error("bad logic"); });
  b.start();
  b.join();
  Thread c(ThreadOptions{.name = "y"}, [] { throw 42; });
  c.start();
  c.join();
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Exception in thread w:\nRuntimeError: boom\n"), std::string::npos) << err;
  EXPECT_NE(err.find("Exception in thread x:\nstd::logic_error: bad logic\n"), std::string::npos)
      << err;
  EXPECT_NE(err.find("Exception in thread y:\nint\n"), std::string::npos) << err;
  EXPECT_FALSE(a.is_alive());
  EXPECT_FALSE(b.is_alive());
}

TEST(ThreadTest, SleepRejectsNegativeDurations) {
  try {
    braid::sleep(-1ms);
    FAIL() << "no exception";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "sleep length must be non-negative");
  }
  braid::sleep(0s);
  braid::sleep(std::chrono::duration<double>(0.001));
}

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A thread blocked in join() for 200 ms must not burn CPU: the process's CPU
// time over the wait stays far below the wall time. This checks CPU
// consumption (spinning), not how long anything takes.
TEST(ThreadTest, JoinBlocksWithoutSpinning) {
  Thread sleeper([] { braid::sleep(200ms); });
  const double start = process_cpu_seconds();
  sleeper.start();
  sleeper.join();
  const double used = process_cpu_seconds() - start;
  EXPECT_LT(used, 0.050);
}

TEST(ThreadTest, ProcessExitWaitsForNonDaemonThreads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Thread t([] {
          braid::sleep(50ms);
          std::fputs("worker finished\n", stderr);
        });
        t.start();
        std::exit(0);
      },
      testing::ExitedWithCode(0), "worker finished");
}

TEST(ThreadTest, ProcessExitDoesNotWaitForDaemonThreads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto gate = new Gate;  // never opened
        Thread t(ThreadOptions{.daemon = true}, [gate] { gate->wait(); });
        t.start();
        std::fputs("main done\n", stderr);
        std::exit(0);
      },
      testing::ExitedWithCode(0), "main done");
}

TEST(ThreadTest, ChaosStressKeepsResultsCorrect) {
  runtime::enable_chaos(12345);
  ASSERT_TRUE(runtime::chaos_enabled());
  ASSERT_TRUE(runtime::hooked());
  constexpr int kThreads = 8, kIterations = 500;
  std::atomic<int> total{0};
  std::vector<Thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&total] {
      for (int k = 0; k < kIterations; ++k) {
        runtime::chaos_point();
        total.fetch_add(1, std::memory_order_relaxed);
      }
      Thread inner([&total] { total.fetch_add(1000, std::memory_order_relaxed); });
      inner.start();
      inner.join();
    });
  }
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();
  for (auto& t : threads) EXPECT_FALSE(t.is_alive());
  runtime::enable_chaos(0);
  EXPECT_FALSE(runtime::chaos_enabled());
  EXPECT_EQ(total.load(), kThreads * (kIterations + 1000));
}

}  // namespace
}  // namespace braid
