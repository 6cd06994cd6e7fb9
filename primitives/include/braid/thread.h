// braid/thread.h
// -----------------------------------------------------------------------------
// braid::Thread: Python's threading.Thread for C++, plus the module-level
// functions of `threading` that describe threads (current_thread, main_thread,
// get_ident, get_native_id, active_count, enumerate) and `time.sleep`.
//
// A Thread is a cheap, copyable handle to one thread's shared state, like a
// Python reference to a Thread object: copies refer to the same thread, and
// destroying a handle never joins, detaches or terminates anything. Construct
// it with a target and arguments (copied, as std::thread copies them), then
// start() and join():
//
//   braid::Thread t(worker, 42);                       // named "Thread-N"
//   braid::Thread d(braid::ThreadOptions{.name = "w", .daemon = true}, loop);
//   t.start();
//   t.join();
//
// As in Python, an exception escaping the target is printed to stderr as
// "Exception in thread NAME:" followed by "<TypeName>: <message>" and the
// process carries on; when main() returns, the process waits for every live
// non-daemon braid thread.
//
// Under braid's model runtime, start() and join() are scheduling points of the
// explored execution (Op::kThreadStart, Op::kThreadJoin) and the end of a
// thread happens-before the return of a join() that sees it finished.
//
// Python equivalence: threading.Thread, threading.current_thread,
// threading.main_thread, threading.get_ident, threading.get_native_id,
// threading.active_count, threading.enumerate, time.sleep.
// -----------------------------------------------------------------------------
#ifndef BRAID_THREAD_H_
#define BRAID_THREAD_H_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include "braid/source_location.h"
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"

namespace braid {

// ThreadOptions
//
// The keyword arguments of threading.Thread besides the target: `name`
// (nullopt: "Thread-N" from a process-wide counter) and `daemon` (nullopt:
// inherit the daemon flag of the creating thread, as Python does).
struct ThreadOptions {
  std::optional<std::string> name = std::nullopt;
  std::optional<bool> daemon = std::nullopt;
};

// Thread
//
// A handle to a thread braid can start, or to any thread already running (see
// current_thread(), enumerate()). Copying is cheap and thread-safe; equality
// compares thread identity.
class Thread {
 public:
  // Thread::Thread()
  //
  // A thread whose body does nothing (Python's `Thread()` with target=None).
  Thread();

  // Thread::Thread(f, args...)
  //
  // A new, unstarted thread that will run `std::invoke(f, args...)` on copies
  // of `f` and `args` (decay-copied now, as std::thread does; wrap references
  // in std::ref). Move-only arguments are moved. Does not start the thread.
  template <typename F, typename... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  explicit Thread(F&& f, Args&&... args)
      : Thread(ThreadOptions{}, std::forward<F>(f), std::forward<Args>(args)...) {}

  // Thread::Thread(options, f, args...)
  //
  // As above, with a name and daemon flag.
  template <typename F, typename... Args>
    requires std::invocable<std::decay_t<F>, std::decay_t<Args>...>
  Thread(ThreadOptions options, F&& f, Args&&... args)
      : Thread(TargetTag{}, std::move(options),
               make_target(std::forward<F>(f), std::forward<Args>(args)...)) {}

  // Thread::start()
  //
  // Starts the thread. Returns once the thread is running: ident() and
  // native_id() are then set and is_alive() is true until the target ends.
  // Everything the caller did before start() happens-before the target.
  // Throws RuntimeError("threads can only be started once") on a second call
  // (from any copy of the handle), RuntimeError("can't start new thread") when
  // the OS refuses.
  //
  // Python equivalence: Thread.start().
  void start(braid::source_location where = braid::source_location::current());

  // Thread::join()
  //
  // Blocks until the thread ends or `timeout` passes (nullopt: forever; a
  // negative timeout is treated as zero, as in Python). Does not say which
  // happened: check is_alive() afterwards. Blocks in the kernel without
  // spinning. When join() sees the thread finished, everything the thread did
  // happens-before join() returns (acquire). Throws RuntimeError("cannot join
  // thread before it is started") and RuntimeError("cannot join current
  // thread").
  //
  // Python equivalence: Thread.join(timeout=None).
  void join(Timeout timeout = std::nullopt,
            braid::source_location where = braid::source_location::current());

  // Thread::is_alive()
  //
  // True from the return of start() until the target has ended and its
  // thread-local values are destroyed. Never blocks. A false answer for a
  // started thread synchronizes like a join() that sees it finished.
  //
  // Python equivalence: Thread.is_alive().
  bool is_alive(braid::source_location where = braid::source_location::current()) const;

  // Thread::name() / Thread::set_name()
  //
  // The thread's name, for messages only; may be changed at any time.
  //
  // Python equivalence: Thread.name.
  std::string name() const;
  void set_name(std::string name);

  // Thread::daemon() / Thread::set_daemon()
  //
  // A daemon thread does not keep the process alive when main() returns.
  // set_daemon throws RuntimeError("cannot set daemon status of active
  // thread") once the thread has been started.
  //
  // Python equivalence: Thread.daemon.
  bool daemon() const;
  void set_daemon(bool daemon);

  // Thread::ident() / Thread::native_id()
  //
  // get_ident() and get_native_id() of the thread, nullopt before start().
  // Python reuses identifiers of ended threads, and so may the OS.
  //
  // Python equivalence: Thread.ident, Thread.native_id.
  std::optional<std::uint64_t> ident() const;
  std::optional<std::uint64_t> native_id() const;

  // The runtime's description of this thread (shared with the runtime).
  const std::shared_ptr<runtime::ThreadContext>& context() const noexcept;

  // Two handles are equal when they refer to the same thread.
  friend bool operator==(const Thread& a, const Thread& b) noexcept;

  // A handle to an existing thread context (current_thread(), enumerate()).
  explicit Thread(std::shared_ptr<runtime::ThreadContext> ctx);

 private:
  struct Core;
  struct TargetTag {};

  Thread(TargetTag, ThreadOptions options, std::function<void()> target);

  // The target as a std::function: the callable and its arguments, called
  // once with the arguments moved in. Held by value when copyable (a small
  // one, such as a lambda capturing by reference, needs no allocation), else
  // shared (std::function must be copyable).
  template <typename F, typename... Args>
  static std::function<void()> make_target(F&& f, Args&&... args) {
    using Call = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
    if constexpr (std::is_copy_constructible_v<Call>) {
      return [call = Call(std::forward<F>(f), std::forward<Args>(args)...)]() mutable { call_once(call); };
    } else {
      auto call = std::make_shared<Call>(std::forward<F>(f), std::forward<Args>(args)...);
      return [call] { call_once(*call); };
    }
  }
  // Calls the callable of `call` with its arguments, moved in.
  template <typename Call>
  static void call_once(Call& call) {
    std::apply([](auto&... xs) { std::invoke(std::move(xs)...); }, call);
  }

  std::shared_ptr<Core> core_;
};

// current_thread()
//
// The calling thread: a braid Thread, the main thread ("MainThread"), or a
// dummy for a thread braid did not start ("Dummy-N", a daemon).
//
// Python equivalence: threading.current_thread().
Thread current_thread();

// main_thread()
//
// The thread that ran the process's static initializers and main() (under the
// model: the execution's main logical thread).
//
// Python equivalence: threading.main_thread().
Thread main_thread();

// get_ident() / get_native_id()
//
// The calling thread's identifier (pthread_self) and OS thread id (gettid);
// logical ids under the model.
//
// Python equivalence: threading.get_ident(), threading.get_native_id().
std::uint64_t get_ident();
std::uint64_t get_native_id();

// active_count() / enumerate()
//
// The live threads: started and not finished braid threads, the main thread
// and dummy threads. enumerate() lists the main thread first.
//
// Python equivalence: threading.active_count(), threading.enumerate().
std::size_t active_count();
std::vector<Thread> enumerate();

namespace detail {
void sleep_for(Duration d, const braid::source_location& where);
}  // namespace detail

// sleep()
//
// Suspends the calling thread for `d` (virtual time under the model; zero
// yields the CPU). Throws ValueError("sleep length must be non-negative").
//
// Python equivalence: time.sleep(secs).
template <typename Rep, typename Period>
void sleep(std::chrono::duration<Rep, Period> d,
           braid::source_location where = braid::source_location::current()) {
  detail::sleep_for(std::chrono::duration_cast<Duration>(d), where);
}

}  // namespace braid

#endif  // BRAID_THREAD_H_
