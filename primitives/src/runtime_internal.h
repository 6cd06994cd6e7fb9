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
#include <vector>

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

// Starts `body` on a new detached OS thread described by `ctx`.
void os_spawn(std::shared_ptr<ThreadContext> ctx, std::function<void()> body);

}  // namespace braid::runtime::detail

#endif  // BRAID_SRC_RUNTIME_INTERNAL_H_
