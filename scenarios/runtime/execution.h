// runtime/execution.h
// -----------------------------------------------------------------------------
// Execution: the model runtime. One object runs many executions of a test body
// in turn (state is reset, never reallocated, between them), each under the
// choices of a Scheduler.
//
// Logical threads are Boost.Context fibers on pooled stacks. Only one runs at a
// time; control passes only inside `step()` (and at a thread's end), directly
// from fiber to fiber. The fiber that called `run()` (the host) gets control
// back when the execution is over, then resumes any fiber still suspended so
// that it unwinds (a private AbortExecution exception thrown from its pending
// step; destructors run), newest thread first. A thread that ends the
// execution early (a failure) first parks on the host, so that it too unwinds
// in that order. A finished fiber never returns from its function: it switches
// away for good and the host releases its stack (exit_fiber / release_fiber),
// so that every switch is announced to the sanitizers right before it happens.
//
// Each step records (thread, op, object, wake, location) in the step log, which
// is the trace of the execution and what partial-order reduction will use.
// Decisions with two or more alternatives are recorded as encoded choices
// (thread * 4 + kind); see strategies/scheduler.h.
//
// Detectors: assertion (fail), uncaught exception and misuse (escaping a
// thread's body), deadlock (no alternative at a decision), data race (on
// shared.read/shared.write steps), step limit, nondeterminism (a replay
// scheduler that cannot follow its script).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_EXECUTION_H_
#define BRAID_SCENARIOS_RUNTIME_EXECUTION_H_

#include <boost/context/fiber.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "braid/explore.h"
#include "braid/runtime.h"
#include "report/trace.h"
#include "runtime/fiber_annotations.h"
#include "runtime/fiber_jump.h"
#include "runtime/object_table.h"
#include "runtime/process_spaces.h"
#include "runtime/race_detector.h"
#include "runtime/stack_pool.h"
#include "runtime/step_log.h"
#include "runtime/vector_clock.h"
#include "strategies/scheduler.h"

namespace braid::engine {

// Thrown inside a fiber to unwind it when its execution ends early. Not a
// std::exception, so user code's `catch (const std::exception&)` lets it pass.
struct AbortExecution {};

// What went wrong in an execution.
struct Failure {
  FailureKind kind = FailureKind::kNone;
  std::string message;
  std::uint32_t thread = kNoThread;
  std::optional<runtime::Op> op;
  braid::source_location where;
  // Reported by a sanitizer (TSan inside the model): not confirmed by replay
  // or shrunk, since a sanitizer reports each race once per process.
  bool sanitizer = false;
};

// A logical thread.
struct LogicalThread {
  enum class State : std::uint8_t { kUnstarted, kWaiting, kRunning, kFinished };

  std::uint32_t id = 0;
  std::uint32_t process = 0;  // the simulated process (0: the program's own)
  State state = State::kUnstarted;
  bool started = false;  // has a fiber
  std::shared_ptr<runtime::ThreadContext> ctx;
  std::function<void()> body;
  boost::context::fiber fiber;  // the suspended fiber, while another runs
  boost::context::stack_context stack{};

  // The pending (or last) step.
  runtime::Op op = runtime::Op::kThreadStart;
  const void* object = nullptr;
  runtime::Guard guard;
  bool has_deadline = false;
  bool spurious = false;
  bool sleeping = false;  // a sleep: its timer fires only when nothing else can run
  bool ready = false;     // guard value at the current decision
  Duration deadline{0};
  braid::source_location where;
  runtime::Wake wake = runtime::Wake::kReady;

  VectorClock clock;
  std::vector<std::uint32_t> held;  // object ids, one entry per hold()

  // An AbortExecution was thrown into this thread (it is unwinding): its
  // further steps return at once instead of throwing again.
  bool abort_thrown = false;
  void* tsan_fiber = nullptr;
  const void* tsan_prev = nullptr;  // the object of the last step with a TSan edge
  void* asan_fake_stack = nullptr;
};

class Execution final : public runtime::Model, public ExecutionView {
 public:
  explicit Execution(StackPool& pool);
  ~Execution() override;

  struct Limits {
    std::uint64_t max_steps = 20000;
    bool spurious_wakeups = false;
  };

  // Runs `body` as the main thread of one execution under `scheduler`.
  void run(const std::function<void()>& body, Scheduler& scheduler, std::uint64_t index,
           const Limits& limits);

  // Results of the last run().
  const Failure& failure() const noexcept { return failure_; }
  bool failed() const noexcept { return failure_.kind != FailureKind::kNone; }
  const std::vector<std::uint32_t>& choices() const noexcept { return choices_; }
  const StepLog& steps() const noexcept { return log_; }
  std::uint64_t preemptions() const noexcept { return preemptions_; }
  // The trace of the last run, with thread and object names.
  report::Trace trace() const;
  // The name of logical thread `id` in the last run.
  std::string thread_name(std::uint32_t id) const;

  // Fails the execution at the next scheduling point (GoogleTest assertions).
  void fail_later(std::string message, const braid::source_location& where);
  // ThreadSanitizer printed a report while this execution ran (its
  // __tsan_on_report hook): the execution fails as a data race at the next
  // scheduling point.
  void sanitizer_report();

  // The execution running on this OS thread, or null.
  static Execution* current() noexcept;

  // -- runtime::Model --
  runtime::Wake step(runtime::Op op, const void* object, const braid::source_location& where,
                     runtime::Guard guard, const Timeout& timeout, bool allow_spurious) override;
  void hold(const void* object) override;
  void unhold(const void* object) override;
  void sync_release(const void* object) override;
  void sync_acquire(const void* object) override;
  void acquired(const void* object) override;
  void released(const void* object) override;
  void spawn(std::shared_ptr<runtime::ThreadContext> child, std::function<void()> body) override;
  void spawn_process(std::shared_ptr<runtime::ThreadContext> child, std::function<void()> body) override;
  std::uint32_t process_id() const noexcept override {
    return current_ == kHost ? 0 : threads_[current_]->process;
  }
  void* tracked_storage(void* own, const runtime::TrackedOps& ops, bool write) override {
    annotate::TsanIgnore tsan_ignore;
    return spaces_.storage(process_id(), own, ops, write);
  }
  std::vector<std::shared_ptr<runtime::ThreadContext>> live_threads() override;
  std::shared_ptr<runtime::ThreadContext> main_thread() override;
  Duration now() override { return now_; }
  void sleep(Duration d, const braid::source_location& where) override;
  void forget(const void* object) noexcept override;
  std::uint64_t choose(std::uint64_t n) override;
  std::uint64_t next_thread_number() override { return ++thread_names_; }
  [[noreturn]] void fail(std::string message, const braid::source_location& where) override;
  bool unwinding() const noexcept override { return aborting_; }

  // -- ExecutionView (runtime/execution_view.cc) --
  std::size_t step_count() const noexcept override { return log_.size(); }
  StepKey step_at(std::size_t i) const noexcept override;
  StepKey pending(std::uint32_t thread) override;

  // Records `kind` as the failure (the first one wins) and unwinds the
  // current fiber.
  [[noreturn]] void fail_with(FailureKind kind, std::string message, braid::source_location where,
                              std::optional<runtime::Op> op);

 private:
  friend struct ExecutionAccess;
  static constexpr std::uint32_t kHost = ~0u;

  LogicalThread& me() noexcept { return *threads_[current_]; }
  LogicalThread& new_thread();
  // The id of `object` in this execution (assigned on first use). The last
  // two lookups are cached: a step's object is usually looked up again by the
  // hold/sync calls that follow it, and a thread's steps often alternate
  // between two objects (a lock and the variable it guards).
  std::uint32_t object_id(const void* object) {
    if (object == cached_[0].object) return cached_[0].id;
    if (object == cached_[1].object) return cached_[1].id;
    if (const std::uint32_t id = objects_.find(object); BRAID_LIKELY(id != 0)) {
      remember(object, id);
      return id;
    }
    return object_id_slow(object);
  }
  void remember(const void* object, std::uint32_t id) noexcept {
    cached_[1] = cached_[0];
    cached_[0] = CachedId{object, id};
  }
  void forget_cached(const void* object) noexcept {
    for (CachedId& c : cached_) {
      if (c.object == object) c = CachedId{};
    }
  }
  std::uint32_t object_id_slow(const void* object);
  // Moves `t` to state `s`, keeping the runnable masks in step.
  void set_state(LogicalThread& t, LogicalThread::State s) noexcept;
  // The hot cases of set_state(): a running thread parks at its pending step
  // (its guard, deadline and spurious flag already set), and a waiting or
  // unstarted thread's step is taken.
  void mark_waiting(LogicalThread& t) noexcept;
  void mark_running(LogicalThread& t) noexcept;
  // Fails the execution with a data race on `obj` found at `t`'s pending step.
  [[noreturn, gnu::cold, gnu::noinline]] void race_found(LogicalThread& t, std::uint32_t obj, bool write,
                                                         const Access& earlier);
  [[noreturn, gnu::cold, gnu::noinline]] void step_limit_exceeded(std::uint32_t self);
  // TSan's happens-before for a step (BRAID_TSAN_FIBERS builds only).
  static bool tsan_edge(runtime::Op op) noexcept;
  void tsan_before_step(LogicalThread& t, runtime::Op op, const void* object) noexcept;
  void tsan_after_step(LogicalThread& t, runtime::Op op, const void* object) noexcept;
  // decide()'s general path: timeouts, spurious wake-ups, deadlock, and
  // executions with more than 64 threads.
  std::uint32_t decide_general(std::uint32_t self);
  // Asks the scheduler to choose among alternatives_ (two or more), records
  // the choice, and returns it.
  std::uint32_t ask_scheduler(std::uint32_t self);
  // decide()'s choice among the threads of `ready` (two or more, all kReady):
  // the scheduler's, recorded.
  std::uint32_t choose_among(std::uint64_t ready, std::uint32_t self);
  // The same when the scheduler is uniform (Scheduler::uniform()): drawn
  // inline, as the scheduler would, and recorded.
  std::uint32_t pick_uniform(std::uint64_t ready) {
    ++decisions_;
    std::uint32_t n = 0;
    for (std::uint64_t r = ready; r != 0; r &= r - 1) ++n;
    for (std::uint64_t i = uniform_->below(n); i != 0; --i) ready &= ready - 1;
    const std::uint32_t to = static_cast<std::uint32_t>(__builtin_ctzll(ready));
    choices_.push_back(encode_choice(to, ChoiceKind::kReady));
    return to;
  }
  VectorClock& object_clock(std::uint32_t id);

  // Chooses the next step (deadlock if none), records it, and returns the
  // thread to run. `self` is the calling thread (kNoThread if it ended).
  std::uint32_t decide(std::uint32_t self);
  // decide() for the end of a thread (execution_fibers.cc): not inlined there.
  std::uint32_t decide_after_end();
  void take_step(LogicalThread& t, ChoiceKind kind);
  // take_step()'s record of the step, and its effect on clocks and the race
  // detector (`guarded`: the step had a guard).
  void record_step(LogicalThread& t, ChoiceKind kind, bool guarded);
  // The waiting threads whose pending step can proceed now (decide()'s
  // common case: no timeouts, at most 64 threads): the always-ready ones and
  // those whose guard holds.
  std::uint64_t waiting_ready() const {
    std::uint64_t ready = always_ready_;
    for (std::uint64_t g = groups_used_; g != 0; g &= g - 1) {
      const WordGroup& w = groups_[__builtin_ctzll(g)];
      if (w.word->load(std::memory_order_relaxed) == w.value) ready |= w.threads;
    }
    for (std::uint64_t g = called_; g != 0; g &= g - 1) {
      const unsigned i = static_cast<unsigned>(__builtin_ctzll(g));
      if (guards_[i]()) ready |= std::uint64_t{1} << i;
    }
    return ready;
  }
  // Whether `guard` holds, a word guard read inline.
  static bool guard_holds(const runtime::Guard& guard) {
    if (guard.always()) return true;
    std::uint32_t value;
    if (const std::atomic<std::uint32_t>* word = guard.word_guard(&value)) {
      return word->load(std::memory_order_relaxed) == value;
    }
    return guard();
  }
  // Passes control to thread `to` and returns when the caller is resumed.
  // Inlined into step() (see there).
  [[gnu::always_inline]] inline void switch_to(std::uint32_t to);
  // The final switch of a thread whose fiber ended: to thread `to` (or the
  // host). Never returns.
  [[noreturn]] void exit_fiber(std::uint32_t to) noexcept;
  // Host side, after the execution: frees the stack of a fiber parked in
  // exit_fiber() (or never resumed after creation).
  void release_fiber(LogicalThread& t) noexcept;
  // After a switch, in the fiber switched to: files the fiber switched from.
  inline void after_switch(boost::context::fiber&& from) noexcept;
  void start_fiber(LogicalThread& t);
  [[noreturn]] boost::context::fiber fiber_main(std::uint32_t id, boost::context::fiber&& from);
  void run_body(LogicalThread& t);
  void end_thread(LogicalThread& t);
  void raise_pending();
  [[noreturn]] void abort_current();
  // Throws AbortExecution into the current logical thread (marking it).
  [[noreturn]] void throw_abort();
  // The step proper; step() adds the handling of no-throw steps.
  [[gnu::always_inline]] inline runtime::Wake step_impl(runtime::Op op, const void* object,
                                                        const braid::source_location& where, runtime::Guard guard,
                                                        const Timeout& timeout, bool allow_spurious);
  // Releases (of a Lock, RLock, Semaphore) run in destructors (std::scoped_lock's):
  // an execution ending at one never throws through it; the thread stops at
  // its next step instead.
  static constexpr bool no_throw(runtime::Op op) noexcept {
    return op == runtime::Op::kLockRelease || op == runtime::Op::kRLockRelease ||
           op == runtime::Op::kSemaphoreRelease;
  }
  // Switches from the current logical thread to the host, and returns when the
  // host switches back (to unwind it).
  void park_on_host();
  void unwind_all();
  void reset();
  std::string describe_deadlock(std::vector<std::uint32_t>* cycle);
  std::string object_name(std::uint32_t id) const;
  std::string location(const braid::source_location& where) const;

  StackPool& pool_;
  Scheduler* scheduler_ = nullptr;
  Rng* uniform_ = nullptr;  // scheduler_->uniform(), for the run
  Limits limits_;
  boost::context::fiber host_;
  alignas(boost::context::fiber) unsigned char graveyard_[sizeof(boost::context::fiber)];
  void* host_tsan_fiber_ = nullptr;
  // TSan: every logical thread releases into this address when it switches
  // away without synchronising, and the host acquires it whenever it resumes,
  // so the host's clean-up is ordered after everything the threads did (and
  // no logical thread ever acquires it).
  char tsan_host_sync_ = 0;
  // TSan inside the model is on (a BRAID_TSAN_FIBERS build, unless
  // BRAID_TSAN_MODEL=0): switches between logical threads do not synchronise. Otherwise
  // every switch synchronises and TSan sees the engine's OS thread only.
  bool tsan_model_ = false;
  void* host_asan_fake_stack_ = nullptr;
  const void* host_stack_bottom_ = nullptr;
  std::size_t host_stack_size_ = 0;
  runtime::ThreadContext* saved_context_ = nullptr;

  std::vector<std::unique_ptr<LogicalThread>> threads_;  // pooled; first live_ are in use
  std::uint32_t live_ = 0;
  std::uint32_t current_ = kHost;
  std::uint32_t last_from_ = kHost;
  std::uint32_t finished_ = 0;
  bool aborting_ = false;
  bool pending_ = false;
  Failure pending_failure_;
  Failure failure_;

  Duration now_{0};
  std::uint64_t preemptions_ = 0;
  std::uint64_t thread_names_ = 0;  // default "Thread-N" names, counted per execution
  std::uint64_t decisions_ = 0;
  std::vector<std::uint32_t> alternatives_;
  std::vector<std::uint32_t> choices_;
  StepLog log_;

  // Runnable masks, bit i = thread i, kept by set_state() for threads 0..63:
  // unstarted or waiting with an always-true guard (runnable without asking),
  // waiting with a guard to evaluate, and waiting with a deadline or a
  // possible spurious wake-up (these take decide_general()).
  std::uint64_t always_ready_ = 0;
  std::uint64_t guarded_ = 0;  // waiting with a guard to evaluate (a word guard or a call)
  std::uint64_t timed_ = 0;
  std::uint64_t called_ = 0;   // the threads of guarded_ whose guard is called
  runtime::Guard guards_[64];  // guards_[i]: thread i's guard while its called_ bit is set
  // Threads waiting on a Guard::word_equals() guard are grouped by (word,
  // value): decide() reads each group's word once, inline, and all of its
  // threads are ready or none is (the waiters of one lock, or of one join).
  struct WordGroup {
    const std::atomic<std::uint32_t>* word;
    std::uint32_t value;
    std::uint64_t threads;  // bit i: thread i waits on this group
  };
  WordGroup groups_[64] = {};
  std::uint64_t groups_used_ = 0;  // bit g: groups_[g] has threads
  std::uint8_t group_of_[64];      // group_of_[i]: thread i's group, while it is in guarded_ but not called_
  void join_group(std::uint32_t id, const std::atomic<std::uint32_t>* word, std::uint32_t value) noexcept;
  void leave_guard(std::uint32_t id) noexcept;


  ObjectTable objects_;
  struct CachedId {
    const void* object = nullptr;  // null maps to id 0
    std::uint32_t id = 0;
  };
  CachedId cached_[2];  // object_id()'s cache, most recent first
  std::vector<const void*> object_ptrs_;   // by id
  std::vector<runtime::Op> object_first_op_;  // by id: names the object's type
  std::vector<VectorClock> object_clocks_;    // by id
  std::vector<std::uint32_t> object_clock_gen_;
  std::uint32_t gen_ = 0;
  RaceDetector races_;
  ProcessSpaces spaces_;
  std::vector<const void*> dropped_;  // forget(): copies whose identities go too
};

inline void Execution::mark_waiting(LogicalThread& t) noexcept {
  t.state = LogicalThread::State::kWaiting;
  if (BRAID_UNLIKELY(t.id >= 64)) return;
  const std::uint64_t bit = std::uint64_t{1} << t.id;
  if (t.guard.always()) {
    always_ready_ |= bit;
  } else {
    guarded_ |= bit;
    std::uint32_t value;
    if (const std::atomic<std::uint32_t>* word = t.guard.word_guard(&value)) {
      join_group(t.id, word, value);
    } else {
      called_ |= bit;
      guards_[t.id] = t.guard;
    }
  }
  if (BRAID_UNLIKELY(t.has_deadline || t.spurious)) timed_ |= bit;
}

inline void Execution::join_group(std::uint32_t id, const std::atomic<std::uint32_t>* word,
                                  std::uint32_t value) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << id;
  for (std::uint64_t g = groups_used_; g != 0; g &= g - 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(g));
    if (groups_[i].word == word && groups_[i].value == value) {
      groups_[i].threads |= bit;
      group_of_[id] = static_cast<std::uint8_t>(i);
      return;
    }
  }
  // At most 64 threads wait, so a free group exists.
  const unsigned i = static_cast<unsigned>(__builtin_ctzll(~groups_used_));
  groups_[i] = WordGroup{word, value, bit};
  groups_used_ |= std::uint64_t{1} << i;
  group_of_[id] = static_cast<std::uint8_t>(i);
}

inline void Execution::leave_guard(std::uint32_t id) noexcept {
  const std::uint64_t bit = std::uint64_t{1} << id;
  if ((guarded_ & bit) == 0) return;
  guarded_ &= ~bit;
  if (called_ & bit) {
    called_ &= ~bit;
    return;
  }
  const unsigned g = group_of_[id];
  groups_[g].threads &= ~bit;
  if (groups_[g].threads == 0) groups_used_ &= ~(std::uint64_t{1} << g);
}

inline void Execution::mark_running(LogicalThread& t) noexcept {
  t.state = LogicalThread::State::kRunning;
  if (BRAID_UNLIKELY(t.id >= 64)) return;
  const std::uint64_t keep = ~(std::uint64_t{1} << t.id);
  always_ready_ &= keep;
  timed_ &= keep;
  leave_guard(t.id);
}

inline void Execution::set_state(LogicalThread& t, LogicalThread::State s) noexcept {
  t.state = s;
  if (BRAID_UNLIKELY(t.id >= 64)) return;  // decide() takes decide_general() then
  const std::uint64_t bit = std::uint64_t{1} << t.id;
  always_ready_ &= ~bit;
  timed_ &= ~bit;
  leave_guard(t.id);
  if (s == LogicalThread::State::kUnstarted) {
    always_ready_ |= bit;
  } else if (s == LogicalThread::State::kWaiting) {
    mark_waiting(t);
  }
}

}  // namespace braid::engine

#include "runtime/execution_switch.h"  // IWYU pragma: export

#endif  // BRAID_SCENARIOS_RUNTIME_EXECUTION_H_
