// braid/subprocess.h
// -----------------------------------------------------------------------------
// braid::subprocess — running programs, with the semantics and errors of
// CPython 3.11's `subprocess` module on POSIX:
//
//   using namespace braid::subprocess;
//   CompletedProcess r = run({"sort"}, {.input = "b\na\n", .capture_output = true});
//   *r.stdout_;                                   // "a\nb\n"
//   check_call({"make", "-C", "src"});            // CalledProcessError on failure
//   std::string head = check_output({"git", "rev-parse", "HEAD"});
//
//   Popen p({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE});
//   auto [out, err] = p.communicate("hello", std::chrono::seconds(5));
//
// Children are started with posix_spawn(3). Every pipe braid creates is
// close-on-exec, so no descriptor leaks into another child, and every
// descriptor the parent does not keep is closed before the spawn call returns.
// The program is looked up as Python does: a name without '/' is tried in each
// directory of the PATH of the child's environment (`env`, or the parent's;
// "/bin:/usr/bin" without PATH), relative to `cwd`.
//
// communicate() never deadlocks, whatever the sizes of input, output and
// error: it polls every pipe and writes without blocking. A child that closes
// its stdin early is not an error (EPIPE is ignored, as Python does) and never
// raises SIGPIPE in the parent. After TimeoutExpired, a later communicate()
// continues where the first stopped and returns all the output.
//
// Streams are bytes (std::string); Python's text mode (text=, encoding=,
// universal_newlines=) is not offered, nor preexec_fn, user, group, umask.
//
// Under braid's model runtime subprocess stays real: children are real
// processes, waits and timeouts use the real monotonic clock.
//
// Python equivalence: subprocess.run, call, check_call, check_output, Popen,
// CompletedProcess, SubprocessError, CalledProcessError, TimeoutExpired,
// PIPE, STDOUT, DEVNULL.
// -----------------------------------------------------------------------------
#ifndef BRAID_SUBPROCESS_H_
#define BRAID_SUBPROCESS_H_

#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"

namespace braid::subprocess {

// The special values of a Redirect, with Python's numbers.
inline constexpr int PIPE = -1;     // a new pipe to the parent (Popen::stdout_pipe() ...)
inline constexpr int STDOUT = -2;   // stderr_ only: the same place as the child's stdout
inline constexpr int DEVNULL = -3;  // /dev/null

// Redirect
//
// Where one standard stream of the child goes: std::nullopt inherits the
// parent's (Python's None), PIPE, DEVNULL, STDOUT (for stderr_), or an open
// file descriptor of the parent (>= 0), which the child gets a copy of.
using Redirect = std::optional<int>;

// Args
//
// The command: a list of arguments (the first is the program), or one string
// (Python's `args` as a str): the program's name, or with `shell = true` the
// command line given to /bin/sh -c. It remembers which, because Python's
// messages print a list as ['ls', '-l'] and a string as it is.
class Args {
 public:
  Args() = default;  // an empty list
  Args(std::initializer_list<std::string> argv) : argv_(argv) {}
  Args(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  // One string (std::string, std::string_view, a literal). A template, so
  // that a braced list such as {"ls"} always means a list.
  template <typename S>
    requires std::is_convertible_v<const S&, std::string_view>
  Args(const S& command) : argv_{std::string(std::string_view(command))}, is_string_(true) {}

  const std::vector<std::string>& argv() const noexcept { return argv_; }
  bool is_string() const noexcept { return is_string_; }

  // Python's str(args): the string itself, or the list's repr.
  std::string str() const;
  // Python's repr(args): 'ls -l' or ['ls', '-l'].
  std::string repr() const;

  friend bool operator==(const Args&, const Args&) = default;

 private:
  std::vector<std::string> argv_;
  bool is_string_ = false;
};

// Environment
//
// A child's environment, name -> value: `.env = Environment{{"LANG", "C"}}`.
using Environment = std::map<std::string, std::string>;

// Options
//
// The keyword arguments of run() and Popen(), in one aggregate for C++20
// designated initializers (which must follow this order):
//
//   run({"ls"}, {.stdout_ = PIPE, .cwd = "/tmp"});
//
// `input`, `capture_output`, `timeout` and `check` belong to the functions
// (run, call, check_call, check_output); Popen() rejects them.
struct Options {
  Redirect stdin_{};   // Python's stdin=
  Redirect stdout_{};  // Python's stdout=
  Redirect stderr_{};  // Python's stderr= (STDOUT allowed)

  // run/check_output: bytes sent to the child's stdin (a pipe), which is then
  // closed. Not with stdin_.
  std::optional<std::string> input{};
  // run: stdout_ = stderr_ = PIPE. Not with stdout_ or stderr_.
  bool capture_output = false;
  // run/call/check_call/check_output: after this, the child is killed and
  // TimeoutExpired raised. Zero or negative: expires at once (no ValueError,
  // as in Python).
  Timeout timeout{};
  // run: raise CalledProcessError when the exit status is not zero.
  bool check = false;

  // The child's working directory (a relative program is found from there).
  std::optional<std::string> cwd{};
  // The child's whole environment (replaces the parent's); also the PATH
  // used to find the program.
  std::optional<Environment> env{};
  // Runs ["/bin/sh", "-c", args...]; `executable` then replaces /bin/sh.
  bool shell = false;
  // The program to execute instead of args[0] (which stays the child's argv[0]).
  std::optional<std::string> executable{};
  // Close every descriptor >= 3 in the child except `pass_fds` (default, as
  // in Python). braid's own descriptors are close-on-exec in any case.
  bool close_fds = true;
  // Descriptors the child keeps (at the same numbers, made inheritable).
  // Implies close_fds.
  std::vector<int> pass_fds{};
  // Reset SIGPIPE and SIGXFSZ to their default action in the child.
  bool restore_signals = true;
  // setsid() in the child.
  bool start_new_session = false;
  // setpgid(0, process_group) in the child.
  std::optional<int> process_group{};
  // F_SETPIPE_SZ for the pipes created (> 0), else the system's default.
  int pipesize = -1;
};

// CompletedProcess
//
// What run() returns. `stdout_`/`stderr_` are std::nullopt when not captured
// (Python's None).
//
// Python equivalence: subprocess.CompletedProcess.
struct CompletedProcess {
  Args args;
  int returncode = 0;  // exit status, or -N when killed by signal N
  std::optional<std::string> stdout_;
  std::optional<std::string> stderr_;

  // Throws CalledProcessError if returncode is not zero.
  // Python equivalence: CompletedProcess.check_returncode().
  void check_returncode() const;
  // "CompletedProcess(args=['ls'], returncode=0, stdout=b'...')".
  std::string repr() const;
};

// SubprocessError
//
// The base of this module's errors. Python equivalence: subprocess.SubprocessError.
BRAID_DEFINE_ERROR(SubprocessError, ::braid::Exception, "SubprocessError");

// CalledProcessError
//
// check_call(), check_output() or run(check=true) saw a non-zero exit status.
// what(): "Command '['false']' returned non-zero exit status 1." or, for a
// signal, "Command '...' died with <Signals.SIGKILL: 9>." ("died with unknown
// signal N." for a number Python's Signals does not name).
//
// Python equivalence: subprocess.CalledProcessError (output, alias stdout).
class CalledProcessError : public SubprocessError {
 public:
  CalledProcessError(int returncode, Args cmd, std::optional<std::string> output = std::nullopt,
                     std::optional<std::string> stderr_ = std::nullopt);
  const char* type_name() const noexcept override { return "CalledProcessError"; }

  int returncode;
  Args cmd;
  std::optional<std::string> output;
  std::optional<std::string> stderr_;
};

// TimeoutExpired
//
// A timeout passed while waiting for a child. `output`/`stderr_` hold what
// was read so far (std::nullopt when nothing was). what(): "Command
// '['sleep', '10']' timed out after 0.05 seconds" (a whole number of seconds
// prints as an integer, as Python prints an int timeout).
//
// Python equivalence: subprocess.TimeoutExpired (output, alias stdout).
class TimeoutExpired : public SubprocessError {
 public:
  TimeoutExpired(Args cmd, Duration timeout, std::optional<std::string> output = std::nullopt,
                 std::optional<std::string> stderr_ = std::nullopt);
  const char* type_name() const noexcept override { return "TimeoutExpired"; }

  Args cmd;
  Duration timeout;
  std::optional<std::string> output;
  std::optional<std::string> stderr_;
};

// Stream
//
// The parent's end of a pipe to the child (Popen::stdin_pipe(), ...). A
// Stream that is not a pipe (the child's stream was not PIPE) is Python's
// None: `bool(stream)` is false. Reads and writes block (also if
// communicate() left the descriptor non-blocking after a timeout) and retry
// on EINTR. Not synchronized: one thread at a time.
//
// Python equivalence: Popen.stdin / Popen.stdout / Popen.stderr (binary
// files; unbuffered for writes).
class Stream {
 public:
  Stream() = default;
  ~Stream();
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Whether the child's stream is a pipe to us (Python: `p.stdout is not None`).
  bool is_pipe() const noexcept { return pipe_; }
  explicit operator bool() const noexcept { return pipe_; }
  bool closed() const noexcept { return fd_ < 0; }

  // The descriptor. ValueError "I/O operation on closed file" once closed.
  int fileno() const;

  // Writes all of `data`, blocking while the pipe is full. SIGPIPE is blocked
  // for the call; a child that closed its end gives OSError "[Errno 32] Broken
  // pipe" (Python's BrokenPipeError). ValueError "write to closed file".
  void write(std::string_view data);

  // Reads to end of file. ValueError "read of closed file".
  std::string read();
  // Reads up to `n` bytes: fewer only at end of file.
  std::string read(std::size_t n);
  // Reads one line, '\n' included ("" at end of file).
  // ValueError "readline of closed file".
  std::string readline();

  // Closes our end (the child sees end of file or EPIPE). Idempotent.
  void close() noexcept;

 private:
  friend class Popen;
  Stream(int fd) noexcept : fd_(fd), pipe_(true) {}
  bool fill();  // one read into buffer_; false at end of file

  int fd_ = -1;
  bool pipe_ = false;
  std::string buffer_;  // read ahead by readline()/read(n), not yet returned
};

// Popen
//
// A running child process. Construction spawns it (and waits until the
// program has been executed, so a missing program raises here).
//
// Thread safety: poll(), wait(), returncode(), send_signal(), terminate() and
// kill() may be called from any thread at once (one thread reaps the child,
// the others see its returncode; a signal never reaches a reaped pid's
// successor). communicate() and the streams are for one thread at a time.
//
// Destruction (RAII): closes our pipe ends; a child that has exited is
// reaped; a child still running is killed with SIGKILL and reaped (Python
// would warn "subprocess N is still running" and leave it). So no Popen ever
// leaves a zombie; call wait() or communicate() first to let the child finish.
// Movable (a moved-from Popen owns nothing).
//
// Python equivalence: subprocess.Popen (bytes mode).
class Popen {
 public:
  // Spawns `args` with `options`. Throws:
  //   FileNotFoundError "[Errno 2] No such file or directory: 'nosuchprog'"
  //     for a missing program (or cwd, named instead);
  //   OSError "[Errno 13] Permission denied: '/etc/passwd'" and the like for
  //     a program that cannot be executed, "[Errno 20] Not a directory: ..."
  //     for a cwd that is a file, "[Errno 9] Bad file descriptor" for a bad fd;
  //   ValueError "embedded null byte", "illegal environment variable name",
  //     "args must not be empty" (Python: IndexError), and "Popen() got an
  //     unexpected keyword argument 'input'" (also capture_output, timeout,
  //     check; Python: TypeError).
  explicit Popen(Args args, const Options& options = {});
  // The same for a braced list, `Popen p({"ls", "-l"})` (which would
  // otherwise be ambiguous with the move constructor).
  explicit Popen(std::initializer_list<std::string> argv, const Options& options = {})
      : Popen(Args(argv), options) {}
  ~Popen();
  Popen(Popen&& other) noexcept;
  Popen& operator=(Popen&& other) noexcept;  // first disposes of our child as ~Popen does
  Popen(const Popen&) = delete;
  Popen& operator=(const Popen&) = delete;

  const Args& args() const noexcept;
  int pid() const noexcept;
  // The exit status once reaped by poll()/wait() (-N: killed by signal N),
  // else std::nullopt. Python equivalence: Popen.returncode.
  std::optional<int> returncode() const noexcept;

  // Reaps the child if it has ended, without blocking, and returns
  // returncode(). Python equivalence: Popen.poll().
  std::optional<int> poll();

  // Blocks until the child ends (or `timeout` passes: TimeoutExpired, whose
  // timeout is the one given) and returns its returncode. Does not close or
  // read pipes: a child blocked writing a full pipe never ends; use
  // communicate(). Python equivalence: Popen.wait(timeout=None).
  int wait(Timeout timeout = std::nullopt);

  // Output
  //
  // What communicate() returns: the child's output and error, std::nullopt
  // for a stream that is not a pipe. `auto [out, err] = p.communicate();`
  struct Output {
    std::optional<std::string> stdout_;
    std::optional<std::string> stderr_;
  };

  // Popen::communicate()
  //
  // Sends `input` to the child's stdin (if it is a pipe) and closes it, reads
  // stdout and stderr (those that are pipes) to end of file, then waits for
  // the child to end. Never deadlocks whatever the sizes: all pipes are
  // polled together and written without blocking. EPIPE on stdin (the child
  // stopped reading) is not an error and raises no SIGPIPE.
  //
  // With `timeout`, throws TimeoutExpired carrying the output read so far;
  // nothing is lost: call communicate() again (without input) to go on
  // sending the rest of the input and to get *all* the output, from the
  // start. Throws ValueError "Cannot send input after starting communication"
  // for non-empty input on a later call. After a call that returned, the
  // pipes are closed and another call returns empty output.
  //
  // Python equivalence: Popen.communicate(input=None, timeout=None).
  Output communicate(std::optional<std::string_view> input = std::nullopt,
                     Timeout timeout = std::nullopt);

  // Sends `sig` unless the child has already been reaped (then nothing).
  // Python equivalence: Popen.send_signal(sig).
  void send_signal(int sig);
  // send_signal(SIGTERM). Python equivalence: Popen.terminate().
  void terminate();
  // send_signal(SIGKILL). Python equivalence: Popen.kill().
  void kill();

  // Our ends of the child's pipes (Python: Popen.stdin/stdout/stderr).
  Stream& stdin_pipe() noexcept;
  Stream& stdout_pipe() noexcept;
  Stream& stderr_pipe() noexcept;

  // "<Popen: returncode: None args: ['ls']>" (cut at 80 characters).
  std::string repr() const;

 private:
  struct State;
  void dispose() noexcept;

  std::unique_ptr<State> state_;
};

// run()
//
// Runs the command, feeds it `options.input`, collects its output (with
// capture_output or stdout_/stderr_ = PIPE), waits for it and returns a
// CompletedProcess. On timeout the child is killed and reaped, then
// TimeoutExpired (with the partial output) is thrown. With `check`, a
// non-zero status throws CalledProcessError (with output and stderr).
// Throws ValueError "stdin and input arguments may not both be used." and
// "stdout and stderr arguments may not be used with capture_output.", and
// what Popen() throws.
//
// Python equivalence: subprocess.run(args, *, input, capture_output, timeout,
// check, **popen_kwargs).
CompletedProcess run(Args args, Options options = {});

// call()
//
// Runs the command and returns its returncode. On timeout the child is
// killed and reaped and TimeoutExpired thrown.
//
// Python equivalence: subprocess.call(args, *, timeout=None, **popen_kwargs).
int call(Args args, Options options = {});

// check_call()
//
// call(), then CalledProcessError (no output) for a non-zero status.
//
// Python equivalence: subprocess.check_call(args, **kwargs).
void check_call(Args args, Options options = {});

// check_output()
//
// run() with stdout_ = PIPE and check = true; returns the output. ValueError
// "stdout argument not allowed, it will be overridden." (also for check).
// stderr_ = STDOUT adds the errors to the output.
//
// Python equivalence: subprocess.check_output(args, *, timeout=None, **kwargs).
std::string check_output(Args args, Options options = {});

}  // namespace braid::subprocess

#endif  // BRAID_SUBPROCESS_H_
