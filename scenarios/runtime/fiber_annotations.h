// runtime/fiber_annotations.h
// -----------------------------------------------------------------------------
// Tells the sanitizers about fiber switches, so that ThreadSanitizer and
// AddressSanitizer builds of the engine see one stack per logical thread.
// scenarios/CMakeLists.txt defines BRAID_TSAN_FIBERS in the tsan preset and
// BRAID_ASAN_FIBERS in the asan preset; otherwise every function is empty.
//
// TSan: each logical thread gets a TSan fiber. Switches between logical
// threads do NOT synchronize (flag no_sync): the happens-before TSan sees
// between logical threads is only what braid's primitives create, so a race
// on a plain variable (an `int`, not a Shared<int>) is reported by TSan inside
// the controlled interleaving. The engine's own bookkeeping, which every fiber
// touches, runs inside TSan ignore regions (TsanIgnore); a step on a
// primitive releases the thread's history into the primitive's address and
// acquires it back when the step proceeds (see Execution::step). Switches to
// and from the host (the OS thread's own stack) synchronize, as does a new
// fiber's creation, done by its parent when it starts it (the start edge).
// A switch is announced immediately before the jump,
// and code after a jump belongs to the fiber that arrived: TSan keeps one
// shadow call stack per fiber, so a function entered on one fiber and left on
// another corrupts both. ASan: start_switch before each switch (with a null
// fake-stack slot when the leaving fiber is ending), finish_switch after (with
// a null fake stack on a fiber's first entry).
//
// Boost 1.74's fcontext fibers (fiber_fcontext.hpp) have no sanitizer support
// of their own (BOOST_USE_ASAN / BOOST_USE_TSAN are honoured only by the
// ucontext back end), so these annotations are the only ones.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_FIBER_ANNOTATIONS_H_
#define BRAID_SCENARIOS_RUNTIME_FIBER_ANNOTATIONS_H_

#include <cstddef>

#if defined(BRAID_ASAN_FIBERS)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(BRAID_TSAN_FIBERS)
extern "C" {
void* __tsan_get_current_fiber(void);
void* __tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void* fiber);
void __tsan_switch_to_fiber(void* fiber, unsigned flags);
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}
#endif

namespace braid::engine::annotate {

inline void* tsan_current() noexcept {
#if defined(BRAID_TSAN_FIBERS)
  return __tsan_get_current_fiber();
#else
  return nullptr;
#endif
}
inline void* tsan_create() noexcept {
#if defined(BRAID_TSAN_FIBERS)
  return __tsan_create_fiber(0);
#else
  return nullptr;
#endif
}
inline void tsan_destroy(void* fiber) noexcept {
#if defined(BRAID_TSAN_FIBERS)
  if (fiber != nullptr) __tsan_destroy_fiber(fiber);
#else
  (void)fiber;
#endif
}
inline void tsan_switch(void* fiber) noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_switch_to_fiber(fiber, 0);
#else
  (void)fiber;
#endif
}

// A switch between two logical threads: no happens-before edge.
inline void tsan_switch_nosync(void* fiber) noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_switch_to_fiber(fiber, 1);  // __tsan_switch_to_fiber_no_sync
#else
  (void)fiber;
#endif
}

// True when the engine is built to let TSan see races between logical threads.
inline constexpr bool kTsanFibers =
#if defined(BRAID_TSAN_FIBERS)
    true;
#else
    false;
#endif

// Happens-before edges through `addr`, for TSan.
inline void tsan_release(const void* addr) noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_release(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}
inline void tsan_acquire(const void* addr) noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

// TsanIgnore: TSan ignores the calling fiber's memory accesses for its
// lifetime (the engine's bookkeeping). Nests. TsanUnignore undoes one level
// for its lifetime (a logical thread's body inside the engine's frames).
struct TsanIgnore {
#if defined(BRAID_TSAN_FIBERS)
  TsanIgnore() noexcept { __tsan_ignore_thread_begin(); }
  ~TsanIgnore() { __tsan_ignore_thread_end(); }
#else
  TsanIgnore() noexcept {}  // NOLINT: a user-provided constructor keeps -Wunused-variable quiet
#endif
  TsanIgnore(const TsanIgnore&) = delete;
  TsanIgnore& operator=(const TsanIgnore&) = delete;
};
struct TsanUnignore {
#if defined(BRAID_TSAN_FIBERS)
  TsanUnignore() noexcept { __tsan_ignore_thread_end(); }
  ~TsanUnignore() { __tsan_ignore_thread_begin(); }
#else
  TsanUnignore() noexcept {}  // NOLINT
#endif
  TsanUnignore(const TsanUnignore&) = delete;
  TsanUnignore& operator=(const TsanUnignore&) = delete;
};
inline void tsan_ignore_begin() noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_ignore_thread_begin();
#endif
}
inline void tsan_ignore_end() noexcept {
#if defined(BRAID_TSAN_FIBERS)
  __tsan_ignore_thread_end();
#endif
}

// Before switching to a stack [bottom, bottom + size). `fake_stack_slot` is
// null when the leaving fiber will never run again.
inline void asan_start(void** fake_stack_slot, const void* bottom, std::size_t size) noexcept {
#if defined(BRAID_ASAN_FIBERS)
  __sanitizer_start_switch_fiber(fake_stack_slot, bottom, size);
#else
  (void)fake_stack_slot, (void)bottom, (void)size;
#endif
}
// After a switch, on the arriving fiber.
inline void asan_finish(void* fake_stack, const void** old_bottom, std::size_t* old_size) noexcept {
#if defined(BRAID_ASAN_FIBERS)
  __sanitizer_finish_switch_fiber(fake_stack, old_bottom, old_size);
#else
  (void)fake_stack, (void)old_bottom, (void)old_size;
#endif
}

// A stack abandoned with frames on it keeps their redzones poisoned: clear
// them before the stack is reused.
inline void asan_unpoison(const void* bottom, std::size_t size) noexcept {
#if defined(BRAID_ASAN_FIBERS)
  __asan_unpoison_memory_region(bottom, size);
#else
  (void)bottom, (void)size;
#endif
}

}  // namespace braid::engine::annotate

#endif  // BRAID_SCENARIOS_RUNTIME_FIBER_ANNOTATIONS_H_
