// os_test.cc: braid/os.h and runtime::fork_process() on the OS runtime.
#include "braid/os.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstring>
#include <string>

#include <tuple>

#include <gtest/gtest.h>

#include "braid/thread.h"
#include "leak_check.h"

namespace braid {
namespace {

// Waits for `pid` and returns its exit code (negative: killed by a signal).
int reap(int pid) {
  auto [p, status] = os::waitpid(pid, 0);
  EXPECT_EQ(p, pid);
  return os::waitstatus_to_exitcode(status);
}

TEST(Os, ForkExitWaitpid) {
  braid_test::LeakCheck leaks;
  int pid = os::fork();
  if (pid == 0) os::_exit(3);
  ASSERT_GT(pid, 0);
  auto [p, status] = os::waitpid(pid, 0);
  EXPECT_EQ(p, pid);
  EXPECT_TRUE(os::WIFEXITED(status));
  EXPECT_FALSE(os::WIFSIGNALED(status));
  EXPECT_EQ(os::WEXITSTATUS(status), 3);
  EXPECT_EQ(os::waitstatus_to_exitcode(status), 3);
}

TEST(Os, KilledChildHasNegativeExitCode) {
  braid_test::LeakCheck leaks;
  int pid = os::fork();
  if (pid == 0) {
    ::raise(SIGKILL);
    os::_exit(0);
  }
  auto [p, status] = os::waitpid(pid, 0);
  EXPECT_TRUE(os::WIFSIGNALED(status));
  EXPECT_EQ(os::WTERMSIG(status), SIGKILL);
  EXPECT_EQ(os::waitstatus_to_exitcode(status), -SIGKILL);
}

TEST(Os, WaitpidWithoutChildrenIsChildProcessError) {
  braid_test::LeakCheck leaks;
  try {
    os::waitpid(-1, 0);
    FAIL() << "expected ChildProcessError";
  } catch (const ChildProcessError& e) {
    EXPECT_STREQ(e.what(), "[Errno 10] No child processes");
    EXPECT_STREQ(e.type_name(), "ChildProcessError");
    EXPECT_NE(dynamic_cast<const OSError*>(&e), nullptr);
  }
  EXPECT_THROW(os::waitpid(-1, os::WNOHANG), ChildProcessError);
}

TEST(Os, WnohangReportsARunningChildAsZero) {
  braid_test::LeakCheck leaks;
  int r, w;
  std::tie(r, w) = os::pipe();
  int pid = os::fork();
  if (pid == 0) {
    ::close(w);
    char c;
    ssize_t n = ::read(r, &c, 1);  // blocks until the parent closes `w`
    os::_exit(n == 0 ? 0 : 1);
  }
  os::close(r);
  EXPECT_EQ(os::waitpid(pid, os::WNOHANG), (std::pair<int, int>(0, 0)));
  EXPECT_TRUE(braid_test::has_children());
  os::close(w);
  EXPECT_EQ(reap(pid), 0);
}

TEST(Os, WaitstatusToExitcodeErrors) {
  try {
    os::waitstatus_to_exitcode(0x137f);  // stopped by SIGSTOP
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "process stopped by delivery of signal 19");
  }
  try {
    os::waitstatus_to_exitcode(-1);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "invalid wait status: -1");
  }
  EXPECT_EQ(os::waitstatus_to_exitcode(0x0100), 1);
  EXPECT_EQ(os::waitstatus_to_exitcode(9), -9);
  // The global names stand for the same functions.
  EXPECT_TRUE(WIFEXITED(0x0200));
  EXPECT_EQ(WEXITSTATUS(0x0200), 2);
}

TEST(Os, GetpidAndGetppidInTheChild) {
  braid_test::LeakCheck leaks;
  int r, w;
  std::tie(r, w) = os::pipe();
  int parent = os::getpid();
  EXPECT_EQ(parent, static_cast<int>(::getpid()));
  int pid = os::fork();
  if (pid == 0) {
    int ids[2] = {os::getpid(), os::getppid()};
    ssize_t n = ::write(w, ids, sizeof ids);
    os::_exit(n == sizeof ids ? 0 : 1);
  }
  os::close(w);
  int ids[2] = {0, 0};
  EXPECT_EQ(::read(r, ids, sizeof ids), static_cast<ssize_t>(sizeof ids));
  os::close(r);
  EXPECT_EQ(reap(pid), 0);
  EXPECT_EQ(ids[0], pid);
  EXPECT_EQ(ids[1], parent);
}

TEST(Os, KillAndProcessLookupError) {
  braid_test::LeakCheck leaks;
  int pid = os::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  os::kill(pid, SIGTERM);
  EXPECT_EQ(reap(pid), -SIGTERM);
  try {
    os::kill(INT_MAX, 0);
    FAIL();
  } catch (const ProcessLookupError& e) {
    EXPECT_STREQ(e.what(), "[Errno 3] No such process");
  }
}

TEST(Os, PipeAndClose) {
  braid_test::LeakCheck leaks;
  int r, w;
  std::tie(r, w) = os::pipe();
  EXPECT_EQ(::write(w, "x", 1), 1);
  char c = 0;
  EXPECT_EQ(::read(r, &c, 1), 1);
  EXPECT_EQ(c, 'x');
  os::close(r);
  os::close(w);
  try {
    os::close(r);
    FAIL();
  } catch (const OSError& e) {
    EXPECT_STREQ(e.what(), "[Errno 9] Bad file descriptor");
  }
}

// A signal that interrupts waitpid() (no SA_RESTART) does not surface: PEP 475.
TEST(Os, WaitpidRetriesAfterEintr) {
  braid_test::LeakCheck leaks;
  struct sigaction sa {}, old {};
  sa.sa_handler = [](int) {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  int parent = os::getpid();
  int pid = os::fork();
  if (pid == 0) {
    ::kill(parent, SIGUSR1);
    ::usleep(20000);  // let the signal land while the parent waits
    os::_exit(5);
  }
  EXPECT_EQ(reap(pid), 5);
  ::sigaction(SIGUSR1, &old, nullptr);
}

// threading._after_fork: only the forking thread lives on in the child, as
// its main thread; every other thread reads as stopped.
TEST(Os, ForkFromAThreadMakesItTheChildsMainThread) {
  braid_test::LeakCheck leaks;
  std::atomic<int> child_code{-1};
  Thread main_before = main_thread();
  Thread t(ThreadOptions{.name = "forker"}, [&] {
    int pid = os::fork();
    if (pid == 0) {
      int bad = 0;
      if (!(current_thread() == main_thread())) bad |= 1;
      if (current_thread().name() != "forker") bad |= 2;
      if (active_count() != 1) bad |= 4;
      if (main_before.is_alive()) bad |= 8;
      if (!current_thread().is_alive()) bad |= 16;
      if (get_native_id() != static_cast<std::uint64_t>(::getpid())) bad |= 32;
      main_before.join();  // a stopped thread joins at once
      os::_exit(bad);
    }
    child_code.store(reap(pid));
  });
  t.start();
  t.join();
  EXPECT_EQ(child_code.load(), 0);
  // The parent is unchanged.
  EXPECT_TRUE(main_thread() == main_before);
  EXPECT_TRUE(main_before.is_alive());
}

TEST(Os, ForkFromMainKeepsMainAndStopsOtherThreads) {
  braid_test::LeakCheck leaks;
  int r, w;
  std::tie(r, w) = os::pipe();
  Thread blocked([r = r] {
    char c;
    (void)::read(r, &c, 1);
  });
  blocked.start();
  int pid = os::fork();
  if (pid == 0) {
    int bad = 0;
    if (!(current_thread() == main_thread())) bad |= 1;
    if (current_thread().name() != "MainThread") bad |= 2;
    if (active_count() != 1) bad |= 4;
    if (blocked.is_alive()) bad |= 8;
    os::_exit(bad);
  }
  EXPECT_EQ(reap(pid), 0);
  EXPECT_TRUE(blocked.is_alive());
  EXPECT_EQ(active_count(), 2u);
  os::close(w);  // EOF: the reader ends
  blocked.join();
  os::close(r);
}

// Threads registering and unregistering while another forks: the child's
// registry is never left locked by a thread that is gone.
TEST(Os, ForkWhileThreadsComeAndGo) {
  braid_test::LeakCheck leaks;
  std::atomic<bool> stop{false};
  Thread churn([&] {
    while (!stop.load()) {
      Thread quick([] {});
      quick.start();
      quick.join();
    }
  });
  churn.start();
  for (int i = 0; i < 20; ++i) {
    int pid = os::fork();
    if (pid == 0) os::_exit(active_count() == 1 ? 0 : 1);
    EXPECT_EQ(reap(pid), 0);
  }
  stop.store(true);
  churn.join();
}

}  // namespace
}  // namespace braid
