// thread.cc
// -----------------------------------------------------------------------------
// braid::Thread and the thread-describing functions of braid/thread.h, on top
// of runtime::spawn / ThreadContext. OS runtime: join blocks with futex_wait on
// ThreadContext::state. Model runtime: join is a guarded Op::kThreadJoin step.
// -----------------------------------------------------------------------------
#include "braid/thread.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>

#include "braid/detail/futex_mutex.h"
#include "runtime_internal.h"

namespace braid {

struct Thread::Core {
  std::shared_ptr<runtime::ThreadContext> ctx;
  std::function<void()> target;  // moved into the thread by start()
  std::atomic<bool> start_called{false};
};

namespace {

using runtime::ThreadContext;

// Serializes name reads and writes (Python allows renaming a running thread).
detail::FutexMutex& name_mutex() {
  // Reinitialised in the child of a fork (a thread that held it is gone there).
  static detail::FutexMutex& mu = []() -> detail::FutexMutex& {
    static detail::FutexMutex m;
    runtime::detail::register_at_fork(m);
    return m;
  }();
  return mu;
}

// "Thread-N", built in place (one short string, no temporaries).
std::string default_name(std::uint64_t n) {
  char buf[32] = "Thread-";
  const std::to_chars_result end = std::to_chars(buf + 7, buf + sizeof buf, n);
  return std::string(buf, end.ptr);
}

}  // namespace

Thread::Thread() : Thread(TargetTag{}, ThreadOptions{}, std::function<void()>()) {}

Thread::Thread(TargetTag, ThreadOptions options, std::function<void()> target)
    : core_(std::make_shared<Core>()) {
  std::string name = options.name ? std::move(*options.name) : default_name(detail::next_thread_number());
  bool daemon = options.daemon ? *options.daemon : runtime::current_context().daemon;
  core_->ctx = std::make_shared<ThreadContext>(std::move(name), daemon);
  core_->target = std::move(target);
}

Thread::Thread(std::shared_ptr<runtime::ThreadContext> ctx) : core_(std::make_shared<Core>()) {
  core_->ctx = std::move(ctx);
  core_->start_called.store(true, std::memory_order_relaxed);
}

void Thread::start(braid::source_location where) {
  if (core_->start_called.exchange(true, std::memory_order_acq_rel) ||
      core_->ctx->state.load(std::memory_order_acquire) != ThreadContext::kNew) {
    throw misuse<RuntimeError>("threads can only be started once");
  }
  std::function<void()> body = std::move(core_->target);
  core_->target = nullptr;
  if (!body) body = [] {};  // Python's Thread() with no target runs nothing
  try {
    runtime::spawn(core_->ctx, std::move(body), where);
  } catch (...) {
    core_->start_called.store(false, std::memory_order_release);
    throw;
  }
}

void Thread::join(Timeout timeout, braid::source_location where) {
  ThreadContext& ctx = *core_->ctx;
  if (ctx.state.load(std::memory_order_acquire) == ThreadContext::kNew) {
    throw misuse<RuntimeError>("cannot join thread before it is started");
  }
  if (&ctx == &runtime::current_context()) {
    throw misuse<RuntimeError>("cannot join current thread");
  }
  if (timeout && *timeout < Duration::zero()) timeout = Duration::zero();

  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      // finished(ctx), as a guard the model reads inline.
      const auto done = runtime::Guard::word_equals<ThreadContext::kFinished>(ctx.state);
      if (m->step(runtime::Op::kThreadJoin, &ctx, where, done, timeout) ==
          runtime::Wake::kReady) {
        m->sync_acquire(&ctx);
      }
      return;
    }
    runtime::chaos_point();
  }

  std::optional<Duration> deadline = runtime::deadline_after(timeout);
  std::uint32_t s;
  while ((s = ctx.state.load(std::memory_order_acquire)) != ThreadContext::kFinished) {
    if (!runtime::futex_wait(ctx.state, s, deadline)) return;
  }
}

bool Thread::is_alive(braid::source_location where) const {
  ThreadContext& ctx = *core_->ctx;
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      // A join that does not wait: the same dependency as join().
      m->step(runtime::Op::kThreadJoin, &ctx, where);
      std::uint32_t s = ctx.state.load(std::memory_order_relaxed);
      if (s == ThreadContext::kFinished) m->sync_acquire(&ctx);
      return s == ThreadContext::kStarted;
    }
  }
  return ctx.state.load(std::memory_order_acquire) == ThreadContext::kStarted;
}

const std::shared_ptr<runtime::ThreadContext>& Thread::context() const noexcept {
  return core_->ctx;
}

bool operator==(const Thread& a, const Thread& b) noexcept {
  return a.core_->ctx == b.core_->ctx;
}

std::string Thread::name() const {
  detail::FutexGuard g(name_mutex());
  return core_->ctx->name;
}

void Thread::set_name(std::string name) {
  detail::FutexGuard g(name_mutex());
  core_->ctx->name = std::move(name);
}

bool Thread::daemon() const { return core_->ctx->daemon; }

void Thread::set_daemon(bool daemon) {
  if (core_->start_called.load(std::memory_order_acquire) ||
      core_->ctx->state.load(std::memory_order_acquire) != ThreadContext::kNew) {
    throw misuse<RuntimeError>("cannot set daemon status of active thread");
  }
  core_->ctx->daemon = daemon;
}

std::optional<std::uint64_t> Thread::ident() const {
  if (core_->ctx->state.load(std::memory_order_acquire) == ThreadContext::kNew) return std::nullopt;
  return core_->ctx->ident;
}

std::optional<std::uint64_t> Thread::native_id() const {
  if (core_->ctx->state.load(std::memory_order_acquire) == ThreadContext::kNew) return std::nullopt;
  return core_->ctx->native_id;
}

// -- Module-level functions -------------------------------------------------------

Thread current_thread() {
  ThreadContext& self = runtime::current_context();
  std::shared_ptr<ThreadContext> main = runtime::main_context();
  if (main.get() == &self) return Thread(std::move(main));
  for (auto& ctx : runtime::live_threads()) {
    if (ctx.get() == &self) return Thread(std::move(ctx));
  }
  // Not registered (e.g. during process exit): a non-owning handle. The calling
  // thread's context outlives anything the calling thread does with it.
  return Thread(std::shared_ptr<ThreadContext>(std::shared_ptr<void>(), &self));
}

Thread main_thread() { return Thread(runtime::main_context()); }

std::uint64_t get_ident() { return runtime::current_context().ident; }

std::uint64_t get_native_id() { return runtime::current_context().native_id; }

std::size_t active_count() {
  return runtime::live_threads().size();
}

std::vector<Thread> enumerate() {
  std::vector<Thread> out;
  for (auto& ctx : runtime::live_threads()) out.emplace_back(std::move(ctx));
  return out;
}

namespace detail {

void sleep_for(Duration d, const braid::source_location& where) {
  if (d < Duration::zero()) throw ValueError("sleep length must be non-negative");
  runtime::sleep(d, where);
}

}  // namespace detail
}  // namespace braid
