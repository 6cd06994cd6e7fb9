// runtime/fiber_annotations.h
// -----------------------------------------------------------------------------
// Tells the sanitizers about fiber switches, so that ThreadSanitizer and
// AddressSanitizer builds of the engine see one stack per logical thread.
// scenarios/CMakeLists.txt defines BRAID_TSAN_FIBERS in the tsan preset and
// BRAID_ASAN_FIBERS in the asan preset; otherwise every function is empty.
//
// TSan: each logical thread gets a TSan fiber; switches synchronize (flags 0),
// because the engine's own bookkeeping is shared by all fibers of the one OS
// thread that runs them. A switch is announced immediately before the jump,
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
