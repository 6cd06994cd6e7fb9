// runtime/execution.cc
// -----------------------------------------------------------------------------
// The scheduling core of the model runtime: running one execution, steps,
// decisions, failures and virtual time (the fibers are in
// execution_fibers.cc). See execution.h.
// -----------------------------------------------------------------------------
#include "runtime/execution.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>
#include <string_view>
#include <thread>

#include "braid/errors.h"
#include "runtime/fiber_annotations.h"

namespace braid::engine {
namespace {
thread_local Execution* tls_execution = nullptr;
const auto kNever = [] { return false; };
}  // namespace

Execution::Execution(StackPool& pool) : pool_(pool) {
  alternatives_.reserve(64);
  choices_.reserve(1024);
  if constexpr (annotate::kTsanFibers) {
    const char* on = std::getenv("BRAID_TSAN_MODEL");
    const std::string_view v = on != nullptr ? on : "";  // on unless BRAID_TSAN_MODEL=0 (false, no, off)
    tsan_model_ = v != "0" && v != "false" && v != "no" && v != "off";
    // libstdc++ updates shared_ptr counts with plain (non-atomic) arithmetic
    // while the process has never had a second thread; TSan, which sees our
    // fibers as threads, would call that a race. One thread, once, ends it.
    static const bool multithreaded = [] {
      std::thread([] {}).join();
      return true;
    }();
    (void)multithreaded;
  }
}

Execution::~Execution() = default;

Execution* Execution::current() noexcept { return tls_execution; }

LogicalThread& Execution::new_thread() {
  if (live_ == threads_.size()) threads_.push_back(std::make_unique<LogicalThread>());
  LogicalThread& t = *threads_[live_];
  t.id = live_++;
  t.state = LogicalThread::State::kFinished;
  set_state(t, LogicalThread::State::kUnstarted);
  t.started = false;
  t.process = 0;
  t.abort_thrown = false;
  t.tsan_prev = nullptr;
  t.op = runtime::Op::kThreadStart;
  t.object = nullptr;
  t.guard = runtime::Guard();
  t.has_deadline = false;
  t.spurious = false;
  t.wake = runtime::Wake::kReady;
  t.where = braid::source_location();
  t.clock.clear();
  t.held.clear();
  return t;
}

void Execution::reset() {
  for (std::uint32_t i = 0; i < live_; ++i) {
    LogicalThread& t = *threads_[i];
    t.body = nullptr;
    t.ctx.reset();
  }
  live_ = 0;
  finished_ = 0;
  current_ = last_from_ = kHost;
  aborting_ = pending_ = false;
  failure_ = Failure{};
  now_ = Duration{0};
  preemptions_ = decisions_ = thread_names_ = 0;
  choices_.clear();
  log_.clear();
  objects_.reset();
  cached_[0] = cached_[1] = CachedId{};
  races_.reset();
  if (BRAID_UNLIKELY(has_processes_)) {
    spaces_.reset();
    has_processes_ = false;
  }
  always_ready_ = guarded_ = timed_ = called_ = groups_used_ = 0;
  ++gen_;
}

void Execution::run(const std::function<void()>& body, Scheduler& scheduler, std::uint64_t index,
                    const Limits& limits) {
  reset();
  scheduler_ = &scheduler;
  limits_ = limits;
  scheduler.observe(*this);
  scheduler.begin_execution(index);
  uniform_ = scheduler.uniform();

  LogicalThread& main = new_thread();
  main.ctx = std::make_shared<runtime::ThreadContext>("MainThread", false);
  main.ctx->is_main = true;
  main.ctx->ident = main.ctx->native_id = 1;
  main.ctx->state.store(runtime::ThreadContext::kStarted, std::memory_order_relaxed);
  main.body = std::ref(body);
  main.object = main.ctx.get();
  main.clock.set(0, 1);

  saved_context_ = runtime::detail::tls_context;
  runtime::install_model(this);
  tls_execution = this;
  host_tsan_fiber_ = annotate::tsan_current();

  take_step(main, ChoiceKind::kReady);
  switch_to(0);
  unwind_all();
  if (pending_) {  // a failure noted after the last scheduling point
    pending_ = false;
    if (!failed()) failure_ = std::move(pending_failure_);
  }

  for (std::uint32_t i = 0; i < live_; ++i) threads_[i]->body = nullptr;
  runtime::install_model(nullptr);
  runtime::set_current_context(saved_context_);
  tls_execution = nullptr;
  for (std::uint32_t i = 0; i < live_; ++i) {
    if (threads_[i]->started) release_fiber(*threads_[i]);
  }
  scheduler.end_execution(decisions_);
  if (!failed() && scheduler.script_left()) {
    failure_.kind = FailureKind::kNondeterminism;
    failure_.message = "replay diverged: the execution ended before its schedule did (" +
                       std::to_string(decisions_) + " decisions used); the program is not a "
                       "function of its schedule (real time, real threads, unseeded randomness?)";
  }
}

runtime::Wake Execution::step(runtime::Op op, const void* object, const braid::source_location& where,
                              runtime::Guard guard, const Timeout& timeout, bool allow_spurious) {
  // One frame from the primitive to the fiber switch, and one copy of the
  // switch (see switch_to()): the no-throw steps' handling is here.
  try {
    return step_impl(op, object, where, guard, timeout, allow_spurious);
  } catch (const AbortExecution&) {
    if (!no_throw(op)) throw;
    // The execution ended here, maybe inside a destructor: let the thread
    // go on to its next step, which unwinds it.
    me().abort_thrown = false;
    return runtime::Wake::kReady;
  }
}

inline runtime::Wake Execution::step_impl(runtime::Op op, const void* object, const braid::source_location& where,
                                   runtime::Guard guard, const Timeout& timeout, bool allow_spurious) {
  annotate::TsanIgnore tsan_ignore;
  if (BRAID_UNLIKELY(aborting_ || current_ == kHost)) {
    // A thread the execution's end has not unwound yet (it went on past a
    // no-throw step) stops here.
    if (current_ != kHost && !me().abort_thrown && !no_throw(op)) throw_abort();
    return runtime::Wake::kReady;
  }
  if (BRAID_UNLIKELY(pending_)) raise_pending();
  LogicalThread& t = me();
  if constexpr (annotate::kTsanFibers) tsan_before_step(t, op, object);
  t.op = op;
  t.object = object;
  t.where = where;
  // A forced step (no other thread can run, and this one can): taken at once,
  // as decide() would take it, without parking the thread first.
  if (BRAID_LIKELY(!timeout.has_value() && !(allow_spurious && limits_.spurious_wakeups) && timed_ == 0 &&
                   live_ <= 64) &&
      waiting_ready() == 0 && guard_holds(guard)) {
    if (BRAID_UNLIKELY(log_.size() >= limits_.max_steps)) step_limit_exceeded(t.id);
    t.has_deadline = t.spurious = t.sleeping = false;
    t.wake = runtime::Wake::kReady;
    record_step(t, ChoiceKind::kReady, !guard.always());
    if constexpr (annotate::kTsanFibers) tsan_after_step(t, op, object);
    return runtime::Wake::kReady;
  }
  t.guard = guard;
  t.has_deadline = timeout.has_value();
  if (t.has_deadline) t.deadline = now_ + std::max(*timeout, Duration{0});
  t.spurious = allow_spurious && limits_.spurious_wakeups;
  t.sleeping = false;
  mark_waiting(t);
  const std::uint32_t next = decide(t.id);
  if (next != t.id) switch_to(next);
  t.guard = runtime::Guard();
  if constexpr (annotate::kTsanFibers) tsan_after_step(t, op, object);
  return t.wake;
}

// TSan's view of a step (see fiber_annotations.h): the thread's history so far
// is released into the object of its previous step (what it did after that
// step) and into this step's object; when the step proceeds, the object's
// history is acquired. Tracked variables are not synchronisation: their
// steps carry no edge. (A Local's steps do: its table of per-thread values is
// shared state that braid's Local orders.)
void Execution::tsan_before_step(LogicalThread& t, runtime::Op op, const void* object) noexcept {
  if (t.tsan_prev != nullptr) annotate::tsan_release(t.tsan_prev);
  t.tsan_prev = nullptr;
  if (object != nullptr && tsan_edge(op)) annotate::tsan_release(object);
}

void Execution::tsan_after_step(LogicalThread& t, runtime::Op op, const void* object) noexcept {
  if (object == nullptr || !tsan_edge(op)) return;
  annotate::tsan_acquire(object);
  t.tsan_prev = object;
}

bool Execution::tsan_edge(runtime::Op op) noexcept {
  return op != runtime::Op::kSharedRead && op != runtime::Op::kSharedWrite;
}

std::uint32_t Execution::decide_after_end() { return decide(kNoThread); }

void Execution::step_limit_exceeded(std::uint32_t self) {
  fail_with(FailureKind::kStepLimit,
            "the execution exceeded " + std::to_string(limits_.max_steps) +
                " steps (a livelock or an endless loop?); raise BRAID_MAX_STEPS if it is legitimate",
            self != kNoThread ? threads_[self]->where : braid::source_location(),
            self != kNoThread ? std::optional(threads_[self]->op) : std::nullopt);
}

[[gnu::always_inline]] inline std::uint32_t Execution::decide(std::uint32_t self) {
  if (BRAID_UNLIKELY(log_.size() >= limits_.max_steps)) step_limit_exceeded(self);
  // The common case: no thread waits with a timeout or may wake spuriously,
  // and there are at most 64 threads. The alternatives are then the runnable
  // threads in id order (all kReady), as decide_general() would list them,
  // read off the masks; only the guards of blocked threads are evaluated.
  if (BRAID_UNLIKELY(timed_ != 0 || live_ > 64)) return decide_general(self);
  const std::uint64_t ready = waiting_ready();
  if (BRAID_UNLIKELY(ready == 0)) return decide_general(self);  // deadlock: report it there
  std::uint32_t to = static_cast<std::uint32_t>(__builtin_ctzll(ready));
  if ((ready & (ready - 1)) != 0) {
    if (uniform_ != nullptr) {
      to = pick_uniform(ready);
    } else {
      to = choose_among(ready, self);
    }
  }
  if (self < 64 && (ready >> self & 1) != 0 && to != self) ++preemptions_;
  take_step(*threads_[to], ChoiceKind::kReady);
  return to;
}

std::uint32_t Execution::choose_among(std::uint64_t ready, std::uint32_t self) {
  alternatives_.clear();
  for (std::uint64_t r = ready; r != 0; r &= r - 1) {
    alternatives_.push_back(encode_choice(static_cast<std::uint32_t>(__builtin_ctzll(r)), ChoiceKind::kReady));
  }
  return choice_thread(ask_scheduler(self));
}

std::uint32_t Execution::ask_scheduler(std::uint32_t self) {
  ++decisions_;
  const std::uint32_t i = scheduler_->choose(alternatives_, self);
  if (BRAID_UNLIKELY(i >= alternatives_.size())) {
    if (i == kAbandon) abort_current();  // ended early by the scheduler: no failure
    fail_with(FailureKind::kNondeterminism, "replay diverged: " + scheduler_->mismatch(),
              self != kNoThread ? threads_[self]->where : braid::source_location(), std::nullopt);
  }
  const std::uint32_t pick = alternatives_[i];
  choices_.push_back(pick);
  return pick;
}

std::uint32_t Execution::decide_general(std::uint32_t self) {
  // Virtual time: a sleep fires only when no thread can proceed otherwise (or
  // its deadline has passed); a guarded wait's timeout may fire as a choice
  // whenever its deadline is the earliest pending one.
  Duration horizon = Duration::max();
  bool any_ready = false;
  for (std::uint32_t i = 0; i < live_; ++i) {
    LogicalThread& t = *threads_[i];
    if (t.state == LogicalThread::State::kUnstarted) {
      any_ready = true;
    } else if (t.state == LogicalThread::State::kWaiting) {
      t.ready = t.guard();
      any_ready |= t.ready;
      if (t.has_deadline) horizon = std::min(horizon, t.deadline);
    }
  }
  horizon = std::max(horizon, now_);
  alternatives_.clear();
  bool self_ready = false;
  for (std::uint32_t i = 0; i < live_; ++i) {
    const LogicalThread& t = *threads_[i];
    if (t.state == LogicalThread::State::kUnstarted) {
      alternatives_.push_back(encode_choice(i, ChoiceKind::kReady));
      continue;
    }
    if (t.state != LogicalThread::State::kWaiting) continue;
    if (t.ready) {
      alternatives_.push_back(encode_choice(i, ChoiceKind::kReady));
      self_ready |= (i == self);
    }
    if (t.has_deadline && t.deadline <= horizon && (!t.sleeping || !any_ready || t.deadline <= now_)) {
      alternatives_.push_back(encode_choice(i, ChoiceKind::kTimeout));
    }
    if (!t.ready && t.spurious) alternatives_.push_back(encode_choice(i, ChoiceKind::kSpurious));
  }
  if (BRAID_UNLIKELY(alternatives_.empty())) {
    std::vector<std::uint32_t> cycle;
    std::string message = describe_deadlock(&cycle);
    fail_with(FailureKind::kDeadlock, std::move(message),
              self != kNoThread ? threads_[self]->where : braid::source_location(),
              self != kNoThread ? std::optional(threads_[self]->op) : std::nullopt);
  }
  const std::uint32_t pick = alternatives_.size() > 1 ? ask_scheduler(self) : alternatives_[0];
  const std::uint32_t to = choice_thread(pick);
  if (self_ready && to != self) ++preemptions_;
  take_step(*threads_[to], choice_kind(pick));
  return to;
}

[[gnu::always_inline]] inline void Execution::take_step(LogicalThread& t, ChoiceKind kind) {
  mark_running(t);
  t.wake = static_cast<runtime::Wake>(kind);
  if (kind == ChoiceKind::kTimeout && t.deadline > now_) now_ = t.deadline;
  record_step(t, kind, !t.guard.always());
}

[[gnu::always_inline]] inline void Execution::record_step(LogicalThread& t, ChoiceKind kind, bool guarded) {
  const std::uint32_t obj = object_id(t.object);
  log_.push(LoggedStep{t.id, t.op, static_cast<std::uint8_t>(kind), guarded, obj, t.where});
  using runtime::Op;
  switch (t.op) {
    case Op::kSharedRead:
    case Op::kSharedWrite: {
      Access earlier;
      const bool write = t.op == Op::kSharedWrite;
      if (BRAID_UNLIKELY(races_.access(obj, t.id, t.clock, write, t.where, &earlier))) {
        race_found(t, obj, write, earlier);
      }
      break;
    }
    case Op::kAtomicLoad:
      t.clock.join(object_clock(obj));
      break;
    case Op::kAtomicStore:
      object_clock(obj).join(t.clock);
      t.clock.bump(t.id);
      break;
    case Op::kAtomicRmw:
      t.clock.join(object_clock(obj));
      object_clock(obj).assign(t.clock);
      t.clock.bump(t.id);
      break;
    default:
      break;
  }
}

void Execution::race_found(LogicalThread& t, std::uint32_t obj, bool write, const Access& earlier) {
  std::string message = "data race on " + object_name(obj) + ": '" + thread_name(t.id) + "' " +
                        (write ? "writes" : "reads") + " it at " + location(t.where) + ", unordered with '" +
                        thread_name(earlier.thread) + "''s " + (earlier.write ? "write" : "read") + " at " +
                        location(earlier.where) + " (no lock, join or other synchronization orders them)";
  if (failure_.kind == FailureKind::kNone) {
    failure_ = Failure{FailureKind::kDataRace, std::move(message), t.id, t.op, t.where};
  }
  abort_current();
}

void Execution::fail_later(std::string message, const braid::source_location& where) {
  annotate::TsanIgnore tsan_ignore;
  if (pending_ || failed()) return;
  pending_ = true;
  pending_failure_ = Failure{FailureKind::kAssertion, std::move(message), current_, std::nullopt, where};
}

void Execution::sanitizer_report() {
  annotate::TsanIgnore tsan_ignore;
  if (pending_ || failed() || current_ == kHost) return;
  pending_ = true;
  pending_failure_ = Failure{FailureKind::kDataRace,
                             "ThreadSanitizer reported a data race in this interleaving (its report is printed "
                             "above): memory braid does not track, such as a plain variable instead of a "
                             "Shared<T>, accessed by two logical threads with no happens-before between them",
                             current_, me().op, me().where, true};
}

void Execution::raise_pending() {
  pending_ = false;
  Failure f = std::move(pending_failure_);
  if (f.sanitizer) {
    if (failure_.kind == FailureKind::kNone) failure_ = std::move(f);
    abort_current();
  }
  fail_with(f.kind, std::move(f.message), f.where, std::nullopt);
}

void Execution::fail(std::string message, const braid::source_location& where) {
  annotate::TsanIgnore tsan_ignore;
  fail_with(FailureKind::kAssertion, std::move(message), where, std::nullopt);
}

void Execution::fail_with(FailureKind kind, std::string message, braid::source_location where,
                          std::optional<runtime::Op> op) {
  if (failure_.kind == FailureKind::kNone) {
    failure_ = Failure{kind, std::move(message), current_ == kHost ? kNoThread : current_, op, where};
  }
  abort_current();
}

void Execution::throw_abort() {
  if (current_ != kHost) me().abort_thrown = true;
  throw AbortExecution{};
}

void Execution::abort_current() {
  const bool first = !aborting_;
  aborting_ = true;
  if (first && current_ != kHost && me().state != LogicalThread::State::kFinished) {
    // Unwinding starts from the host, children first (unwind_all): a child's
    // body refers to objects on its parent's stack, which must not unwind
    // before it. Park here until the host resumes this fiber to unwind it.
    park_on_host();
  }
  throw_abort();
}

void Execution::sleep(Duration d, const braid::source_location& where) {
  annotate::TsanIgnore tsan_ignore;
  if (d <= Duration{0}) {
    step(runtime::Op::kSleep, nullptr, where, runtime::Guard(), std::nullopt, false);
    return;
  }
  if (aborting_ || current_ == kHost) {
    if (aborting_ && current_ != kHost && !me().abort_thrown) throw_abort();
    return;
  }
  LogicalThread& t = me();
  if (BRAID_UNLIKELY(pending_)) raise_pending();
  if constexpr (annotate::kTsanFibers) tsan_before_step(t, runtime::Op::kSleep, nullptr);
  t.op = runtime::Op::kSleep;
  t.object = nullptr;
  t.where = where;
  t.guard = runtime::Guard(kNever);
  t.has_deadline = true;
  t.deadline = now_ + d;
  t.spurious = false;
  t.sleeping = true;
  set_state(t, LogicalThread::State::kWaiting);
  const std::uint32_t next = decide(t.id);
  if (next != t.id) switch_to(next);
  t.guard = runtime::Guard();
}

std::uint64_t Execution::choose(std::uint64_t n) {
  annotate::TsanIgnore tsan_ignore;
  if (n <= 1 || aborting_ || current_ == kHost) return 0;
  ++decisions_;
  const std::uint64_t v = scheduler_->choose_value(n);
  if (BRAID_UNLIKELY(v == kAbandonValue)) abort_current();
  if (v >= n) fail_with(FailureKind::kNondeterminism, "replay diverged: " + scheduler_->mismatch(), me().where, std::nullopt);
  choices_.push_back(static_cast<std::uint32_t>(v));
  return v;
}

}  // namespace braid::engine

#if defined(BRAID_TSAN_FIBERS)
// ThreadSanitizer calls this after printing a report (a weak hook of its
// runtime). A report during a model execution fails that execution, so braid's
// report, with its replay line, follows TSan's.
extern "C" void __tsan_on_report(const void* report) {
  (void)report;
  if (braid::engine::Execution* e = braid::engine::Execution::current()) e->sanitizer_report();
}
#endif
