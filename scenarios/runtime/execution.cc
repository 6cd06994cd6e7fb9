// runtime/execution.cc
// -----------------------------------------------------------------------------
// The scheduling core of the model runtime: running one execution, steps,
// decisions, and switching between fibers. See execution.h.
// -----------------------------------------------------------------------------
#include "runtime/execution.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <new>

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
  last_object_ = nullptr;
  last_object_id_ = 0;
  races_.reset();
  always_ready_ = guarded_ = timed_ = 0;
  ++gen_;
}

void Execution::run(const std::function<void()>& body, Scheduler& scheduler, std::uint64_t index,
                    const Limits& limits) {
  reset();
  scheduler_ = &scheduler;
  limits_ = limits;
  scheduler.observe(*this);
  scheduler.begin_execution(index);

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
  if (BRAID_UNLIKELY(aborting_ || current_ == kHost)) return runtime::Wake::kReady;
  if (BRAID_UNLIKELY(pending_)) raise_pending();
  LogicalThread& t = me();
  t.op = op;
  t.object = object;
  t.where = where;
  t.guard = guard;
  t.has_deadline = timeout.has_value();
  if (t.has_deadline) t.deadline = now_ + std::max(*timeout, Duration{0});
  t.spurious = allow_spurious && limits_.spurious_wakeups;
  t.sleeping = false;
  mark_waiting(t);
  const std::uint32_t next = decide(t.id);
  if (next != t.id) switch_to(next);
  t.guard = runtime::Guard();
  return t.wake;
}

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
  std::uint64_t ready = always_ready_;
  for (std::uint64_t g = guarded_; g != 0; g &= g - 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(g));
    // A lock-word guard is read inline; any other guard is called.
    const std::atomic<std::uint32_t>* word = guard_words_[i];
    if (word != nullptr ? word->load(std::memory_order_relaxed) == guard_values_[i] : guards_[i]()) {
      ready |= std::uint64_t{1} << i;
    }
  }
  if (BRAID_UNLIKELY(ready == 0)) return decide_general(self);  // deadlock: report it there
  std::uint32_t to = static_cast<std::uint32_t>(__builtin_ctzll(ready));
  if ((ready & (ready - 1)) != 0) {
    alternatives_.clear();
    for (std::uint64_t r = ready; r != 0; r &= r - 1) {
      alternatives_.push_back(encode_choice(static_cast<std::uint32_t>(__builtin_ctzll(r)), ChoiceKind::kReady));
    }
    to = choice_thread(ask_scheduler(self));
  }
  if (self < 64 && (ready >> self & 1) != 0 && to != self) ++preemptions_;
  take_step(*threads_[to], ChoiceKind::kReady);
  return to;
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
  const std::uint32_t obj = object_id(t.object);
  log_.push(report::TraceStep{t.id, t.op, static_cast<std::uint8_t>(kind), !t.guard.always(), obj,
                                   t.where.line(), t.where.file_name(), t.where.function_name()});
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

void Execution::start_fiber(LogicalThread& t) {
  const std::uint32_t id = t.id;
  t.asan_fake_stack = nullptr;  // first entry: no fake stack to restore
  t.tsan_fiber = annotate::tsan_create();
  // Constructing the fiber runs its entry function on the new stack up to its
  // first jump back: TSan must count that frame on the new fiber's shadow
  // stack, not on ours (it is never popped).
  void* here = annotate::tsan_current();
  annotate::tsan_switch(t.tsan_fiber);
  t.fiber = boost::context::fiber(std::allocator_arg, PooledStack(pool_, &t.stack),
                                  [this, id](boost::context::fiber&& from) { return fiber_main(id, std::move(from)); });
  annotate::tsan_switch(here);
  t.started = true;
}

void Execution::release_fiber(LogicalThread& t) noexcept {
  // The fiber is suspended for good in exit_fiber(). Nothing on its stack
  // needs destroying (fiber_main's frames hold no objects with destructors by
  // then), so its handle is parked where it is never destroyed (destroying it
  // would unwind it) and its stack goes back to the pool, unpoisoned for the
  // next fiber that gets it.
  new (graveyard_) boost::context::fiber(std::move(t.fiber));
  annotate::asan_unpoison(static_cast<char*>(t.stack.sp) - t.stack.size, t.stack.size);
  pool_.deallocate(t.stack);
  annotate::tsan_destroy(t.tsan_fiber);
  t.tsan_fiber = nullptr;
  t.asan_fake_stack = nullptr;
  t.started = false;
}

void Execution::switch_to(std::uint32_t to) {
  const std::uint32_t from = current_;
  LogicalThread& t = *threads_[to];
  if (!t.started) start_fiber(t);
  last_from_ = from;
  current_ = to;
  runtime::set_current_context(t.ctx.get());
  annotate::asan_start(from == kHost ? &host_asan_fake_stack_ : &threads_[from]->asan_fake_stack,
                       static_cast<char*>(t.stack.sp) - t.stack.size, t.stack.size);
  annotate::tsan_switch(t.tsan_fiber);
  boost::context::fiber back = std::move(t.fiber).resume();
  after_switch(std::move(back));
  if (aborting_ && from != kHost) throw AbortExecution{};
}

void Execution::exit_fiber(std::uint32_t to) noexcept {
  // A switch like switch_to()'s, announced to the sanitizers right before the
  // jump, except that this fiber never runs again: ASan gets no fake-stack slot
  // (it frees this fiber's fake stack), and the host releases the fiber later
  // (release_fiber). The fiber's function never returns: returning would run
  // this stack's epilogues after TSan was told we had left it.
  const void* bottom;
  std::size_t size;
  void* tsan_fiber;
  boost::context::fiber* target;
  if (to == kHost) {
    runtime::set_current_context(saved_context_);
    bottom = host_stack_bottom_;
    size = host_stack_size_;
    tsan_fiber = host_tsan_fiber_;
    target = &host_;
  } else {
    LogicalThread& t = *threads_[to];
    if (!t.started) start_fiber(t);
    runtime::set_current_context(t.ctx.get());
    bottom = static_cast<char*>(t.stack.sp) - t.stack.size;
    size = t.stack.size;
    tsan_fiber = t.tsan_fiber;
    target = &t.fiber;
  }
  last_from_ = current_;
  current_ = to;
  annotate::asan_start(nullptr, bottom, size);
  annotate::tsan_switch(tsan_fiber);
  new (graveyard_) boost::context::fiber(std::move(*target).resume());
  std::abort();  // a finished fiber is never resumed
}

void Execution::after_switch(boost::context::fiber&& from) noexcept {
  const void* bottom = nullptr;
  std::size_t size = 0;
  annotate::asan_finish(current_ == kHost ? host_asan_fake_stack_ : me().asan_fake_stack, &bottom, &size);
  if (last_from_ == kHost) {
    host_ = std::move(from);
    if (bottom != nullptr) host_stack_bottom_ = bottom, host_stack_size_ = size;
    return;
  }
  threads_[last_from_]->fiber = std::move(from);
}

boost::context::fiber Execution::fiber_main(std::uint32_t id, boost::context::fiber&& from) {
  after_switch(std::move(from));
  LogicalThread& t = *threads_[id];
  try {
    run_body(t);
    end_thread(t);
  } catch (const AbortExecution&) {
    t.body = nullptr;  // with aborting_ set, steps made by destructors return at once
  }
  if (t.state != LogicalThread::State::kFinished) {
    set_state(t, LogicalThread::State::kFinished);
    ++finished_;
  }
  std::uint32_t next = kHost;
  if (!aborting_) {
    try {
      next = decide(kNoThread);
    } catch (const AbortExecution&) {
      next = kHost;
    }
  }
  exit_fiber(next);
}

void Execution::run_body(LogicalThread& t) {
  FailureKind kind = FailureKind::kNone;
  std::string message;
  try {
    t.body();
  } catch (const AbortExecution&) {
    throw;
  } catch (const braid::Exception& e) {
    kind = e.is_misuse() ? FailureKind::kMisuse : FailureKind::kUncaughtException;
    message = std::string("thread '") + t.ctx->name + "' raised " + e.type_name() + ": " + e.what();
  } catch (const std::exception& e) {
    kind = FailureKind::kUncaughtException;
    message = std::string("thread '") + t.ctx->name + "' raised a C++ exception: " + e.what();
  } catch (...) {
    kind = FailureKind::kUncaughtException;
    message = std::string("thread '") + t.ctx->name + "' raised an exception of unknown type";
  }
  t.body = nullptr;
  if (kind != FailureKind::kNone) fail_with(kind, std::move(message), t.where, t.op);
}

void Execution::end_thread(LogicalThread& t) {
  if (pending_) raise_pending();
  if (t.id == 0) {
    // Python's end of program: the main thread waits for the non-daemon threads.
    auto others_done = [this] {
      for (std::uint32_t i = 1; i < live_; ++i) {
        const LogicalThread& o = *threads_[i];
        if (o.state != LogicalThread::State::kFinished && !o.ctx->daemon) return false;
      }
      return true;
    };
    if (!others_done()) step(runtime::Op::kThreadJoin, nullptr, t.where, runtime::Guard(others_done), std::nullopt, false);
  }
  t.ctx->finish();
  sync_release(t.ctx.get());
  log_.push(report::TraceStep{t.id, runtime::Op::kThreadEnd, 0, 0, object_id(t.ctx.get()), t.where.line(),
                                   t.where.file_name(), t.where.function_name()});
  set_state(t, LogicalThread::State::kFinished);
  ++finished_;
  if (pending_) raise_pending();
  if (t.id == 0) aborting_ = true;  // the program is over: unwind daemon threads
}

void Execution::unwind_all() {
  // Newest first: a thread's body usually refers to objects on the stack of
  // the thread that started it, so children unwind before their parents.
  aborting_ = true;
  for (std::uint32_t i = live_; i-- > 0;) {
    LogicalThread& t = *threads_[i];
    if (!t.started || t.state == LogicalThread::State::kFinished) continue;
    switch_to(i);
  }
}

void Execution::fail_later(std::string message, const braid::source_location& where) {
  if (pending_ || failed()) return;
  pending_ = true;
  pending_failure_ = Failure{FailureKind::kAssertion, std::move(message), current_, std::nullopt, where};
}

void Execution::raise_pending() {
  pending_ = false;
  Failure f = std::move(pending_failure_);
  fail_with(f.kind, std::move(f.message), f.where, std::nullopt);
}

void Execution::fail(std::string message, const braid::source_location& where) {
  fail_with(FailureKind::kAssertion, std::move(message), where, std::nullopt);
}

void Execution::fail_with(FailureKind kind, std::string message, braid::source_location where,
                          std::optional<runtime::Op> op) {
  if (failure_.kind == FailureKind::kNone) {
    failure_ = Failure{kind, std::move(message), current_ == kHost ? kNoThread : current_, op, where};
  }
  abort_current();
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
  throw AbortExecution{};
}

void Execution::park_on_host() {
  const std::uint32_t from = current_;
  last_from_ = from;
  current_ = kHost;
  runtime::set_current_context(saved_context_);
  annotate::asan_start(&threads_[from]->asan_fake_stack, host_stack_bottom_, host_stack_size_);
  annotate::tsan_switch(host_tsan_fiber_);
  boost::context::fiber back = std::move(host_).resume();
  after_switch(std::move(back));
}

void Execution::sleep(Duration d, const braid::source_location& where) {
  if (d <= Duration{0}) {
    step(runtime::Op::kSleep, nullptr, where, runtime::Guard(), std::nullopt, false);
    return;
  }
  if (aborting_ || current_ == kHost) return;
  LogicalThread& t = me();
  if (BRAID_UNLIKELY(pending_)) raise_pending();
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
  if (n <= 1 || aborting_ || current_ == kHost) return 0;
  ++decisions_;
  const std::uint64_t v = scheduler_->choose_value(n);
  if (BRAID_UNLIKELY(v == kAbandonValue)) abort_current();
  if (v >= n) fail_with(FailureKind::kNondeterminism, "replay diverged: " + scheduler_->mismatch(), me().where, std::nullopt);
  choices_.push_back(static_cast<std::uint32_t>(v));
  return v;
}

}  // namespace braid::engine
