// Tests for runtime/fiber_jump.h: engine::resume() switches Boost.Context
// fibers as Boost's own resume() does, in both directions and mixed with it,
// keeping every value the C++ code relies on.
#include "runtime/fiber_jump.h"

#include <gtest/gtest.h>

#include <boost/context/fiber.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace braid::engine {
namespace {

namespace ctx = boost::context;

TEST(FiberJump, BalancedOnX8664OutsideTheSanitizerBuilds) {
#if defined(__x86_64__) && defined(__linux__) && !defined(BRAID_FIBER_JUMP_SANITIZED)
  EXPECT_TRUE(kBalancedJump);
#else
  EXPECT_FALSE(kBalancedJump);
  GTEST_SKIP() << "Boost's own resume() in this build";
#endif
}

TEST(FiberJump, PingPongCountsEverySwitch) {
  int in_fiber = 0;
  ctx::fiber f{[&](ctx::fiber&& back) {
    for (int i = 0; i < 1000; ++i) {
      ++in_fiber;
      back = resume(std::move(back));
    }
    return std::move(back);
  }};
  for (int i = 0; i < 1000; ++i) {
    f = resume(std::move(f));
    EXPECT_EQ(in_fiber, i + 1);
  }
  f = resume(std::move(f));  // the fiber returns: nothing to resume any more
  EXPECT_FALSE(f);
}

TEST(FiberJump, MixesWithBoostsOwnResume) {
  // The fiber suspends alternately through Boost's resume() and ours, and so
  // does the caller: each side resumes a context the other kind saved.
  std::string trace;
  ctx::fiber f{[&](ctx::fiber&& back) {
    for (int i = 0; i < 6; ++i) {
      trace += 'f';
      back = i % 2 == 0 ? resume(std::move(back)) : std::move(back).resume();
    }
    return std::move(back);
  }};
  for (int i = 0; i < 6; ++i) {
    trace += 'm';
    f = i % 3 == 0 ? std::move(f).resume() : resume(std::move(f));
  }
  f = resume(std::move(f));
  EXPECT_EQ(trace, "mfmfmfmfmfmf");
  EXPECT_FALSE(f);
}

// Many live values of both kinds across a switch: the compiler keeps some in
// callee-saved registers (which the switch restores) and must spill the rest
// (which the clobbers force).
[[gnu::noinline]] double work_across(ctx::fiber& other, int seed) {
  long a = seed, b = seed * 3, c = seed * 7, d = seed * 11, e = seed * 13, g = seed * 17;
  double x = seed * 0.5, y = std::sqrt(static_cast<double>(seed)), z = x * y;
  other = resume(std::move(other));
  return static_cast<double>(a + b + c + d + e + g) + x + y + z;
}

TEST(FiberJump, ValuesLiveAcrossTheSwitchSurvive) {
  ctx::fiber main_side;
  double in_fiber = 0;
  ctx::fiber f{[&](ctx::fiber&& back) {
    main_side = std::move(back);
    in_fiber = work_across(main_side, 5);
    return std::move(main_side);
  }};
  f = resume(std::move(f));  // the fiber suspends inside work_across(5)
  const double here = work_across(f, 9);  // resumes it; it ends, returning here
  const auto expected = [](int s) {
    return static_cast<double>(s * (1 + 3 + 7 + 11 + 13 + 17)) + s * 0.5 + std::sqrt(s) + s * 0.5 * std::sqrt(s);
  };
  EXPECT_DOUBLE_EQ(in_fiber, expected(5));
  EXPECT_DOUBLE_EQ(here, expected(9));
}

TEST(FiberJump, ExceptionsUnwindThroughFramesThatSwitched) {
  bool caught = false;
  ctx::fiber f{[&](ctx::fiber&& back) {
    try {
      back = resume(std::move(back));
      throw std::runtime_error("after the switch");
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "after the switch";
    }
    return std::move(back);
  }};
  f = resume(std::move(f));
  f = resume(std::move(f));
  EXPECT_TRUE(caught);
  EXPECT_FALSE(f);
}

}  // namespace
}  // namespace braid::engine
