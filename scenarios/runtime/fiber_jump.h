// runtime/fiber_jump.h
// -----------------------------------------------------------------------------
// resume(): resumes a Boost.Context fiber, as `std::move(f).resume()` does,
// without throwing the CPU's return-address predictor out of step.
//
// Boost's jump_fcontext is entered by a call and left by an indirect jump to
// the resumed fiber's saved return address. The call's entry on the predictor's
// return stack is never popped, so after every switch the resumed fiber's
// returns are predicted one entry off: each frame it returns through is a
// mispredicted return, costing about as much as the switch itself.
//
// On x86-64 (System V) resume() enters jump_fcontext by pushing the return
// address and jumping, so no entry is pushed and none is left behind: the
// resumed fiber's returns then pop the entries of the fiber that switched
// away, which are right whenever both were suspended at the same call site
// (the common case: every step switches inside Execution::step). The saved
// context is exactly the one jump_fcontext saves, so a fiber suspended this
// way can be resumed by Boost's resume() and the other way round.
//
// Elsewhere, and in the sanitizer builds (whose fiber annotations wrap every
// switch), resume() is Boost's own.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_FIBER_JUMP_H_
#define BRAID_SCENARIOS_RUNTIME_FIBER_JUMP_H_

#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>

#include <cstring>
#include <utility>

// Any sanitizer build (the engine's annotated ones, and any code compiled
// with ASan or TSan that includes this header).
#if defined(BRAID_ASAN_FIBERS) || defined(BRAID_TSAN_FIBERS) || defined(__SANITIZE_ADDRESS__) || \
    defined(__SANITIZE_THREAD__)
#define BRAID_FIBER_JUMP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BRAID_FIBER_JUMP_SANITIZED 1
#endif
#endif

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(BOOST_USE_UCONTEXT) && !defined(BOOST_USE_WINFIB) && !defined(BRAID_FIBER_JUMP_SANITIZED)
#define BRAID_BALANCED_JUMP 1
#else
#define BRAID_BALANCED_JUMP 0
#endif

namespace braid::engine {

inline constexpr bool kBalancedJump = BRAID_BALANCED_JUMP != 0;

// Resumes `f` (which must hold a suspended fiber) and returns, when the
// calling fiber is resumed, the fiber that resumed it (empty if that one
// ended). `f` is left empty.
[[gnu::always_inline]] inline boost::context::fiber resume(boost::context::fiber&& f) noexcept {
#if BRAID_BALANCED_JUMP
  using boost::context::detail::fcontext_t;
  // A Boost fiber is its saved context pointer (fiber_fcontext.hpp): one
  // fcontext_t member, null when empty.
  static_assert(sizeof(boost::context::fiber) == sizeof(fcontext_t));
  fcontext_t to;
  std::memcpy(&to, static_cast<const void*>(&f), sizeof to);
  const fcontext_t none = nullptr;
  std::memcpy(static_cast<void*>(&f), &none, sizeof none);

  register fcontext_t target asm("rdi") = to;
  register void* data asm("rsi") = nullptr;
  fcontext_t from;
  // The red zone is skipped and the stack aligned as for a call; r12 keeps
  // the stack pointer (jump_fcontext saves and restores it with the context).
  // Everything else the System V ABI lets a call clobber is clobbered: the
  // fibers that run before this one is resumed may use any of it.
  asm volatile(
      "mov %%rsp, %%r12\n\t"
      "sub $128, %%rsp\n\t"
      "and $-16, %%rsp\n\t"
      "lea 1f(%%rip), %%r11\n\t"
      "push %%r11\n\t"
      "jmp jump_fcontext@PLT\n"
      "1:\n\t"
      "mov %%r12, %%rsp\n\t"
      : "=a"(from), "+r"(target), "+r"(data)
      :
      : "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
        "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st",
        "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
  boost::context::fiber back;
  std::memcpy(static_cast<void*>(&back), &from, sizeof from);
  return back;
#else
  return std::move(f).resume();
#endif
}

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_FIBER_JUMP_H_
