// braid/mp/process.h
// -----------------------------------------------------------------------------
// braid::mp::Process: Python's multiprocessing.Process with the "fork" start
// method, plus current_process(), parent_process(), active_children() and
// mp::exit() (Python's sys.exit() inside a process target).
//
// A Process is a cheap, copyable handle, like a Python reference to a Process
// object. Construct it with a target and arguments (copied now, as
// std::thread copies them), then start() and join():
//
//   braid::mp::Process p([](int n) { if (n < 0) braid::mp::exit(2); }, 42);
//   p.start();                       // fork(2); the child runs the target
//   p.join();
//   p.exitcode();                    // 0
//
// The child is a fork of the caller: it sees a copy of the parent's memory at
// start(), and nothing it writes reaches the parent (use a Pipe or an
// mp::Queue). It runs the target, waits for the non-daemon braid threads it
// started (Python's threading._shutdown), flushes stdio and ends with
// _exit(): it never returns into the caller's stack. Its exit code is 0 when
// the target returns, the code given to mp::exit(code), or 1 when an exception
// escapes the target; Python's message is then printed on the child's stderr:
//
//   Process Process-1:
//   ValueError: bad input
//
// A process killed by a signal has exit code minus the signal number
// (terminate(): -SIGTERM, kill(): -SIGKILL).
//
// Under braid's model runtime a Process is a logical thread in its own
// simulated process (runtime::spawn_process): tracked variables (Shared<T>,
// Atomic<T>) are copied at start() and writes on either side stay on that
// side; only channels (Pipe, mp::Queue) carry data. start(), join(),
// is_alive(), exitcode(), terminate() and kill() are scheduling points. Limits
// there: the child's exception is not printed (its exit code is still 1);
// terminate()/kill() take effect when the child reaches its next mp operation
// (a Connection call, a Process call, mp::detail::model_signal_point()) or
// ends, and a child blocked in another kind of primitive is not woken.
//
// Python equivalence: multiprocessing.Process, multiprocessing.current_process,
// multiprocessing.parent_process, multiprocessing.active_children, sys.exit /
// SystemExit inside a process.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_PROCESS_H_
#define BRAID_MP_PROCESS_H_

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid {

// Python's AssertionError: multiprocessing reports misuse of a Process with
// `assert` statements ("cannot start a process twice").
BRAID_DEFINE_ERROR(AssertionError, Exception, "AssertionError");

namespace mp {

// SystemExit
//
// Thrown by mp::exit(). Like Python's SystemExit it is not an ordinary error:
// it does not derive from std::exception, so `catch (const std::exception&)`
// lets it through to the process's top level, which turns it into the exit
// code. Outside a Process target nothing catches it.
class SystemExit {
 public:
  explicit SystemExit(int code) : code_(code) {}
  explicit SystemExit(std::string message) : code_(1), message_(std::move(message)) {}
  // The exit code (1 for a message).
  int code() const noexcept { return code_; }
  // The message printed on stderr, if any.
  const std::string& message() const noexcept { return message_; }

 private:
  int code_;
  std::string message_;
};

// exit(code) / exit(message)
//
// Ends the calling process's target with exit code `code`, or prints
// `message` on stderr and ends it with exit code 1, by throwing SystemExit.
// Codes are taken modulo 256 by the OS, as in Python.
//
// Python equivalence: sys.exit(code), sys.exit("message").
[[noreturn]] inline void exit(int code = 0) { throw SystemExit(code); }
[[noreturn]] inline void exit(std::string message) { throw SystemExit(std::move(message)); }

// ProcessOptions
//
// The keyword arguments of multiprocessing.Process besides the target:
// `name` (nullopt: "Process-N", N counting the processes this process made,
// with the parent's numbers in front in a child: "Process-1:2") and `daemon`
// (nullopt: the creating process's flag).
struct ProcessOptions {
  std::optional<std::string> name = std::nullopt;
  std::optional<bool> daemon = std::nullopt;
};

// Process
//
// A handle to a process: one this process can start, the current process
// (current_process()) or the parent (parent_process()). Copies refer to the
// same process; destroying handles never joins or kills it (join it, or call
// active_children() now and then, to reap it). The methods may be called from
// any thread.
class Process {
 public:
  // Process::Process()
  //
  // A process whose target does nothing (Python's `Process()`).
  Process();

  // Process::Process(f, args...) / Process(options, f, args...)
  //
  // A new, unstarted process that will run `std::invoke(f, args...)` on
  // copies of `f` and `args` (decay-copied now; move-only arguments are
  // moved). The target's return value is ignored: end it with mp::exit(code)
  // for another exit code.
  template <typename F, typename... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  explicit Process(F&& f, Args&&... args)
      : Process(ProcessOptions{}, std::forward<F>(f), std::forward<Args>(args)...) {}

  template <typename F, typename... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  Process(ProcessOptions options, F&& f, Args&&... args)
      : Process(TargetTag{}, std::move(options),
                make_target(std::forward<F>(f), std::forward<Args>(args)...)) {}

  // Process::start()
  //
  // Forks the child, which runs the target. When start() returns, pid() is
  // set and is_alive() is true until the child ends. Throws
  // AssertionError("cannot start a process twice"),
  // AssertionError("can only start a process object created by current
  // process"), AssertionError("daemonic processes are not allowed to have
  // children"), ValueError("process object is closed"), OSError if fork(2)
  // fails.
  //
  // Python equivalence: Process.start().
  void start(braid::source_location where = braid::source_location::current());

  // Process::join()
  //
  // Blocks until the child ends (and reaps it) or `timeout` passes (nullopt:
  // forever; negative: zero). Does not say which happened: check exitcode().
  // Everything the child did happens-before a join that sees it ended. Throws
  // AssertionError("can only join a started process"),
  // AssertionError("can only join a child process"),
  // ValueError("process object is closed").
  //
  // Python equivalence: Process.join(timeout=None).
  void join(Timeout timeout = std::nullopt,
            braid::source_location where = braid::source_location::current());

  // Process::is_alive()
  //
  // True from start() until the child has ended; true for current_process().
  // Never blocks. Throws AssertionError("can only test a child process"),
  // ValueError("process object is closed").
  //
  // Python equivalence: Process.is_alive().
  bool is_alive(braid::source_location where = braid::source_location::current()) const;

  // Process::exitcode()
  //
  // nullopt before start() and while the child runs; then its exit code, or
  // minus the number of the signal that ended it. Never blocks (reaps the
  // child if it has ended).
  //
  // Python equivalence: Process.exitcode.
  std::optional<int> exitcode(braid::source_location where = braid::source_location::current()) const;

  // Process::pid() / ident()
  //
  // The child's process id, nullopt before start(); os::getpid() for
  // current_process().
  //
  // Python equivalence: Process.pid, Process.ident.
  std::optional<int> pid() const;
  std::optional<int> ident() const { return pid(); }

  // Process::name() / set_name()
  //
  // The name, for messages only ("MainProcess" for the main process).
  //
  // Python equivalence: Process.name.
  std::string name() const;
  void set_name(std::string name);

  // Process::daemon() / set_daemon()
  //
  // When the main program ends, daemonic children still running are
  // terminated and the others are joined. set_daemon() throws
  // AssertionError("process has already started") after start().
  //
  // Python equivalence: Process.daemon.
  bool daemon() const;
  void set_daemon(bool daemon);

  // Process::sentinel()
  //
  // A file descriptor that becomes readable (EOF) when the child ends; usable
  // with mp::wait(). Throws ValueError("process not started"). OS runtime
  // only (ValueError under the model).
  //
  // Python equivalence: Process.sentinel.
  int sentinel() const;

  // Process::terminate() / kill()
  //
  // Sends SIGTERM / SIGKILL to the child; does nothing once it has ended. The
  // child does not run exit handlers. Throws AssertionError("can only
  // terminate a started process") before start() (Python raises
  // AttributeError there), ValueError("process object is closed").
  //
  // Python equivalence: Process.terminate(), Process.kill().
  void terminate(braid::source_location where = braid::source_location::current());
  void kill(braid::source_location where = braid::source_location::current());

  // Process::close()
  //
  // Releases the handle's resources (the sentinel descriptors); afterwards
  // most methods throw ValueError("process object is closed"). Throws
  // ValueError("Cannot close a process while it is still running. You should
  // first call join() or terminate().") while the child runs.
  //
  // Python equivalence: Process.close().
  void close();

  // Two handles are equal when they refer to the same process.
  friend bool operator==(const Process& a, const Process& b) noexcept { return a.core_ == b.core_; }

  struct Core;
  explicit Process(std::shared_ptr<Core> core) : core_(std::move(core)) {}

 private:
  struct TargetTag {};
  Process(TargetTag, ProcessOptions options, std::function<void()> target);

  template <typename F, typename... Args>
  static std::function<void()> make_target(F&& f, Args&&... args) {
    using Call = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
    auto call = std::make_shared<Call>(std::forward<F>(f), std::forward<Args>(args)...);
    return [call] { std::apply([](auto&... xs) { std::invoke(std::move(xs)...); }, *call); };
  }

  void send_signal(int sig, const braid::source_location& where);

  std::shared_ptr<Core> core_;
};

// current_process()
//
// The calling process: "MainProcess" in the program, the Process object (a
// copy in the child's memory) inside a child.
//
// Python equivalence: multiprocessing.current_process().
Process current_process();

// parent_process()
//
// The parent of the calling process (name, pid, is_alive(), join(timeout)
// waiting for it to end), or nullopt in the main process.
//
// Python equivalence: multiprocessing.parent_process().
std::optional<Process> parent_process();

// active_children()
//
// The children of the calling process that are still running; reaps the ones
// that have ended.
//
// Python equivalence: multiprocessing.active_children().
std::vector<Process> active_children(braid::source_location where = braid::source_location::current());

namespace detail {
// model_signal_point()
//
// Under the model: if the calling simulated process has been terminated or
// killed, unwinds it (its exit code becomes -SIGTERM / -SIGKILL). mp channel
// operations call it before their step. Does nothing on the OS runtime.
void model_signal_point();

// model_signal_word()
//
// Under the model: the calling simulated process's pending-signal word
// (non-zero once terminate()/kill() targets it); a constant zero for the main
// process and on the OS runtime. A blocking mp channel step reads it in its
// guard, captured before the step, so that a terminated child wakes up:
//   const int* sig = mp::detail::model_signal_word();
//   m.step(Op::kChannelRecv, this, where, Guard([&] { return ready() || *sig != 0; }));
//   mp::detail::model_signal_point();   // unwinds the child if it was signalled
const int* model_signal_word();
}  // namespace detail

}  // namespace mp
}  // namespace braid

#endif  // BRAID_MP_PROCESS_H_
