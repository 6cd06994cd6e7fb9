// Tests for braid::subprocess's functions (run, call, check_call,
// check_output) and its errors, after CPython's test_subprocess.py
// (ProcessTestCase, RunFuncTestCase, POSIXProcessTestCase). Every test checks
// that no descriptor and no child is left behind.
#include "braid/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "helpers/subprocess_test_support.h"

namespace braid::subprocess {
namespace {

using namespace std::chrono_literals;
using testing_support::SubprocessTest;

using SubprocessRunTest = SubprocessTest;

// The message of the exception `body` throws as E.
template <typename E, typename F>
std::string message_of(F&& body) {
  try {
    body();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

TEST_F(SubprocessRunTest, ReturnCode) {
  EXPECT_EQ(run({"true"}).returncode, 0);
  EXPECT_EQ(run({"false"}).returncode, 1);
  EXPECT_EQ(run({"sh", "-c", "exit 47"}).returncode, 47);
}

TEST_F(SubprocessRunTest, NotCapturedIsNullopt) {
  const CompletedProcess r = run({"true"});
  EXPECT_EQ(r.args, Args({"true"}));
  EXPECT_FALSE(r.stdout_.has_value());
  EXPECT_FALSE(r.stderr_.has_value());
  EXPECT_EQ(r.repr(), "CompletedProcess(args=['true'], returncode=0)");
}

TEST_F(SubprocessRunTest, CaptureOutput) {
  const auto r = run({"sh", "-c", "echo BDFL; echo FLUFL >&2"}, {.capture_output = true});
  EXPECT_EQ(r.stdout_, "BDFL\n");
  EXPECT_EQ(r.stderr_, "FLUFL\n");
  EXPECT_EQ(r.repr(),
            "CompletedProcess(args=['sh', '-c', 'echo BDFL; echo FLUFL >&2'], returncode=0, "
            "stdout=b'BDFL\\n', stderr=b'FLUFL\\n')");
}

TEST_F(SubprocessRunTest, Input) {
  const auto r = run({"tr", "a-z", "A-Z"}, {.stdout_ = PIPE, .input = "pear"});
  EXPECT_EQ(r.stdout_, "PEAR");
  EXPECT_FALSE(r.stderr_.has_value());
}

TEST_F(SubprocessRunTest, CheckRaisesWithOutput) {
  try {
    run({"sh", "-c", "echo out; echo err >&2; exit 3"}, {.capture_output = true, .check = true});
    FAIL() << "no exception";
  } catch (const CalledProcessError& e) {
    EXPECT_EQ(e.returncode, 3);
    EXPECT_EQ(e.cmd, Args({"sh", "-c", "echo out; echo err >&2; exit 3"}));
    EXPECT_EQ(e.output, "out\n");
    EXPECT_EQ(e.stderr_, "err\n");
    EXPECT_STREQ(e.what(),
                 "Command '['sh', '-c', 'echo out; echo err >&2; exit 3']' returned non-zero exit "
                 "status 3.");
    EXPECT_STREQ(e.type_name(), "CalledProcessError");
  }
  EXPECT_NO_THROW(run({"true"}, {.check = true}));
}

TEST_F(SubprocessRunTest, CheckReturncode) {
  EXPECT_NO_THROW(run({"true"}).check_returncode());
  const auto r = run({"sh", "-c", "exit 2"});
  EXPECT_THROW(r.check_returncode(), CalledProcessError);
}

TEST_F(SubprocessRunTest, CalledProcessErrorMessages) {
  EXPECT_STREQ(CalledProcessError(1, "false").what(),
               "Command 'false' returned non-zero exit status 1.");
  EXPECT_STREQ(CalledProcessError(-SIGABRT, "fake cmd").what(),
               "Command 'fake cmd' died with <Signals.SIGABRT: 6>.");
  EXPECT_STREQ(CalledProcessError(-9999, "fake cmd").what(),
               "Command 'fake cmd' died with unknown signal 9999.");
  EXPECT_STREQ(CalledProcessError(-64, Args({"a"})).what(),
               "Command '['a']' died with <Signals.SIGRTMAX: 64>.");
  EXPECT_STREQ(CalledProcessError(1, Args({"it's", "a\"b", "\n\t\x01"})).what(),
               "Command '[\"it's\", 'a\"b', '\\n\\t\\x01']' returned non-zero exit status 1.");
  const SubprocessError& base = CalledProcessError(1, "x");
  EXPECT_STREQ(base.type_name(), "CalledProcessError");
}

TEST_F(SubprocessRunTest, CheckReportsSignal) {
  try {
    run({"sh", "-c", "kill -9 $$"}, {.check = true});
    FAIL() << "no exception";
  } catch (const CalledProcessError& e) {
    EXPECT_EQ(e.returncode, -9);
    EXPECT_STREQ(e.what(), "Command '['sh', '-c', 'kill -9 $$']' died with <Signals.SIGKILL: 9>.");
  }
}

TEST_F(SubprocessRunTest, TimeoutKillsAndKeepsPartialOutput) {
  // The child waits for a pipe nobody writes to, so it outlives the timeout
  // whatever the scheduling.
  int gate[2];
  ASSERT_EQ(::pipe2(gate, O_CLOEXEC), 0);
  ASSERT_LT(gate[0], 10);
  const std::string script = "echo partial; read x <&" + std::to_string(gate[0]);
  try {
    run({"sh", "-c", script}, {.capture_output = true, .timeout = 50ms, .pass_fds = {gate[0]}});
    ADD_FAILURE() << "no exception";
  } catch (const TimeoutExpired& e) {
    EXPECT_EQ(e.what(), "Command '['sh', '-c', '" + script + "']' timed out after 0.05 seconds");
    EXPECT_EQ(e.timeout, 50ms);
    if (e.output) {
      EXPECT_EQ(*e.output, "partial\n");
    }
    EXPECT_FALSE(e.stderr_.has_value());
  }
  ::close(gate[0]);
  ::close(gate[1]);
}

TEST_F(SubprocessRunTest, TimeoutMessages) {
  EXPECT_STREQ(TimeoutExpired("x", 2s).what(), "Command 'x' timed out after 2 seconds");
  EXPECT_STREQ(TimeoutExpired("x", 1500ms).what(), "Command 'x' timed out after 1.5 seconds");
  EXPECT_STREQ(TimeoutExpired("x", 100us).what(), "Command 'x' timed out after 0.0001 seconds");
  EXPECT_STREQ(TimeoutExpired("x", 10us).what(), "Command 'x' timed out after 1e-05 seconds");
  EXPECT_STREQ(TimeoutExpired("x", -1s).what(), "Command 'x' timed out after -1 seconds");
  EXPECT_STREQ(TimeoutExpired("x", std::chrono::hours(1000)).what(),
               "Command 'x' timed out after 3600000 seconds");
  EXPECT_STREQ(TimeoutExpired("x", std::chrono::nanoseconds(123456789123456789)).what(),
               "Command 'x' timed out after 123456789.12345679 seconds");
}

TEST_F(SubprocessRunTest, ZeroTimeoutExpiresAtOnce) {
  EXPECT_THROW(run({"sleep", "10"}, {.timeout = 0ms}), TimeoutExpired);
  EXPECT_THROW(run({"sleep", "10"}, {.timeout = -1s}), TimeoutExpired);
}

TEST_F(SubprocessRunTest, ArgumentErrors) {
  EXPECT_EQ(message_of<ValueError>([] { run({"cat"}, {.stdin_ = PIPE, .input = "x"}); }),
            "stdin and input arguments may not both be used.");
  EXPECT_EQ(message_of<ValueError>([] { run({"true"}, {.stdout_ = PIPE, .capture_output = true}); }),
            "stdout and stderr arguments may not be used with capture_output.");
  EXPECT_EQ(message_of<ValueError>([] { run({"true"}, {.stderr_ = PIPE, .capture_output = true}); }),
            "stdout and stderr arguments may not be used with capture_output.");
  EXPECT_EQ(message_of<ValueError>([] { run(std::vector<std::string>{}); }),
            "args must not be empty");
  EXPECT_EQ(message_of<ValueError>([] { run({std::string("tr\0ue", 5)}); }), "embedded null byte");
  EXPECT_EQ(message_of<ValueError>([] { run({"true"}, {.env = Environment{{"A=B", "1"}}}); }),
            "illegal environment variable name");
  EXPECT_EQ(message_of<ValueError>([] { Popen p({"true"}, {.timeout = 1s}); }),
            "Popen() got an unexpected keyword argument 'timeout'");
}

TEST_F(SubprocessRunTest, ProgramNotFound) {
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({"nosuchprog"}); }),
            "[Errno 2] No such file or directory: 'nosuchprog'");
  EXPECT_EQ(message_of<FileNotFoundError>([] { run("nosuchprog"); }),
            "[Errno 2] No such file or directory: 'nosuchprog'");
  EXPECT_EQ(message_of<FileNotFoundError>([] {
              call({"/opt/nonexistent_binary", "with", "some", "args"}, {.stdout_ = PIPE, .stderr_ = PIPE});
            }),
            "[Errno 2] No such file or directory: '/opt/nonexistent_binary'");
  const FileNotFoundError& e = FileNotFoundError("x");
  EXPECT_STREQ(static_cast<const OSError&>(e).type_name(), "FileNotFoundError");
}

TEST_F(SubprocessRunTest, NotExecutable) {
  EXPECT_EQ(message_of<OSError>([] { run({"/etc/passwd"}); }),
            "[Errno 13] Permission denied: '/etc/passwd'");
  EXPECT_EQ(message_of<OSError>([] { run({"/etc"}); }), "[Errno 13] Permission denied: '/etc'");
  EXPECT_EQ(message_of<OSError>([] { run({""}); }), "[Errno 13] Permission denied: ''");
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({""}, {.env = Environment{{"PATH", ""}}}); }),
            "[Errno 2] No such file or directory: ''");
}

TEST_F(SubprocessRunTest, BadCwd) {
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({"true"}, {.cwd = "/some/nonexistent/directory"}); }),
            "[Errno 2] No such file or directory: '/some/nonexistent/directory'");
  EXPECT_EQ(message_of<OSError>([] { run({"true"}, {.cwd = "/etc/passwd"}); }),
            "[Errno 20] Not a directory: '/etc/passwd'");
  // A bad cwd is reported before a bad program, as Python's child chdirs first.
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({"nosuchprog"}, {.cwd = "/nonexistent"}); }),
            "[Errno 2] No such file or directory: '/nonexistent'");
}

TEST_F(SubprocessRunTest, Cwd) {
  EXPECT_EQ(*run({"pwd"}, {.stdout_ = PIPE, .cwd = "/usr"}).stdout_, "/usr\n");
  // A relative program is found from the child's cwd.
  EXPECT_EQ(run({"./true"}, {.cwd = "/bin"}).returncode, 0);
  EXPECT_THROW(run({"./true"}, {.cwd = "/"}), FileNotFoundError);
}

TEST_F(SubprocessRunTest, EnvReplacesAndDrivesPathLookup) {
  // No PATH in env: Python's default "/bin:/usr/bin" finds sh.
  EXPECT_EQ(*run({"env"}, {.stdout_ = PIPE, .env = Environment{{"FRUIT", "orange"}}}).stdout_, "FRUIT=orange\n");
  EXPECT_EQ(*run({"env"}, {.stdout_ = PIPE, .env = Environment{}}).stdout_, "");
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({"true"}, {.env = Environment{{"PATH", "/nonexistent"}}}); }),
            "[Errno 2] No such file or directory: 'true'");
  // The first error other than ENOENT is reported (a PATH entry that is a file).
  EXPECT_EQ(message_of<OSError>([] { run({"passwd"}, {.env = Environment{{"PATH", "/nonexistent:/etc"}}}); }),
            "[Errno 13] Permission denied: 'passwd'");
}

TEST_F(SubprocessRunTest, ShellAndExecutable) {
  EXPECT_EQ(*run("echo $0-$1", {.stdout_ = PIPE, .shell = true}).stdout_, "/bin/sh-\n");
  EXPECT_EQ(*run({"echo $0 $1", "zero", "one"}, {.stdout_ = PIPE, .shell = true}).stdout_, "zero one\n");
  EXPECT_EQ(message_of<CalledProcessError>([] { run("exit 3", {.check = true, .shell = true}); }),
            "Command 'exit 3' returned non-zero exit status 3.");
  // executable replaces the program; args[0] stays argv[0].
  EXPECT_EQ(*run({"doesnotexist", "-c", "echo $0"}, {.stdout_ = PIPE, .executable = "sh"}).stdout_,
            "doesnotexist\n");
  EXPECT_EQ(message_of<FileNotFoundError>([] { run({"true"}, {.executable = "nosuchprog"}); }),
            "[Errno 2] No such file or directory: 'nosuchprog'");
  EXPECT_EQ(run("exit 5", {.shell = true, .executable = "/bin/sh"}).returncode, 5);
}

TEST_F(SubprocessRunTest, Call) {
  EXPECT_EQ(call({"sh", "-c", "exit 47"}), 47);
  EXPECT_THROW(call({"sleep", "10"}, {.timeout = 10ms}), TimeoutExpired);
}

TEST_F(SubprocessRunTest, CheckCall) {
  EXPECT_NO_THROW(check_call({"true"}));
  try {
    check_call({"sh", "-c", "exit 47"});
    FAIL() << "no exception";
  } catch (const CalledProcessError& e) {
    EXPECT_EQ(e.returncode, 47);
    EXPECT_FALSE(e.output.has_value());
  }
}

TEST_F(SubprocessRunTest, CheckOutput) {
  EXPECT_EQ(check_output({"echo", "BDFL"}), "BDFL\n");
  EXPECT_EQ(check_output({"sh", "-c", "echo out; echo err >&2"}, {.stderr_ = STDOUT}), "out\nerr\n");
  EXPECT_EQ(check_output({"tr", "a-z", "A-Z"}, {.input = "pear"}), "PEAR");
  try {
    check_output({"sh", "-c", "echo hi; exit 5"});
    FAIL() << "no exception";
  } catch (const CalledProcessError& e) {
    EXPECT_EQ(e.returncode, 5);
    EXPECT_EQ(e.output, "hi\n");
  }
  EXPECT_EQ(message_of<ValueError>([] { check_output({"true"}, {.stdout_ = PIPE}); }),
            "stdout argument not allowed, it will be overridden.");
  EXPECT_THROW(check_output({"sleep", "10"}, {.timeout = 10ms}), TimeoutExpired);
}

TEST_F(SubprocessRunTest, ArgsRepr) {
  EXPECT_EQ(Args({"ls", "-l"}).repr(), "['ls', '-l']");
  EXPECT_EQ(Args({"ls", "-l"}).str(), "['ls', '-l']");
  EXPECT_EQ(Args("ls -l").repr(), "'ls -l'");
  EXPECT_EQ(Args("ls -l").str(), "ls -l");
  EXPECT_EQ(Args({"a\\b", "\x7f"}).repr(), "['a\\\\b', '\\x7f']");
}

}  // namespace
}  // namespace braid::subprocess
