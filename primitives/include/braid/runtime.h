// braid/runtime.h
// -----------------------------------------------------------------------------
// The seam between braid's primitives and the runtime that executes them.
//
// Every primitive operation that another thread could observe (lock acquire and
// release, queue put and get, thread start and join, sleep, a read or write of a
// tracked variable, an atomic operation) goes through this header. Two runtimes
// sit behind it:
//
//   * The OS runtime (default): real threads, futex blocking, the steady clock.
//     The seam costs one predictable branch (`hooked()`), taken only when chaos
//     mode is on or a model execution is running somewhere in the process.
//   * The model runtime (installed by `braid::explore` on the exploring OS
//     thread for the length of one execution): logical threads run one at a
//     time, each visible operation is a scheduling point, blocking is a guard
//     that keeps a thread off the runnable set, and time is virtual.
//
// Primitives never call `std::thread`, futexes or the clock directly; they call
// the functions below. A primitive's code has the shape
//
//   if (BRAID_UNLIKELY(runtime::hooked())) {
//     if (runtime::Model* m = runtime::model()) return acquire_modelled(*m, ...);
//     runtime::chaos_point();                  // OS runtime under BRAID_CHAOS
//   }
//   ... OS fast path on atomics, runtime::futex_wait / futex_wake to block ...
//
// Under the model, code between two `Model::step` calls runs atomically: no other
// logical thread runs until the current one reaches its next step, blocks, or
// ends. A modelled primitive therefore reads and writes its own fields freely
// between steps.
// -----------------------------------------------------------------------------
#ifndef BRAID_RUNTIME_H_
#define BRAID_RUNTIME_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include "braid/source_location.h"
#include <string>
#include <vector>

#if defined(__GNUC__) || defined(__clang__)
#define BRAID_LIKELY(x) (__builtin_expect(!!(x), 1))
#define BRAID_UNLIKELY(x) (__builtin_expect(!!(x), 0))
#else
#define BRAID_LIKELY(x) (x)
#define BRAID_UNLIKELY(x) (x)
#endif

namespace braid {

// Durations inside braid are nanoseconds; public APIs accept any std::chrono
// duration that converts to them without loss (seconds, milliseconds, ...).
using Duration = std::chrono::nanoseconds;

// A timeout: `std::nullopt` waits forever. Python's `timeout=None`.
using Timeout = std::optional<Duration>;

namespace runtime {

// Op
//
// The kind of a visible operation. The model runtime records it in traces and
// uses it to decide which operations depend on each other.
enum class Op : std::uint8_t {
  kThreadStart,
  kThreadJoin,
  kThreadEnd,
  kLockAcquire,
  kLockRelease,
  kRLockAcquire,
  kRLockRelease,
  kConditionWait,
  kConditionNotify,
  kSemaphoreAcquire,
  kSemaphoreRelease,
  kEventSet,
  kEventClear,
  kEventWait,
  kEventQuery,
  kBarrierWait,
  kBarrierAbort,
  kBarrierReset,
  kQueuePut,
  kQueueGet,
  kQueueQuery,
  kQueueTaskDone,
  kQueueJoin,
  kSharedRead,
  kSharedWrite,
  kAtomicLoad,
  kAtomicStore,
  kAtomicRmw,
  kSleep,
  kYield,
  kLocalAccess,
  kChannelSend,   // mp::Queue put, Connection send, a Pool task or result sent
  kChannelRecv,   // mp::Queue get, Connection recv
  kChannelQuery,  // qsize/empty/full/poll
  kChannelClose,  // close of a queue or connection end
  kUser,
};

// Returns a stable lower-case name such as "lock.acquire".
const char* op_name(Op op) noexcept;

// Guard
//
// A non-owning predicate "may this step proceed now?". It lives on the waiting
// thread's stack and is evaluated by the model scheduler whenever it considers
// which thread to run next, so it must be cheap, must not block and must not
// call back into the runtime.
class Guard {
 public:
  // The always-true guard: the step is enabled.
  constexpr Guard() noexcept = default;

  template <typename F>
  explicit Guard(const F& f) noexcept
      : fn_([](const void* ctx) { return (*static_cast<const F*>(ctx))(); }), ctx_(&f) {}

  // The guard "`word` == V" (a free lock word, a finished thread's state),
  // read relaxed. The model evaluates it inline, without an indirect call:
  // `word_guard()` exposes it. V is 0, 1 or 2.
  template <std::uint32_t V>
  static Guard word_equals(const std::atomic<std::uint32_t>& word) noexcept {
    static_assert(V <= 2, "word_guard() knows V = 0, 1, 2");
    Guard g;
    g.fn_ = &equals<V>;
    g.ctx_ = &word;
    return g;
  }
  static Guard word_is_zero(const std::atomic<std::uint32_t>& word) noexcept { return word_equals<0>(word); }
  // The word of a word_equals<V>() guard (and V in `*value`), or null for any
  // other guard.
  const std::atomic<std::uint32_t>* word_guard(std::uint32_t* value) const noexcept {
    if (fn_ == &equals<0>) {
      *value = 0;
    } else if (fn_ == &equals<1>) {
      *value = 1;
    } else if (fn_ == &equals<2>) {
      *value = 2;
    } else {
      return nullptr;
    }
    return static_cast<const std::atomic<std::uint32_t>*>(ctx_);
  }

  bool always() const noexcept { return fn_ == nullptr; }
  bool operator()() const { return fn_ == nullptr || fn_(ctx_); }

 private:
  template <std::uint32_t V>
  static bool equals(const void* word) noexcept {
    return static_cast<const std::atomic<std::uint32_t>*>(word)->load(std::memory_order_relaxed) == V;
  }

  bool (*fn_)(const void*) = nullptr;
  const void* ctx_ = nullptr;
};

// Wake
//
// Why a guarded step proceeded.
enum class Wake : std::uint8_t {
  kReady,     // the guard held
  kTimeout,   // the scheduler chose to fire the step's timeout
  kSpurious,  // the scheduler chose a spurious wake-up (only where allowed)
};

class ThreadContext;

// TrackedOps
//
// How a model copies a tracked variable's value (Shared<T>, Atomic<T>) into a
// simulated process: `clone` returns a heap copy of the value at `value`,
// `destroy` frees such a copy. One constant instance per type.
struct TrackedOps {
  void* (*clone)(const void* value);
  void (*destroy)(void* copy) noexcept;
};

// Model
//
// The model runtime, implemented by the engine (braid::scenarios). Installed per
// exploring OS thread; see `model()`.
class Model {
 public:
  virtual ~Model() = default;

  // Model::step()
  //
  // A scheduling point before the visible operation `op` on `object`. The
  // scheduler may run other logical threads first. If `guard` is not the
  // always-true guard, the calling thread is runnable only while `guard()`
  // holds: that is how blocking is modelled. With a `timeout`, the scheduler
  // may instead choose to fire the timeout (virtual time advances to the
  // deadline). With `allow_spurious`, it may choose a spurious wake-up.
  // Returns why the step proceeded. If no logical thread can run, the
  // execution ends as a deadlock and this call does not return normally.
  virtual Wake step(Op op, const void* object, const braid::source_location& where,
                    Guard guard = Guard(), const Timeout& timeout = std::nullopt,
                    bool allow_spurious = false) = 0;

  // Ownership, for deadlock reports: the current thread now holds (or no longer
  // holds) `object`. Locks, RLocks and semaphores call these.
  virtual void hold(const void* object) = 0;
  virtual void unhold(const void* object) = 0;

  // Happens-before: `release` publishes the current thread's vector clock into
  // `object`; `acquire` joins `object`'s clock into the current thread's.
  virtual void sync_release(const void* object) = 0;
  virtual void sync_acquire(const void* object) = 0;

  // One call for a lock taken or given back: acquired() is hold() then
  // sync_acquire(); released() is unhold() then sync_release(). A model may
  // override them to do both at the cost of one call.
  virtual void acquired(const void* object) {
    hold(object);
    sync_acquire(object);
  }
  virtual void released(const void* object) {
    unhold(object);
    sync_release(object);
  }

  // Starts `body` as a new logical thread described by `child`. The child is
  // runnable from the next step on; `child` is marked finished (see
  // ThreadContext::finish) when the body returns or throws. An exception that
  // escapes `body` fails the execution, naming the thread.
  virtual void spawn(std::shared_ptr<ThreadContext> child, std::function<void()> body) = 0;

  // Model::spawn_process()
  //
  // Like spawn(), but the child runs in a new simulated process: every tracked
  // variable (Shared<T>, Atomic<T>) it reads has the value its parent's process
  // saw at this moment, and writes on either side are never seen by the other
  // (copy on write, as after fork). Only channels (mp queues, pipes) carry data
  // between processes. The default fails the execution: a model without
  // processes.
  virtual void spawn_process(std::shared_ptr<ThreadContext> child, std::function<void()> body) {
    (void)child;
    (void)body;
    fail("this model runtime does not simulate processes", braid::source_location::current());
  }

  // The simulated process of the calling logical thread: 0 for the program's
  // own, 1, 2, ... for processes started by spawn_process().
  virtual std::uint32_t process_id() const noexcept { return 0; }

  // True once the execution has started a simulated process. Until then every
  // tracked variable lives in its own storage and tracked_storage() is not
  // needed: the check is inline, the call is not.
  bool has_processes() const noexcept { return has_processes_; }

  // The storage the calling logical thread's process sees for the tracked
  // variable whose own storage is `own` (the main process's copy); `write` is
  // true before a write. Called only when has_processes().
  virtual void* tracked_storage(void* own, const TrackedOps& ops, bool write) {
    (void)ops;
    (void)write;
    return own;
  }

  // The logical threads started and not yet finished, main first.
  virtual std::vector<std::shared_ptr<ThreadContext>> live_threads() = 0;

  // The main logical thread of the running execution.
  virtual std::shared_ptr<ThreadContext> main_thread() = 0;

  // Virtual monotonic time since the start of the execution.
  virtual Duration now() = 0;

  // Sleeps for `d` of virtual time: a scheduling point, no wall time.
  virtual void sleep(Duration d, const braid::source_location& where) = 0;

  // The object is being destroyed: forget its clocks and ownership so that a
  // new object at the same address starts fresh.
  virtual void forget(const void* object) noexcept = 0;

  // A nondeterministic choice in [0, n) made by the scheduler and recorded in
  // the schedule, for programs that need random data.
  virtual std::uint64_t choose(std::uint64_t n) = 0;

  // The number for the next default thread name ("Thread-N"). The model counts
  // per execution, so names are the same in every execution and on replay.
  // Returns 0 to use the process-wide counter.
  virtual std::uint64_t next_thread_number() { return 0; }

  // Ends the current execution with an assertion failure.
  [[noreturn]] virtual void fail(std::string message, const braid::source_location& where) = 0;

  // True while the execution is being torn down (its logical threads unwound
  // by an exception from their pending step). Steps then return at once and
  // blocking cannot be modelled, so a lock re-acquired on the way out (a
  // Condition::wait unwinding) may still be held by a thread not yet unwound:
  // releasing a lock the caller does not hold is then ignored instead of
  // thrown from a destructor.
  virtual bool unwinding() const noexcept { return false; }

 protected:
  bool has_processes_ = false;
};

namespace detail {
// Non-zero while chaos mode is on or any model execution runs in the process.
extern std::atomic<int> g_hooked;
// The model installed on this OS thread, or null.
extern thread_local constinit Model* tls_model;
// The braid thread context running on this OS thread (switched with fibers).
// Both are `constinit`: no TLS wrapper call on access (and no GCC
// -fsanitize=null false positive after TLS relaxation).
extern thread_local constinit ThreadContext* tls_context;
}  // namespace detail

// hooked()
//
// True when chaos mode is on or a model execution is running somewhere. The
// one branch a primitive's fast path pays for the seam.
inline bool hooked() noexcept { return detail::g_hooked.load(std::memory_order_relaxed) != 0; }

// model()
//
// The model runtime installed on the calling OS thread, or null when the
// calling code runs on the OS runtime.
inline Model* model() noexcept { return detail::tls_model; }

// Installs (or, with null, removes) the model for the calling OS thread. Used by
// the engine; keeps `hooked()` true while any model is installed.
void install_model(Model* m) noexcept;

// -- Thread contexts -----------------------------------------------------------

// ThreadContext
//
// What braid knows about one thread, OS or logical: its Python-visible identity
// and its per-thread storage. Shared by `Thread` handles, the runtime and the
// registry of live threads.
class ThreadContext {
 public:
  ThreadContext(std::string name, bool daemon);
  ~ThreadContext();
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;

  std::string name;
  bool daemon = false;
  bool is_main = false;
  bool is_dummy = false;  // a thread braid did not start (Python's _DummyThread)
  std::uint64_t ident = 0;      // get_ident(); 0 until started
  std::uint64_t native_id = 0;  // the OS thread id (the logical id under the model)

  // 0 new, 1 started, 2 finished. Also the futex word `join` waits on.
  std::atomic<std::uint32_t> state{0};
  static constexpr std::uint32_t kNew = 0, kStarted = 1, kFinished = 2;

  // Called by the runtime when the thread's body has ended: destroys its
  // thread-local values, publishes kFinished and wakes joiners.
  void finish() noexcept;

  // Per-thread storage for braid::Local<T>: destructors registered here run in
  // `finish()`, in reverse order of registration.
  void at_exit(std::function<void()> fn);

 private:
  std::vector<std::function<void()>> at_exit_;
};

// The context of the calling thread. Never null: a thread braid did not start
// gets a dummy context on first use, as Python's current_thread() does.
ThreadContext& current_context();

// The context of the process's main thread (or the main logical thread of the
// running model execution).
std::shared_ptr<ThreadContext> main_context();

// Makes `ctx` the current context of this OS thread (the engine calls this
// when it switches fibers; the OS runtime when a thread starts).
void set_current_context(ThreadContext* ctx) noexcept;

// Starts `body` on a new thread described by `ctx`: an OS thread, or a logical
// thread under the model. Throws RuntimeError if the OS cannot start a thread.
// On the OS runtime an exception escaping `body` is printed the way Python's
// default excepthook does and does not end the process. Under the model,
// `where` is the location of the kThreadStart step.
void spawn(std::shared_ptr<ThreadContext> ctx, std::function<void()> body,
           const braid::source_location& where = braid::source_location::current());

// Starts `body` as a new simulated process described by `ctx` (a
// kThreadStart step, then Model::spawn_process). Model runtime only: on the OS
// runtime it throws RuntimeError (real processes come from fork_process()).
void spawn_process(std::shared_ptr<ThreadContext> ctx, std::function<void()> body,
                   const braid::source_location& where = braid::source_location::current());

// fork_process()
//
// The OS runtime's fork(2) with braid's at-fork handling: in the child only the
// calling thread remains; the registry of live threads holds just it (it
// becomes the child's main thread) and braid's internal state is reset so it is
// usable. Returns the child's pid in the parent, 0 in the child. Throws
// OSError if fork fails, RuntimeError under the model (use spawn_process).
int fork_process();

// The live threads: started, not finished (and the main and dummy threads).
std::vector<std::shared_ptr<ThreadContext>> live_threads();

// -- OS blocking core -----------------------------------------------------------

// A point in time on the runtime's clock (virtual under the model).
Duration now();

// The deadline `timeout` from now, or nullopt for "forever".
inline std::optional<Duration> deadline_after(const Timeout& timeout) {
  if (!timeout) return std::nullopt;
  return now() + *timeout;
}

// Blocks the calling OS thread while `word == expected`, until woken by
// futex_wake or until `deadline` (on now()'s clock) passes. Returns false only
// when the deadline passed. May return spuriously: callers re-check.
bool futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                const std::optional<Duration>& deadline);

// Wakes up to `n` OS threads blocked in futex_wait on `word`.
void futex_wake(const std::atomic<std::uint32_t>& word, int n) noexcept;
inline void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept {
  futex_wake(word, INT32_MAX);
}

// The same for a word in memory shared between processes (MAP_SHARED): a
// non-private futex. OS runtime only.
bool futex_wait_shared(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                       const std::optional<Duration>& deadline);
void futex_wake_shared(const std::atomic<std::uint32_t>& word, int n) noexcept;

// Sleeps the calling thread (virtual time under the model).
void sleep(Duration d, const braid::source_location& where = braid::source_location::current());

// -- Chaos mode -----------------------------------------------------------------

// True when BRAID_CHAOS=<seed> was set at start-up (or enable_chaos was called).
bool chaos_enabled() noexcept;

// Turns chaos on with `seed` (0 turns it off). Tests use it; the environment
// variable BRAID_CHAOS does the same at start-up.
void enable_chaos(std::uint64_t seed) noexcept;

// Under chaos mode, sometimes yields or sleeps for a few microseconds, to widen
// race windows. Otherwise does nothing. Call at primitive boundaries.
void chaos_point() noexcept;

// visible()
//
// The generic hook for an operation that needs no guard: a scheduling point
// under the model, a chaos point under chaos mode, nothing otherwise.
inline void visible(Op op, const void* object,
                    const braid::source_location& where = braid::source_location::current()) {
  if (BRAID_UNLIKELY(hooked())) {
    if (Model* m = model()) {
      m->step(op, object, where);
    } else {
      chaos_point();
    }
  }
}

}  // namespace runtime
}  // namespace braid

#endif  // BRAID_RUNTIME_H_
