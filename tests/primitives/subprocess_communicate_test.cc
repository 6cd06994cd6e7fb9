// Tests for braid::subprocess::Popen::communicate(), after CPython's
// test_subprocess.py (test_communicate*, test_writes_before_communicate,
// test_communicate_epipe*, test_communicate_eintr), and with braid_chatter
// (tests/helpers/) for deadlock-prone sizes. Timeouts are made certain by a
// "gate": a pipe the child waits on until the test closes it, so no test
// depends on timing. Every test checks that nothing is left behind.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "braid/subprocess.h"
#include "helpers/chatter.h"
#include "helpers/subprocess_test_support.h"

namespace braid::subprocess {
namespace {

using namespace std::chrono_literals;
using testing_support::chatter_bytes;
using testing_support::chatter_expected_stdout;
using testing_support::kChatter;
using testing_support::SubprocessTest;

using CommunicateTest = SubprocessTest;

// A pipe whose write end the child inherits; closing it opens the gate.
struct Gate {
  int r = -1, w = -1;
  Gate() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    r = fds[0];
    w = fds[1];
  }
  ~Gate() {
    open();
    if (r >= 0) ::close(r);
  }
  void open() {
    if (w >= 0) ::close(w);
    w = -1;
  }
  // The shell command that waits for the gate (sh takes one-digit numbers).
  std::string sh_wait() const {
    EXPECT_LT(r, 10);
    return "read x <&" + std::to_string(r);
  }
};

TEST_F(CommunicateTest, Stdin) {
  Popen p({"sh", "-c", "test \"$(cat)\" = pear"}, {.stdin_ = PIPE});
  const auto [out, err] = p.communicate("pear");
  EXPECT_FALSE(out.has_value());
  EXPECT_FALSE(err.has_value());
  EXPECT_EQ(p.returncode(), 0);
}

TEST_F(CommunicateTest, Stdout) {
  Popen p({"printf", "pineapple"}, {.stdout_ = PIPE});
  const auto [out, err] = p.communicate();
  EXPECT_EQ(out, "pineapple");
  EXPECT_FALSE(err.has_value());
}

TEST_F(CommunicateTest, Stderr) {
  Popen p({"sh", "-c", "printf pineapple >&2"}, {.stderr_ = PIPE});
  const auto [out, err] = p.communicate();
  EXPECT_FALSE(out.has_value());
  EXPECT_EQ(err, "pineapple");
}

TEST_F(CommunicateTest, AllThree) {
  Popen p({"sh", "-c", "printf pineapple >&2; cat"}, {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
  const auto [out, err] = p.communicate("banana");
  EXPECT_EQ(out, "banana");
  EXPECT_EQ(err, "pineapple");
  EXPECT_TRUE(p.stdin_pipe().closed());
  EXPECT_TRUE(p.stdout_pipe().closed());
  EXPECT_TRUE(p.stderr_pipe().closed());
  EXPECT_EQ(p.returncode(), 0);
}

TEST_F(CommunicateTest, NoPipes) {
  Popen p({"sh", "-c", "exit 47"});
  const auto [out, err] = p.communicate();
  EXPECT_FALSE(out.has_value());
  EXPECT_FALSE(err.has_value());
  EXPECT_EQ(p.returncode(), 47);
}

TEST_F(CommunicateTest, EveryCombinationOfPipesClosesThem) {
  for (int mask = 1; mask < 8; ++mask) {
    Options o;
    if (mask & 1) o.stdin_ = PIPE;
    if (mask & 2) o.stdout_ = PIPE;
    if (mask & 4) o.stderr_ = PIPE;
    Popen p({"true"}, o);
    p.communicate();
    EXPECT_TRUE(p.stdin_pipe().closed());
    EXPECT_TRUE(p.stdout_pipe().closed());
    EXPECT_TRUE(p.stderr_pipe().closed());
    EXPECT_EQ(p.returncode(), 0);
  }
}

TEST_F(CommunicateTest, LargerThanPipeBuffersBothWays) {
  // Python's test_communicate_pipe_buf: the child reads some input, writes a
  // large error, then echoes the rest: a naive implementation deadlocks.
  const std::string input(4 << 20, 'a');
  Popen p({"sh", "-c", "head -c 47; head -c 4194304 /dev/zero >&2; cat"},
          {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
  const auto [out, err] = p.communicate(input);
  EXPECT_EQ(out, input);
  EXPECT_EQ(err->size(), 4u << 20);
}

TEST_F(CommunicateTest, ChatterBigEverything) {
  const std::string input = chatter_bytes(99, 0, 3 << 20);
  Popen p({kChatter, "seed=5", "out=3000000", "err=2500000"},
          {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
  const auto [out, err] = p.communicate(input);
  EXPECT_TRUE(*out == chatter_expected_stdout(5, 3000000, input));
  EXPECT_TRUE(*err == chatter_bytes(5, 2, 2500000));
  EXPECT_EQ(p.returncode(), 0);
}

TEST_F(CommunicateTest, ChildClosingStdinEarlyIsNotAnError) {
  // Python's test_communicate_epipe: EPIPE on stdin is hidden, and SIGPIPE
  // never reaches the parent.
  const std::string input(1 << 20, 'x');
  {
    Popen p({"true"}, {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
    EXPECT_NO_THROW(p.communicate(input));
  }
  {
    Popen p({kChatter, "read=10", "out=70000"}, {.stdin_ = PIPE, .stdout_ = PIPE});
    const auto [out, err] = p.communicate(input);
    EXPECT_TRUE(*out == chatter_expected_stdout(1, 70000, input.substr(0, 10)));
  }
  sigset_t pending;
  sigpending(&pending);
  EXPECT_FALSE(sigismember(&pending, SIGPIPE));
}

TEST_F(CommunicateTest, EpipeOnlyStdin) {
  Popen p({"true"}, {.stdin_ = PIPE});
  p.wait();
  EXPECT_NO_THROW(p.communicate(std::string(1 << 20, 'x')));
}

TEST_F(CommunicateTest, WritesBeforeCommunicate) {
  Popen p({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
  p.stdin_pipe().write("banana");
  const auto [out, err] = p.communicate("split");
  EXPECT_EQ(out, "bananasplit");
  EXPECT_EQ(err, "");
}

TEST_F(CommunicateTest, ReadAheadIsNotLost) {
  Popen p({"sh", "-c", "echo one; echo two; echo three"}, {.stdout_ = PIPE});
  EXPECT_EQ(p.stdout_pipe().readline(), "one\n");
  const auto [out, err] = p.communicate();
  EXPECT_EQ(out, "two\nthree\n");
}

TEST_F(CommunicateTest, TimeoutThenEverything) {
  // Python's test_communicate_timeout, with a gate instead of a sleep.
  Gate gate;
  Popen p({"sh", "-c", "echo pineapple >&2; " + gate.sh_wait() + "; echo pear >&2; cat"},
          {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE, .pass_fds = {gate.r}});
  EXPECT_THROW(p.communicate("banana", 30ms), TimeoutExpired);
  gate.open();
  const auto [out, err] = p.communicate();
  EXPECT_EQ(out, "banana");
  EXPECT_EQ(err, "pineapple\npear\n");
}

TEST_F(CommunicateTest, TimeoutWithLargeOutputLosesNothing) {
  // Python's test_communicate_timeout_large_output.
  Gate gate;
  Popen p({"sh", "-c", "head -c 131072 /dev/zero; " + gate.sh_wait() + "; head -c 131072 /dev/zero"},
          {.stdout_ = PIPE, .pass_fds = {gate.r}});
  try {
    p.communicate(std::nullopt, 30ms);
    FAIL() << "no exception";
  } catch (const TimeoutExpired& e) {
    EXPECT_LE(e.output.value_or("").size(), 131072u);
  }
  gate.open();
  const auto [out, err] = p.communicate();
  EXPECT_EQ(out->size(), 262144u);
}

TEST_F(CommunicateTest, TimeoutMidInputResumes) {
  // The child stops reading halfway; the rest of the input is sent by the
  // next call even though the caller's string is gone by then.
  Gate gate;
  const std::string expected_input = chatter_bytes(3, 0, 2 << 20);
  Popen p({kChatter, "seed=3", "out=1000000", "err=1000000", "gate=" + std::to_string(gate.r)},
          {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE, .pass_fds = {gate.r}});
  {
    std::string input = expected_input;
    EXPECT_THROW(p.communicate(input, 30ms), TimeoutExpired);
    input.assign(input.size(), '!');  // overwritten: the Popen must hold its own copy
  }
  EXPECT_THROW(p.communicate(std::nullopt, 1ms), TimeoutExpired);
  gate.open();
  const auto [out, err] = p.communicate();
  EXPECT_TRUE(*out == chatter_expected_stdout(3, 1000000, expected_input));
  EXPECT_TRUE(*err == chatter_bytes(3, 2, 1000000));
}

TEST_F(CommunicateTest, NoInputAfterStarting) {
  Gate gate;
  Popen p({"sh", "-c", gate.sh_wait() + "; cat"}, {.stdin_ = PIPE, .stdout_ = PIPE, .pass_fds = {gate.r}});
  EXPECT_THROW(p.communicate("x", 10ms), TimeoutExpired);
  try {
    p.communicate("more");
    FAIL() << "no exception";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "Cannot send input after starting communication");
  }
  gate.open();
  EXPECT_EQ(p.communicate("").stdout_, "x");
}

TEST_F(CommunicateTest, ResultsAreTakenOnce) {
  Popen p({"echo", "once"}, {.stdout_ = PIPE});
  EXPECT_EQ(p.communicate().stdout_, "once\n");
  EXPECT_EQ(p.communicate().stdout_, "");
}

TEST_F(CommunicateTest, TimeoutWhileWaitingAfterPipesClosed) {
  Gate gate;
  // The child closes its stdout and stderr, then waits for the gate.
  const std::string script = "echo done; exec >&- 2>&-; " + gate.sh_wait();
  Popen p({"sh", "-c", script}, {.stdout_ = PIPE, .stderr_ = PIPE, .pass_fds = {gate.r}});
  try {
    p.communicate(std::nullopt, 30ms);
    FAIL() << "no exception";
  } catch (const TimeoutExpired& e) {
    EXPECT_EQ(e.what(), "Command '['sh', '-c', '" + script + "']' timed out after 0.03 seconds");
  }
  gate.open();
  EXPECT_EQ(p.communicate().stdout_, "done\n");
}

void on_usr1(int) {}

TEST_F(CommunicateTest, Eintr) {
  // Python's test_communicate_eintr: a signal interrupting the poll.
  struct sigaction sa {}, old {};
  sa.sa_handler = on_usr1;  // no SA_RESTART
  sigaction(SIGUSR1, &sa, &old);
  for (const Redirect& r : {Redirect(PIPE), Redirect()}) {
    Options o;
    o.stdout_ = r ? PIPE : DEVNULL;
    o.stderr_ = r ? DEVNULL : PIPE;
    Popen p({"sh", "-c", "kill -USR1 $PPID; echo hi; echo hi >&2"}, o);
    const auto [out, err] = p.communicate(std::nullopt, std::chrono::seconds(60));
    EXPECT_EQ(r ? out : err, "hi\n");
  }
  sigaction(SIGUSR1, &old, nullptr);
}

}  // namespace
}  // namespace braid::subprocess
