// runtime/execution_fibers.cc
// -----------------------------------------------------------------------------
// The fiber half of the model runtime: starting a logical thread's fiber on a
// pooled stack, switching between fibers (with the sanitizer annotations),
// running a body to its end, and unwinding every fiber when an execution ends
// early. See execution.h.
// -----------------------------------------------------------------------------
#include <algorithm>
#include <cstdlib>
#include <new>

#include "braid/errors.h"
#include "runtime/execution.h"
#include "runtime/fiber_annotations.h"

namespace braid::engine {

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
  annotate::tsan_ignore_end();  // fiber_main's: TSan requires a fiber to end with no ignore left
  if (to == kHost || !tsan_model_) {
    annotate::tsan_switch(tsan_fiber);
  } else {
    annotate::tsan_release(&tsan_host_sync_);
    annotate::tsan_switch_nosync(tsan_fiber);
  }
  new (graveyard_) boost::context::fiber(std::move(*target).resume());
  std::abort();  // a finished fiber is never resumed
}

boost::context::fiber Execution::fiber_main(std::uint32_t id, boost::context::fiber&& from) {
  annotate::tsan_ignore_begin();  // the engine's frames; run_body() lifts it for the body
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
      next = decide_after_end();
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
    annotate::TsanUnignore tsan_body;
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
  if constexpr (annotate::kTsanFibers) {
    if (t.tsan_prev != nullptr) annotate::tsan_release(t.tsan_prev);
    annotate::tsan_release(t.ctx.get());  // join() acquires it
  }
  log_.push(LoggedStep{t.id, runtime::Op::kThreadEnd, 0, 0, object_id(t.ctx.get()), t.where});
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

}  // namespace braid::engine
