// runtime_internal.h
// -----------------------------------------------------------------------------
// Private declarations shared by the OS-runtime sources (runtime.cc,
// runtime_os_threads.cc, chaos.cc). Not installed, not part of the API.
// -----------------------------------------------------------------------------
#ifndef BRAID_SRC_RUNTIME_INTERNAL_H_
#define BRAID_SRC_RUNTIME_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/runtime.h"

namespace braid::detail {
// Python's threading._counter: numbers "Thread-N" and "Dummy-N" names.
std::uint64_t next_thread_number() noexcept;
}  // namespace braid::detail

namespace braid::runtime::detail {

// The registry of live OS threads (main, dummies, started braid threads).
void register_thread(std::shared_ptr<ThreadContext> ctx);
void unregister_thread(const ThreadContext* ctx);
std::vector<std::shared_ptr<ThreadContext>> os_live_threads();

// The process main thread's context (created on first use / static init).
const std::shared_ptr<ThreadContext>& os_main_context();
// Creates the context of an OS thread that has none (main or dummy).
ThreadContext& os_current_context();

// pthread_self() and gettid() of the calling thread.
std::uint64_t os_thread_ident() noexcept;
std::uint64_t os_native_id() noexcept;
// A fallback ident for logical threads the engine left unnumbered.
std::uint64_t next_logical_ident() noexcept;

// Formats the exception being handled (call inside a catch block) as Python's
// last traceback line: "<TypeName>: <message>", or "<TypeName>".
std::string describe_current_exception();

// Starts `body` on a new detached OS thread described by `ctx`.
void os_spawn(std::shared_ptr<ThreadContext> ctx, std::function<void()> body);

// -- At-fork handling (runtime_fork.cc) ----------------------------------------

// registry_fork_prepare() takes the registry's mutex before fork(2), so that no
// thread is inside it; registry_fork_parent() frees it in the parent. In the
// child, registry_fork_child() frees it, marks every other registered thread
// finished (Python's Thread._stop() in threading._after_fork), keeps only
// `self`'s context (a new "MainThread" context if `self` is not registered) as
// the process's main thread, and returns it.
void registry_fork_prepare();
void registry_fork_parent();
std::shared_ptr<ThreadContext> registry_fork_child(ThreadContext* self);

// register_at_fork(mu)
//
// Registers a process-wide internal mutex (one that lives as long as the
// process, e.g. a function-local static). fork_process() takes every
// registered mutex before fork(2) and frees it again in the parent; in the
// child it reinitialises it, so a mutex held by a thread that does not exist
// in the child never blocks it (Python reinitialises its module locks at fork).
void register_at_fork(::braid::detail::FutexMutex& mu);

// register_at_fork_child(fn)
//
// Registers `fn` to run in every child of fork_process(), after braid's own
// reset, on the child's only thread (Python's os.register_at_fork with
// after_in_child). `fn` must not throw.
void register_at_fork_child(void (*fn)());

}  // namespace braid::runtime::detail

#endif  // BRAID_SRC_RUNTIME_INTERNAL_H_
