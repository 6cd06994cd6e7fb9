// Tests for braid::subprocess::Popen: waiting, signals, redirections,
// descriptors and disposal, after CPython's test_subprocess.py. Every test
// checks that no descriptor and no child is left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "braid/subprocess.h"
#include "helpers/subprocess_test_support.h"

namespace braid::subprocess {
namespace {

using namespace std::chrono_literals;
using testing_support::kChatter;
using testing_support::SubprocessTest;

using PopenTest = SubprocessTest;

// A pipe owned by the test.
struct TestPipe {
  int r = -1, w = -1;
  TestPipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    r = fds[0];
    w = fds[1];
  }
  ~TestPipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (r >= 0) ::close(r);
    r = -1;
  }
  void close_write() {
    if (w >= 0) ::close(w);
    w = -1;
  }
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(r, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
};

TEST_F(PopenTest, WaitAndPoll) {
  Popen p({"true"});
  EXPECT_GT(p.pid(), 0);
  EXPECT_EQ(p.wait(), 0);
  EXPECT_EQ(p.wait(), 0);  // later calls return the returncode
  EXPECT_EQ(p.poll(), 0);
  EXPECT_EQ(p.returncode(), 0);
}

TEST_F(PopenTest, PollWhileRunning) {
  Popen p({"cat"}, {.stdin_ = PIPE});
  EXPECT_EQ(p.poll(), std::nullopt);
  EXPECT_EQ(p.returncode(), std::nullopt);
  p.stdin_pipe().close();  // cat sees end of file and exits
  EXPECT_EQ(p.wait(), 0);
  EXPECT_EQ(p.poll(), 0);
}

TEST_F(PopenTest, WaitTimeout) {
  Popen p({"cat"}, {.stdin_ = PIPE});
  try {
    p.wait(100us);
    FAIL() << "no exception";
  } catch (const TimeoutExpired& e) {
    EXPECT_STREQ(e.what(), "Command '['cat']' timed out after 0.0001 seconds");
    EXPECT_FALSE(e.output.has_value());
  }
  EXPECT_THROW(p.wait(0s), TimeoutExpired);
  p.stdin_pipe().close();
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0);
}

TEST_F(PopenTest, KillTerminateSendSignal) {
  {
    Popen p({"cat"}, {.stdin_ = PIPE});
    p.kill();
    EXPECT_EQ(p.wait(), -SIGKILL);
  }
  {
    Popen p({"cat"}, {.stdin_ = PIPE});
    p.terminate();
    EXPECT_EQ(p.wait(), -SIGTERM);
  }
  {
    Popen p({"cat"}, {.stdin_ = PIPE});
    p.send_signal(SIGUSR1);
    EXPECT_EQ(p.wait(), -SIGUSR1);
    EXPECT_EQ(p.repr(), "<Popen: returncode: -10 args: ['cat']>");
  }
}

TEST_F(PopenTest, SignalsToADeadChildAreIgnored) {
  Popen p({"true"});
  p.wait();
  EXPECT_NO_THROW(p.send_signal(SIGTERM));
  EXPECT_NO_THROW(p.kill());
  EXPECT_NO_THROW(p.terminate());
  EXPECT_EQ(p.returncode(), 0);
}

TEST_F(PopenTest, ThreadsafeWait) {
  // Python's test_threadsafe_wait: one thread kills and waits while the main
  // thread waits with a timeout; both see the same returncode.
  Popen p({"cat"}, {.stdin_ = PIPE});
  std::optional<int> seen_by_thread;
  std::thread killer([&] {
    std::this_thread::sleep_for(20ms);
    p.kill();
    seen_by_thread = p.wait();
  });
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), -9);
  killer.join();
  EXPECT_EQ(seen_by_thread, -9);
  EXPECT_EQ(p.wait(), -9);
}

TEST_F(PopenTest, ManyWaitersOneReap) {
  Popen p({"cat"}, {.stdin_ = PIPE});
  std::vector<std::thread> waiters;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    waiters.emplace_back([&, i] {
      if ((i % 2 == 0 ? p.wait() : p.wait(std::chrono::seconds(60))) == 0) ok.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(10ms);
  p.stdin_pipe().close();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(ok.load(), 4);
}

TEST_F(PopenTest, DestructorKillsARunningChild) {
  int pid;
  {
    Popen p({"sleep", "100"});
    pid = p.pid();
  }
  // Reaped: no zombie, no such process any more.
  EXPECT_EQ(::kill(pid, 0), -1);
}

TEST_F(PopenTest, DestructorReapsAnExitedChild) {
  { Popen p({"true"}); }
  { Popen p({"sh", "-c", "exit 3"}, {.stdout_ = PIPE}); }
}

TEST_F(PopenTest, Move) {
  Popen a({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE});
  Popen b(std::move(a));
  Stream& in = b.stdin_pipe();
  in.write("moved");
  in.close();
  EXPECT_EQ(b.stdout_pipe().read(), "moved");
  b.wait();
  Popen c({"true"});
  c = std::move(b);  // c's own child is disposed of
  EXPECT_EQ(c.returncode(), 0);
}

TEST_F(PopenTest, Repr) {
  Popen p({"ls", "--my-opts", std::string(100, 'a')}, {.stdout_ = DEVNULL, .stderr_ = DEVNULL});
  EXPECT_EQ(p.repr(),
            "<Popen: returncode: None args: ['ls', '--my-opts', 'aaaaaaaaaaaaaaaaaaaaaaaa...>");
  p.wait();
  Popen q("true");
  q.wait();
  EXPECT_EQ(q.repr(), "<Popen: returncode: 0 args: 'true'>");
}

TEST_F(PopenTest, StreamsReadWrite) {
  Popen p({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE});
  EXPECT_TRUE(p.stdin_pipe().is_pipe());
  EXPECT_FALSE(p.stderr_pipe().is_pipe());
  p.stdin_pipe().write("line one\nline two\nrest");
  EXPECT_EQ(p.stdout_pipe().readline(), "line one\n");
  p.stdin_pipe().close();
  EXPECT_EQ(p.stdout_pipe().read(5), "line ");
  EXPECT_EQ(p.stdout_pipe().readline(), "two\n");
  EXPECT_EQ(p.stdout_pipe().read(), "rest");
  EXPECT_EQ(p.stdout_pipe().readline(), "");
  p.stdout_pipe().close();
  EXPECT_THROW(p.stdout_pipe().read(), ValueError);
  EXPECT_THROW(p.stdin_pipe().write("x"), ValueError);
  EXPECT_THROW(p.stdout_pipe().fileno(), ValueError);
  EXPECT_EQ(p.wait(), 0);
}

TEST_F(PopenTest, WriteToAChildThatClosedStdinIsBrokenPipeNotSigpipe) {
  Popen p({"true"}, {.stdin_ = PIPE});
  p.wait();
  try {
    p.stdin_pipe().write(std::string(1 << 20, 'x'));
    FAIL() << "no exception";
  } catch (const OSError& e) {
    EXPECT_STREQ(e.what(), "[Errno 32] Broken pipe");
  }
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST_F(PopenTest, RedirectToDescriptors) {
  TestPipe out, in;
  ASSERT_EQ(::write(in.w, "apple", 5), 5);
  in.close_write();
  Popen p({"sh", "-c", "cat; echo pear >&2"}, {.stdin_ = in.r, .stdout_ = out.w, .stderr_ = STDOUT});
  EXPECT_EQ(p.wait(), 0);
  out.close_write();
  EXPECT_EQ(out.read_all(), "applepear\n");
}

TEST_F(PopenTest, DevNull) {
  Popen p({"sh", "-c", "cat; echo out; echo err >&2"},
          {.stdin_ = DEVNULL, .stdout_ = DEVNULL, .stderr_ = PIPE});
  EXPECT_EQ(p.stderr_pipe().read(), "err\n");
  EXPECT_EQ(p.wait(), 0);
}

TEST_F(PopenTest, SwappedStandardDescriptors) {
  // stdout to our fd 2 and stderr to our fd 1 — each must be read before it
  // is overwritten. Run in a shell whose own 1 and 2 are pipes we read.
  TestPipe one, two;
  const int saved1 = ::dup(1), saved2 = ::dup(2);
  ::dup2(one.w, 1);
  ::dup2(two.w, 2);
  {
    Popen p({"sh", "-c", "echo to-out; echo to-err >&2"}, {.stdout_ = 2, .stderr_ = 1});
    p.wait();
  }
  ::dup2(saved1, 1);
  ::dup2(saved2, 2);
  ::close(saved1);
  ::close(saved2);
  one.close_write();
  two.close_write();
  EXPECT_EQ(one.read_all(), "to-err\n");
  EXPECT_EQ(two.read_all(), "to-out\n");
}

TEST_F(PopenTest, BadDescriptor) {
  EXPECT_THROW(
      {
        try {
          Popen p({"true"}, {.stdout_ = 999});
        } catch (const OSError& e) {
          EXPECT_STREQ(e.what(), "[Errno 9] Bad file descriptor");
          throw;
        }
      },
      OSError);
  EXPECT_THROW(Popen({"true"}, {.stdin_ = STDOUT}), OSError);
}

TEST_F(PopenTest, NoDescriptorLeaksIntoChildren) {
  // Our pipes to one child never reach another, and close_fds closes the
  // parent's inheritable descriptors.
  Popen holder({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
  const int inheritable = ::dup(0);  // dup() does not set close-on-exec
  EXPECT_EQ(check_output({kChatter, "fds"}), "0 1 2\n");
  const std::string without = check_output({kChatter, "fds"}, {.close_fds = false});
  EXPECT_NE(without.find(" " + std::to_string(inheritable)), std::string::npos) << without;
  ::close(inheritable);
  holder.stdin_pipe().close();
  holder.wait();
}

TEST_F(PopenTest, PassFds) {
  TestPipe kept, other;
  const int other_inheritable = ::dup(other.r);
  const std::string fds = check_output({kChatter, "fds"}, {.pass_fds = {kept.w}});
  EXPECT_EQ(fds, "0 1 2 " + std::to_string(kept.w) + "\n");
  ::close(other_inheritable);
  // The parent's descriptor keeps its close-on-exec flag.
  EXPECT_EQ(::fcntl(kept.w, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST_F(PopenTest, FailedSpawnLeavesNothing) {
  for (int i = 0; i < 200; ++i) {
    EXPECT_THROW(Popen({"nosuchprog"}, {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE}),
                 FileNotFoundError);
  }
}

TEST_F(PopenTest, RestoreSignals) {
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  const std::string mask_default = check_output({"sh", "-c", "grep SigIgn /proc/self/status"});
  const std::string mask_kept =
      check_output({"sh", "-c", "grep SigIgn /proc/self/status"}, {.restore_signals = false});
  sigaction(SIGPIPE, &old, nullptr);
  // SIGPIPE is bit 12 (value 0x1000) of the ignored mask.
  auto ignores_sigpipe = [](const std::string& line) {
    return (std::stoull(line.substr(line.find(':') + 1), nullptr, 16) & 0x1000) != 0;
  };
  EXPECT_FALSE(ignores_sigpipe(mask_default)) << mask_default;
  EXPECT_TRUE(ignores_sigpipe(mask_kept)) << mask_kept;
}

TEST_F(PopenTest, NewSessionAndProcessGroup) {
  // Prints "pid pgrp session" of the shell.
  const char* script = "echo $$ $(cut -d' ' -f5,6 /proc/$$/stat)";
  auto ids = [&](const Options& o) {
    Options opts = o;
    opts.stdout_ = PIPE;
    Popen p({"sh", "-c", script}, opts);
    const std::string out = *p.communicate().stdout_;
    int pid = 0, pgrp = 0, sid = 0;
    EXPECT_EQ(std::sscanf(out.c_str(), "%d %d %d", &pid, &pgrp, &sid), 3) << out;
    return std::vector<int>{pid, pgrp, sid};
  };
  const auto plain = ids({});
  EXPECT_EQ(plain[1], ::getpgrp());
  EXPECT_EQ(plain[2], ::getsid(0));
  const auto session = ids({.start_new_session = true});
  EXPECT_EQ(session[1], session[0]);
  EXPECT_EQ(session[2], session[0]);
  const auto group = ids({.process_group = 0});
  EXPECT_EQ(group[1], group[0]);
  EXPECT_EQ(group[2], ::getsid(0));
}

}  // namespace
}  // namespace braid::subprocess
