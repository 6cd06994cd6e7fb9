// mp_process_test.cc: braid::mp::Process on the OS runtime, after the Process
// tests of CPython's _test_multiprocessing.py (fork start method).
#include "braid/mp/process.h"

#include <signal.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <tuple>

#include <gtest/gtest.h>

#include "braid/mp/connection.h"
#include "braid/os.h"
#include "braid/thread.h"
#include "leak_check.h"
#include "process_test_support.h"

namespace braid::mp {
namespace {

using namespace std::chrono_literals;

using testing_support::error_of;

TEST(MpProcess, CurrentProcessIsMainProcess) {
  Process me = current_process();
  EXPECT_EQ(me.name(), "MainProcess");
  EXPECT_TRUE(me.is_alive());
  EXPECT_EQ(me.pid(), os::getpid());
  EXPECT_FALSE(me.daemon());
  EXPECT_EQ(me.exitcode(), std::nullopt);
  EXPECT_FALSE(parent_process().has_value());
  EXPECT_EQ(error_of<AssertionError>([&] { me.join(); }), "can only join a child process");
  EXPECT_EQ(error_of<AssertionError>([&] { me.start(); }), "cannot start a process twice");
}

// _test_multiprocessing's test_process: the lifecycle seen from both sides.
TEST(MpProcess, Lifecycle) {
  braid_test::LeakCheck leaks;
  Connection reader, writer;
  std::tie(reader, writer) = Pipe(false);
  Process p(
      [](Connection w, int a, std::string b) {
        Process me = current_process();
        std::optional<Process> parent = parent_process();
        w.send(std::tuple<std::string, int, int, std::string, bool, int, std::string>(
            me.name(), *me.pid(), os::getpid(), parent->name(), parent->is_alive(), *parent->pid(),
            b + std::to_string(a)));
        w.close();
      },
      writer, 7, std::string("x"));
  EXPECT_EQ(p.name().rfind("Process-", 0), 0u);
  EXPECT_EQ(p.exitcode(), std::nullopt);
  EXPECT_FALSE(p.is_alive());
  EXPECT_EQ(p.pid(), std::nullopt);
  EXPECT_EQ(error_of<AssertionError>([&] { p.join(); }), "can only join a started process");
  EXPECT_EQ(error_of<ValueError>([&] { p.sentinel(); }), "process not started");

  p.start();
  writer.close();
  ASSERT_TRUE(p.pid().has_value());
  auto [name, pid1, pid2, parent_name, parent_alive, parent_pid, arg] =
      reader.recv<std::tuple<std::string, int, int, std::string, bool, int, std::string>>();
  EXPECT_EQ(name, p.name());
  EXPECT_EQ(pid1, *p.pid());
  EXPECT_EQ(pid2, *p.pid());
  EXPECT_EQ(parent_name, "MainProcess");
  EXPECT_TRUE(parent_alive);
  EXPECT_EQ(parent_pid, os::getpid());
  EXPECT_EQ(arg, "x7");
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_FALSE(p.is_alive());
  EXPECT_TRUE(active_children().empty());
  EXPECT_EQ(error_of<AssertionError>([&] { p.start(); }), "cannot start a process twice");
}

TEST(MpProcess, ExitCodes) {
  braid_test::LeakCheck leaks;
  Process zero([] {});
  Process five([] { exit(5); });
  Process wraps([] { exit(-1); });
  Process via_os([] { os::_exit(9); });
  for (Process* p : {&zero, &five, &wraps, &via_os}) p->start();
  for (Process* p : {&zero, &five, &wraps, &via_os}) p->join();
  EXPECT_EQ(zero.exitcode(), 0);
  EXPECT_EQ(five.exitcode(), 5);
  EXPECT_EQ(wraps.exitcode(), 255);
  EXPECT_EQ(via_os.exitcode(), 9);
}

// The child's stderr, captured through a pipe it dup2()s onto fd 2.
std::string run_and_capture_stderr(std::function<void()> body, std::optional<int>* code) {
  int r, w;
  std::tie(r, w) = os::pipe();
  Process p(
      [w = w, r = r](const std::function<void()>& f) {
        ::close(r);
        ::dup2(w, 2);
        ::close(w);
        f();
      },
      std::move(body));
  p.start();
  os::close(w);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(r, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  os::close(r);
  p.join();
  *code = p.exitcode();
  return out;
}

TEST(MpProcess, ExceptionInTargetIsPrintedAndExitsWithOne) {
  braid_test::LeakCheck leaks;
  std::optional<int> code;
  std::string err = run_and_capture_stderr([] { throw ValueError("bad input"); }, &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("Process Process-"), std::string::npos) << err;
  EXPECT_NE(err.find("\nValueError: bad input\n"), std::string::npos) << err;
}

TEST(MpProcess, ExitWithMessagePrintsItAndExitsWithOne) {
  braid_test::LeakCheck leaks;
  std::optional<int> code;
  std::string err = run_and_capture_stderr([] { exit(std::string("giving up")); }, &code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err, "giving up\n");
}

// _test_multiprocessing's test_terminate / test_kill.
TEST(MpProcess, TerminateAndKill) {
  braid_test::LeakCheck leaks;
  for (int sig : {SIGTERM, SIGKILL}) {
    Process p([] {
      for (;;) ::pause();
    });
    p.start();
    p.join(0s);
    EXPECT_TRUE(p.is_alive());
    p.join(10ms);  // a timed join returns while the child runs
    EXPECT_EQ(p.exitcode(), std::nullopt);
    EXPECT_EQ(active_children().size(), 1u);
    if (sig == SIGTERM) {
      p.terminate();
    } else {
      p.kill();
    }
    p.join();
    EXPECT_EQ(p.exitcode(), -sig);
    p.terminate();  // a finished process: nothing happens
  }
}

TEST(MpProcess, SignalBeforeStartIsAnError) {
  Process p([] {});
  EXPECT_EQ(error_of<AssertionError>([&] { p.terminate(); }), "can only terminate a started process");
  EXPECT_EQ(error_of<AssertionError>([&] { p.kill(); }), "can only kill a started process");
}

// _test_multiprocessing's test_close.
TEST(MpProcess, Close) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  Process p([r = r, w = w] {
    w.close();  // the child's copy of the writing end
    (void)r.poll(std::nullopt);
  });
  p.start();
  EXPECT_EQ(error_of<ValueError>([&] { p.close(); }),
            "Cannot close a process while it is still running. You should first call join() or "
            "terminate().");
  w.close();  // EOF: the child's poll returns
  r.close();
  p.join();
  p.close();
  p.close();  // twice is fine
  const std::string closed = "process object is closed";
  EXPECT_EQ(error_of<ValueError>([&] { p.is_alive(); }), closed);
  EXPECT_EQ(error_of<ValueError>([&] { p.join(); }), closed);
  EXPECT_EQ(error_of<ValueError>([&] { p.exitcode(); }), closed);
  EXPECT_EQ(error_of<ValueError>([&] { p.pid(); }), closed);
  EXPECT_EQ(error_of<ValueError>([&] { p.start(); }), closed);
  EXPECT_EQ(error_of<ValueError>([&] { p.sentinel(); }), closed);
}

// The tutorial's lesson: a child works on a copy of the parent's memory.
int g_counter = 0;

TEST(MpProcess, ChildWritesNeverReachTheParent) {
  braid_test::LeakCheck leaks;
  g_counter = 1;
  auto box = std::make_shared<int>(10);
  Process p([box] {
    g_counter += 100;
    *box += 100;
    exit(g_counter == 101 && *box == 110 ? 0 : 1);
  });
  p.start();
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(g_counter, 1);
  EXPECT_EQ(*box, 10);
}

TEST(MpProcess, DaemonFlag) {
  braid_test::LeakCheck leaks;
  Process d(ProcessOptions{.name = "worker", .daemon = true}, [] {
    // A daemonic process cannot have children.
    Process child([] {});
    try {
      child.start();
    } catch (const AssertionError& e) {
      exit(std::string(e.what()) == "daemonic processes are not allowed to have children" ? 7 : 1);
    }
    exit(2);
  });
  EXPECT_EQ(d.name(), "worker");
  EXPECT_TRUE(d.daemon());
  d.start();
  EXPECT_EQ(error_of<AssertionError>([&] { d.set_daemon(false); }), "process has already started");
  d.join();
  EXPECT_EQ(d.exitcode(), 7);
}

// Names count per process: the child's children are "Process-N:1", ...
TEST(MpProcess, NamesOfGrandchildren) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  Process p([w = w] {
    Process g1([] {});
    Process g2([] {});
    w.send(std::pair<std::string, std::string>(g1.name(), g2.name()));
    g1.start();
    g1.join();
    exit(*g1.exitcode());
  });
  p.start();
  w.close();
  auto [n1, n2] = r.recv<std::pair<std::string, std::string>>();
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(n1, p.name() + ":1");
  EXPECT_EQ(n2, p.name() + ":2");
}

TEST(MpProcess, SentinelBecomesReadyWhenTheChildEnds) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  Process p([r = r, w = w] {
    w.close();
    (void)r.poll(std::nullopt);
  });
  p.start();
  r.close();
  int s = p.sentinel();
  EXPECT_TRUE(wait(std::vector<int>{s}, 0s).empty());
  w.close();
  EXPECT_EQ(wait(std::vector<int>{s}), std::vector<int>{s});
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
}

TEST(MpProcess, ManyChildren) {
  braid_test::LeakCheck leaks;
  std::vector<Process> ps;
  for (int i = 0; i < 8; ++i) ps.emplace_back([](int code) { exit(code); }, i);
  for (auto& p : ps) p.start();
  EXPECT_LE(active_children().size(), 8u);
  for (auto& p : ps) p.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(ps[i].exitcode(), i);
  EXPECT_TRUE(active_children().empty());
}

TEST(MpProcess, MoveOnlyArgumentsAndStartFromAThread) {
  braid_test::LeakCheck leaks;
  std::optional<int> code;
  Thread t([&] {
    Process p([](std::unique_ptr<int> v) { exit(*v); }, std::make_unique<int>(42));
    p.start();
    p.join();
    code = p.exitcode();
  });
  t.start();
  t.join();
  EXPECT_EQ(code, 42);
}

TEST(MpProcess, ParentProcessJoinWaitsForTheParentSentinel) {
  braid_test::LeakCheck leaks;
  Process p([] {
    std::optional<Process> parent = parent_process();
    parent->join(1ms);  // the parent is alive: the timed join returns
    exit(parent->is_alive() && parent->exitcode() == std::nullopt ? 0 : 1);
  });
  p.start();
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
}

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BRAID_TEST_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define BRAID_TEST_UNDER_TSAN 1
#endif

// threading._shutdown in the child: it waits for its non-daemon threads
// before it exits. (Skipped under TSan, whose forked children of a
// multithreaded parent must not start threads.)
#ifndef BRAID_TEST_UNDER_TSAN
TEST(MpProcess, ChildWaitsForItsThreads) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  Process p([w = w] {
    Thread t([w] {
      braid::sleep(20ms);
      w.send(std::string("from the thread"));
    });
    t.start();
  });
  p.start();
  w.close();
  EXPECT_EQ(r.recv<std::string>(), "from the thread");
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
}
#endif

}  // namespace
}  // namespace braid::mp
