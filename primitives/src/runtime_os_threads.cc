// runtime_os_threads.cc
// -----------------------------------------------------------------------------
// The OS threads layer of the runtime: starting a braid thread on a detached
// pthread, printing an exception that escapes its body the way Python's default
// threading.excepthook does, and Python's end-of-program rule (the process
// waits for its live non-daemon threads when main returns, as
// threading._shutdown does).
// -----------------------------------------------------------------------------
#include <cxxabi.h>
#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <typeinfo>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "runtime_internal.h"

namespace braid::runtime::detail {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string result = (status == 0 && out != nullptr) ? out : mangled;
  std::free(out);
  return result;
}

}  // namespace

// Formats the exception being handled as Python's last traceback line:
// "<TypeName>: <message>", or "<TypeName>" when the message is empty.
std::string describe_current_exception() {
  std::string type;
  std::string message;
  try {
    throw;
  } catch (const ::braid::Exception& e) {
    type = e.type_name();
    message = e.what();
  } catch (const std::exception& e) {
    type = demangle(typeid(e).name());
    message = e.what();
  } catch (...) {
    const std::type_info* ti = abi::__cxa_current_exception_type();
    type = ti != nullptr ? demangle(ti->name()) : "unknown exception";
  }
  return message.empty() ? type : type + ": " + message;
}

namespace {

void print_thread_exception(const ThreadContext& ctx) {
  std::string text = "Exception in thread " + ctx.name + ":\n" + describe_current_exception() + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// threading._shutdown: marks the main thread finished, then waits for every
// live non-daemon braid thread (including threads started meanwhile).
void shutdown() {
  if (model() != nullptr) return;
  const std::shared_ptr<ThreadContext>& main = os_main_context();
  for (;;) {
    std::shared_ptr<ThreadContext> pending;
    for (const auto& ctx : os_live_threads()) {
      if (!ctx->daemon && !ctx->is_main && !ctx->is_dummy) {
        pending = ctx;
        break;
      }
    }
    if (!pending) break;
    std::uint32_t s;
    while ((s = pending->state.load(std::memory_order_acquire)) != ThreadContext::kFinished) {
      futex_wait(pending->state, s, std::nullopt);
    }
  }
  unregister_thread(main.get());
  main->state.store(ThreadContext::kFinished, std::memory_order_release);
  futex_wake_all(main->state);
}

struct Launch {
  std::shared_ptr<ThreadContext> ctx;
  std::function<void()> body;
  std::atomic<std::uint32_t> ready{0};
};

void* thread_main(void* arg) {
  std::shared_ptr<Launch> launch(std::move(*static_cast<std::shared_ptr<Launch>*>(arg)));
  delete static_cast<std::shared_ptr<Launch>*>(arg);
  std::shared_ptr<ThreadContext> ctx = launch->ctx;
  ctx->ident = os_thread_ident();
  ctx->native_id = os_native_id();
  tls_context = ctx.get();
  std::function<void()> body = std::move(launch->body);
  launch->ready.store(1, std::memory_order_release);
  futex_wake_all(launch->ready);
  launch.reset();

  try {
    body();
  } catch (...) {
    print_thread_exception(*ctx);
  }
  body = nullptr;  // destroy the callable (and its copied arguments) on this thread
  unregister_thread(ctx.get());
  ctx->finish();
  tls_context = nullptr;
  return nullptr;
}

}  // namespace

void os_spawn(std::shared_ptr<ThreadContext> ctx, std::function<void()> body) {
  if (!ctx->daemon) {
    static std::once_flag once;
    std::call_once(once, [] { std::atexit(shutdown); });
  }
  os_main_context();  // the main thread is registered before any other
  auto launch = std::make_shared<Launch>();
  launch->ctx = ctx;
  launch->body = std::move(body);

  ctx->state.store(ThreadContext::kStarted, std::memory_order_release);
  register_thread(ctx);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  auto* arg = new std::shared_ptr<Launch>(launch);
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, thread_main, arg);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete arg;
    unregister_thread(ctx.get());
    ctx->state.store(ThreadContext::kNew, std::memory_order_release);
    throw RuntimeError("can't start new thread");
  }
  // Like Thread.start() waiting on _started: ident and native_id are set when
  // spawn returns.
  while (launch->ready.load(std::memory_order_acquire) == 0) {
    futex_wait(launch->ready, 0, std::nullopt);
  }
}

}  // namespace braid::runtime::detail
