// runtime_fork.cc
// -----------------------------------------------------------------------------
// runtime::fork_process(): fork(2) with braid's at-fork handling, the
// counterpart of CPython's os.fork() with threading._after_fork() and the
// reinitialisation of its module locks.
//
// Before fork(2) the parent takes every registered internal mutex (see
// register_at_fork) and the registry of live threads, so no other thread is in
// the middle of one of them; the parent frees them again afterwards. In the
// child only the calling thread exists: the registered mutexes are
// reinitialised, the registry holds just the caller's context, which becomes
// the main thread, every other thread reads as finished (is_alive() false,
// join() returns at once), the hook counter forgets models that were
// installed on threads that are gone, and the registered child callbacks run
// (register_at_fork_child: e.g. mp drops pipe ends other threads were
// handing to their own children, and read-ahead bytes that are the parent's).
// -----------------------------------------------------------------------------
#include <errno.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/errors.h"
#include "braid/runtime.h"
#include "runtime_internal.h"

namespace braid::runtime {
namespace detail {
namespace {

struct AtFork {
  ::braid::detail::FutexMutex mu;  // guards `mutexes`; itself taken across fork(2)
  std::vector<::braid::detail::FutexMutex*> mutexes BRAID_GUARDED_BY(mu);
  std::vector<void (*)()> child_callbacks BRAID_GUARDED_BY(mu);
};

// Leaked on purpose, like the registry: it must outlive every static mutex.
AtFork& at_fork() {
  static AtFork* a = new AtFork;
  return *a;
}

// Takes the at-fork list and every registered mutex, in registration order.
void lock_all(AtFork& a) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  a.mu.lock();
  for (auto* m : a.mutexes) m->lock();
}

// Frees them in reverse order (the parent after fork(2), or a failed fork).
void unlock_all(AtFork& a) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  for (auto it = a.mutexes.rbegin(); it != a.mutexes.rend(); ++it) (*it)->unlock();
  a.mu.unlock();
}

// The child: fresh mutexes (their owner in the parent is this same thread, so
// nothing they guard is half-updated).
void reinit_all(AtFork& a) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  for (auto* m : a.mutexes) {
    m->~FutexMutex();
    new (m)::braid::detail::FutexMutex();
  }
  a.mu.~FutexMutex();
  new (&a.mu)::braid::detail::FutexMutex();
}

// Runs the child callbacks (single-threaded: no lock needed, none is held).
void run_child_callbacks(AtFork& a) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  for (auto* fn : a.child_callbacks) fn();
}

}  // namespace

void register_at_fork_child(void (*fn)()) {
  AtFork& a = at_fork();
  ::braid::detail::FutexGuard g(a.mu);
  a.child_callbacks.push_back(fn);
}

void register_at_fork(::braid::detail::FutexMutex& mu) {
  AtFork& a = at_fork();
  ::braid::detail::FutexGuard g(a.mu);
  a.mutexes.push_back(&mu);
}

}  // namespace detail

int fork_process() {
  if (model() != nullptr) {
    throw misuse<RuntimeError>("os.fork() cannot be modelled; use mp::Process");
  }
  // Create the main and (for a thread braid did not start) dummy contexts now:
  // both register themselves, which needs the registry lock taken below.
  detail::os_main_context();
  ThreadContext* self = &current_context();

  detail::AtFork& a = detail::at_fork();
  detail::lock_all(a);
  detail::registry_fork_prepare();
  pid_t pid = ::fork();
  if (pid != 0) {
    int err = errno;
    detail::registry_fork_parent();
    detail::unlock_all(a);
    if (pid < 0) {
      throw OSError("[Errno " + std::to_string(err) + "] " + std::strerror(err));
    }
    return static_cast<int>(pid);
  }

  // The child: single-threaded from here on.
  detail::reinit_all(a);
  std::shared_ptr<ThreadContext> main = detail::registry_fork_child(self);
  main->ident = detail::os_thread_ident();
  main->native_id = detail::os_native_id();
  set_current_context(main.get());
  // Models installed on other OS threads are gone with those threads; only
  // chaos mode (process-wide) keeps the hook on.
  detail::g_hooked.store(chaos_enabled() ? 1 : 0, std::memory_order_relaxed);
  detail::run_child_callbacks(a);
  return 0;
}

}  // namespace braid::runtime
