// runtime.cc
// -----------------------------------------------------------------------------
// The runtime-independent half of braid/runtime.h: the hook counter, model
// installation, op names, ThreadContext, the registry of live OS threads, the
// main and dummy thread contexts, and the dispatch of spawn/live_threads to the
// model or to the OS threads layer (runtime_os_threads.cc).
// -----------------------------------------------------------------------------
#include "braid/runtime.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "braid/errors.h"
#include "runtime_internal.h"

namespace braid {
namespace detail {

std::uint64_t next_thread_number() noexcept {
  if (runtime::Model* m = runtime::model()) {
    if (std::uint64_t n = m->next_thread_number()) return n;
  }
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace detail

namespace runtime {
namespace detail {

std::atomic<int> g_hooked{0};
thread_local constinit Model* tls_model = nullptr;
thread_local constinit ThreadContext* tls_context = nullptr;

// -- Registry of live OS threads ------------------------------------------------

namespace {

struct Registry {
  std::mutex mu;
  std::vector<std::shared_ptr<ThreadContext>> live;  // main first, then start order
};

// Leaked on purpose: threads may still touch it while the process exits.
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

void register_thread(std::shared_ptr<ThreadContext> ctx) {
  Registry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  r.live.push_back(std::move(ctx));
}

void unregister_thread(const ThreadContext* ctx) {
  Registry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  auto it = std::find_if(r.live.begin(), r.live.end(),
                         [ctx](const std::shared_ptr<ThreadContext>& p) { return p.get() == ctx; });
  if (it != r.live.end()) r.live.erase(it);
}

std::vector<std::shared_ptr<ThreadContext>> os_live_threads() {
  Registry& r = registry();
  std::lock_guard<std::mutex> g(r.mu);
  return r.live;
}

std::uint64_t next_logical_ident() noexcept {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint64_t os_thread_ident() noexcept {
  return static_cast<std::uint64_t>(pthread_self());
}

std::uint64_t os_native_id() noexcept {
  return static_cast<std::uint64_t>(::syscall(SYS_gettid));
}

bool on_process_main_thread() noexcept {
  return static_cast<pid_t>(::syscall(SYS_gettid)) == ::getpid();
}

// -- Main and dummy contexts ------------------------------------------------------

namespace {

// The main thread's context; fork_process() replaces it in a child forked by
// another thread (registry_fork_child).
std::shared_ptr<ThreadContext>& main_slot() {
  static std::shared_ptr<ThreadContext> main = [] {
    auto ctx = std::make_shared<ThreadContext>("MainThread", false);
    ctx->is_main = true;
    ctx->native_id = static_cast<std::uint64_t>(::getpid());
    if (on_process_main_thread()) ctx->ident = os_thread_ident();
    ctx->state.store(ThreadContext::kStarted, std::memory_order_release);
    register_thread(ctx);
    return ctx;
  }();
  return main;
}

}  // namespace

const std::shared_ptr<ThreadContext>& os_main_context() { return main_slot(); }

// -- At-fork handling of the registry (used by runtime_fork.cc) -----------------

void registry_fork_prepare() { registry().mu.lock(); }

void registry_fork_parent() { registry().mu.unlock(); }

std::shared_ptr<ThreadContext> registry_fork_child(ThreadContext* self) {
  Registry& r = registry();
  r.mu.unlock();  // taken by registry_fork_prepare() on this very thread
  std::lock_guard<std::mutex> g(r.mu);
  std::shared_ptr<ThreadContext> keep;
  for (auto& ctx : r.live) {
    if (ctx.get() == self) {
      keep = ctx;
    } else {
      ctx->state.store(ThreadContext::kFinished, std::memory_order_release);  // Thread._stop()
    }
  }
  if (!keep) {  // a caller braid no longer tracks: a fresh _MainThread
    keep = std::make_shared<ThreadContext>("MainThread", false);
    keep->state.store(ThreadContext::kStarted, std::memory_order_release);
  }
  if (keep->is_dummy) keep->name = "MainThread";
  keep->is_dummy = false;
  keep->is_main = true;
  r.live.assign(1, keep);
  main_slot() = keep;
  return keep;
}

namespace {

// Owns the dummy context of an OS thread braid did not start; retires it when
// that OS thread exits.
struct DummyHolder {
  std::shared_ptr<ThreadContext> ctx;
  ~DummyHolder() {
    if (!ctx) return;
    unregister_thread(ctx.get());
    ctx->finish();
    if (tls_context == ctx.get()) tls_context = nullptr;
  }
};

thread_local DummyHolder tls_dummy;

// Captures the main thread's context during static initialization, which runs
// on the process's main thread.
const bool g_main_captured = [] {
  os_main_context();
  return true;
}();

}  // namespace

ThreadContext& os_current_context() {
  if (on_process_main_thread()) {
    ThreadContext* main = os_main_context().get();
    tls_context = main;
    return *main;
  }
  auto ctx = std::make_shared<ThreadContext>(
      "Dummy-" + std::to_string(::braid::detail::next_thread_number()), true);
  ctx->is_dummy = true;
  ctx->ident = os_thread_ident();
  ctx->native_id = os_native_id();
  ctx->state.store(ThreadContext::kStarted, std::memory_order_release);
  register_thread(ctx);
  tls_dummy.ctx = ctx;
  tls_context = ctx.get();
  return *ctx;
}

}  // namespace detail

// -- Model installation and op names -----------------------------------------------

void install_model(Model* m) noexcept {
  Model* old = detail::tls_model;
  if (old == m) return;
  if (old == nullptr) detail::g_hooked.fetch_add(1, std::memory_order_relaxed);
  if (m == nullptr) detail::g_hooked.fetch_sub(1, std::memory_order_relaxed);
  detail::tls_model = m;
}

const char* op_name(Op op) noexcept {
  switch (op) {
    case Op::kThreadStart: return "thread.start";
    case Op::kThreadJoin: return "thread.join";
    case Op::kThreadEnd: return "thread.end";
    case Op::kLockAcquire: return "lock.acquire";
    case Op::kLockRelease: return "lock.release";
    case Op::kRLockAcquire: return "rlock.acquire";
    case Op::kRLockRelease: return "rlock.release";
    case Op::kConditionWait: return "condition.wait";
    case Op::kConditionNotify: return "condition.notify";
    case Op::kSemaphoreAcquire: return "semaphore.acquire";
    case Op::kSemaphoreRelease: return "semaphore.release";
    case Op::kEventSet: return "event.set";
    case Op::kEventClear: return "event.clear";
    case Op::kEventWait: return "event.wait";
    case Op::kEventQuery: return "event.query";
    case Op::kBarrierWait: return "barrier.wait";
    case Op::kBarrierAbort: return "barrier.abort";
    case Op::kBarrierReset: return "barrier.reset";
    case Op::kQueuePut: return "queue.put";
    case Op::kQueueGet: return "queue.get";
    case Op::kQueueQuery: return "queue.query";
    case Op::kQueueTaskDone: return "queue.task_done";
    case Op::kQueueJoin: return "queue.join";
    case Op::kSharedRead: return "shared.read";
    case Op::kSharedWrite: return "shared.write";
    case Op::kAtomicLoad: return "atomic.load";
    case Op::kAtomicStore: return "atomic.store";
    case Op::kAtomicRmw: return "atomic.rmw";
    case Op::kSleep: return "sleep";
    case Op::kYield: return "yield";
    case Op::kLocalAccess: return "local.access";
    case Op::kChannelSend: return "channel.send";
    case Op::kChannelRecv: return "channel.recv";
    case Op::kChannelQuery: return "channel.query";
    case Op::kChannelClose: return "channel.close";
    case Op::kUser: return "user";
  }
  return "unknown";
}

// -- ThreadContext ----------------------------------------------------------------

ThreadContext::ThreadContext(std::string n, bool d) : name(std::move(n)), daemon(d) {}

namespace {

// Runs `callbacks` in reverse order of registration. Callbacks may register
// further callbacks (a Local's value touching another Local); keep draining
// until none are left.
void run_at_exit(std::vector<std::function<void()>>& callbacks) noexcept {
  while (!callbacks.empty()) {
    std::function<void()> fn = std::move(callbacks.back());
    callbacks.pop_back();
    try {
      fn();
    } catch (...) {
      std::fputs("braid: exception in a thread-exit callback ignored\n", stderr);
    }
  }
}

}  // namespace

// A context destroyed without finish() (an abandoned model execution) still
// releases its thread-local values, so no Local keeps a value keyed by a
// dangling context.
ThreadContext::~ThreadContext() { run_at_exit(at_exit_); }

void ThreadContext::finish() noexcept {
  run_at_exit(at_exit_);
  state.store(kFinished, std::memory_order_release);
  // Joins of logical threads are modelled (guarded steps); only OS joiners sleep on the word.
  if (model() == nullptr) futex_wake_all(state);
}

void ThreadContext::at_exit(std::function<void()> fn) { at_exit_.push_back(std::move(fn)); }

// -- Current and main contexts -------------------------------------------------------

ThreadContext& current_context() {
  if (BRAID_LIKELY(detail::tls_context != nullptr)) return *detail::tls_context;
  // Under the model the engine sets the context; until it has, the caller is
  // the execution's main logical thread (not cached: it dies with the execution).
  if (Model* m = model()) return *m->main_thread();
  return detail::os_current_context();
}

std::shared_ptr<ThreadContext> main_context() {
  if (Model* m = model()) return m->main_thread();
  return detail::os_main_context();
}

void set_current_context(ThreadContext* ctx) noexcept { detail::tls_context = ctx; }

// -- spawn and live_threads ------------------------------------------------------------

void spawn(std::shared_ptr<ThreadContext> ctx, std::function<void()> body,
           const braid::source_location& where) {
  if (Model* m = model()) {
    m->step(Op::kThreadStart, ctx.get(), where);
    ctx->state.store(ThreadContext::kStarted, std::memory_order_relaxed);
    ThreadContext* child = ctx.get();
    m->spawn(std::move(ctx), std::move(body));
    if (child->ident == 0) child->ident = detail::next_logical_ident();
    if (child->native_id == 0) child->native_id = child->ident;
    return;
  }
  detail::os_spawn(std::move(ctx), std::move(body));
}

void spawn_process(std::shared_ptr<ThreadContext> ctx, std::function<void()> body,
                   const braid::source_location& where) {
  Model* m = model();
  if (m == nullptr) throw misuse<RuntimeError>("spawn_process() needs the model runtime; use fork_process()");
  m->step(Op::kThreadStart, ctx.get(), where);
  ctx->state.store(ThreadContext::kStarted, std::memory_order_relaxed);
  ThreadContext* child = ctx.get();
  m->spawn_process(std::move(ctx), std::move(body));
  if (child->ident == 0) child->ident = detail::next_logical_ident();
  if (child->native_id == 0) child->native_id = child->ident;
}

std::vector<std::shared_ptr<ThreadContext>> live_threads() {
  if (Model* m = model()) return m->live_threads();
  detail::os_main_context();
  return detail::os_live_threads();
}

}  // namespace runtime
}  // namespace braid
