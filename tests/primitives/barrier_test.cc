// Tests for braid::Barrier: CPython's lock_tests.BarrierTests on real threads
// plus action errors and a chaos stress run.
#include "braid/barrier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/thread.h"
#include "primitives/bunch.h"

// The tests pair acquire()/release() as Python code does and misuse locks on
// purpose, which clang's static thread-safety analysis cannot follow.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid {
namespace {

using testing_support::let_threads_block;
using testing_support::run_bunch;

using namespace std::chrono_literals;

constexpr int kN = 5;

class BarrierTest : public ::testing::Test {
 protected:
  ~BarrierTest() override { barrier.abort(); }
  Barrier barrier{kN, {}, std::chrono::seconds(10)};
};

void multipass(Barrier& barrier, std::atomic<int>& r0, std::atomic<int>& r1, int passes) {
  const int m = static_cast<int>(barrier.parties());
  for (int i = 0; i < passes; ++i) {
    r0.fetch_add(1);
    EXPECT_EQ(r1.load(), i * m);
    barrier.wait();
    r1.fetch_add(1);
    EXPECT_EQ(r0.load(), (i + 1) * m);
    barrier.wait();
  }
  EXPECT_EQ(barrier.n_waiting(), 0u);
  EXPECT_FALSE(barrier.broken());
}

TEST_F(BarrierTest, Barrier) {
  std::atomic<int> r0{0}, r1{0};
  run_bunch(kN, [&] { multipass(barrier, r0, r1, 1); });
}

TEST_F(BarrierTest, Barrier10) {
  std::atomic<int> r0{0}, r1{0};
  run_bunch(kN, [&] { multipass(barrier, r0, r1, 10); });
}

TEST_F(BarrierTest, WaitReturn) {
  std::atomic<unsigned> seen{0};
  run_bunch(kN, [&] { seen.fetch_or(1u << barrier.wait()); });
  EXPECT_EQ(seen.load(), (1u << kN) - 1);  // each index 0..N-1 exactly once
}

TEST_F(BarrierTest, Action) {
  std::atomic<int> runs{0};
  Barrier with_action(kN, [&] { runs.fetch_add(1); });
  run_bunch(kN, [&] {
    with_action.wait();
    EXPECT_EQ(runs.load(), 1);
  });
}

TEST_F(BarrierTest, Abort) {
  std::atomic<int> results1{0}, results2{0};
  run_bunch(kN, [&] {
    try {
      std::size_t i = barrier.wait();
      if (i == kN / 2) throw std::logic_error("abort");
      barrier.wait();
      results1.fetch_add(1);
    } catch (const BrokenBarrierError&) {
      results2.fetch_add(1);
    } catch (const std::logic_error&) {
      barrier.abort();
    }
  });
  EXPECT_EQ(results1.load(), 0);
  EXPECT_EQ(results2.load(), kN - 1);
  EXPECT_TRUE(barrier.broken());
  EXPECT_THROW(barrier.wait(), BrokenBarrierError);
}

TEST_F(BarrierTest, Reset) {
  std::atomic<int> results1{0}, results2{0}, results3{0};
  run_bunch(kN, [&] {
    std::size_t i = barrier.wait();
    if (i == kN / 2) {
      while (barrier.n_waiting() < kN - 1) std::this_thread::sleep_for(1ms);
      barrier.reset();
    } else {
      try {
        barrier.wait();
        results1.fetch_add(1);
      } catch (const BrokenBarrierError&) {
        results2.fetch_add(1);
      }
    }
    barrier.wait();  // pass the barrier again
    results3.fetch_add(1);
  });
  EXPECT_EQ(results1.load(), 0);
  EXPECT_EQ(results2.load(), kN - 1);
  EXPECT_EQ(results3.load(), kN);
}

TEST_F(BarrierTest, AbortAndReset) {
  std::atomic<int> results1{0}, results2{0}, results3{0};
  Barrier barrier2(kN);
  run_bunch(kN, [&] {
    try {
      std::size_t i = barrier.wait();
      if (i == kN / 2) throw std::logic_error("abort");
      barrier.wait();
      results1.fetch_add(1);
    } catch (const BrokenBarrierError&) {
      results2.fetch_add(1);
    } catch (const std::logic_error&) {
      barrier.abort();
    }
    if (barrier2.wait() == kN / 2) barrier.reset();
    barrier2.wait();
    barrier.wait();
    results3.fetch_add(1);
  });
  EXPECT_EQ(results1.load(), 0);
  EXPECT_EQ(results2.load(), kN - 1);
  EXPECT_EQ(results3.load(), kN);
}

TEST_F(BarrierTest, Timeout) {
  std::atomic<int> broken{0};
  run_bunch(kN, [&] {
    std::size_t i = barrier.wait();
    if (i == kN / 2) std::this_thread::sleep_for(100ms);  // one thread is late
    try {
      barrier.wait(20ms);
    } catch (const BrokenBarrierError&) {
      broken.fetch_add(1);
    }
  });
  EXPECT_EQ(broken.load(), kN);
  EXPECT_TRUE(barrier.broken());
}

TEST_F(BarrierTest, DefaultTimeout) {
  Barrier two(2, {}, 20ms);
  bool threw = false;
  run_bunch(1, [&] {
    try {
      two.wait();
    } catch (const BrokenBarrierError& e) {
      threw = true;
      EXPECT_STREQ(e.type_name(), "BrokenBarrierError");
    }
  });
  EXPECT_TRUE(threw);
  EXPECT_TRUE(two.broken());
}

TEST_F(BarrierTest, NonPositiveTimeoutDoesNotBlock) {
  Barrier two(2);
  EXPECT_THROW(two.wait(0ns), BrokenBarrierError);
  two.reset();
  EXPECT_FALSE(two.broken());
  EXPECT_THROW(two.wait(-1s), BrokenBarrierError);
}

TEST_F(BarrierTest, SingleThread) {
  Barrier one(1);
  EXPECT_EQ(one.wait(), 0u);
  EXPECT_EQ(one.wait(), 0u);
}

TEST_F(BarrierTest, NWaitingAndParties) {
  Barrier three(3);
  EXPECT_EQ(three.parties(), 3u);
  EXPECT_EQ(three.n_waiting(), 0u);
  std::vector<Thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&] { three.wait(60s); });
  for (auto& t : threads) t.start();
  while (three.n_waiting() < 2) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(three.n_waiting(), 2u);
  three.wait(60s);
  for (auto& t : threads) t.join();
  EXPECT_EQ(three.n_waiting(), 0u);
  three.abort();
  EXPECT_TRUE(three.broken());
}

TEST(BarrierArgsTest, PartiesMustBePositive) {
  try {
    Barrier b(0);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "parties must be >= 1");
  }
  EXPECT_THROW(Barrier(-3), ValueError);
}

TEST(BarrierArgsTest, ActionErrorBreaksBarrierAndPropagates) {
  Barrier b(3, [] { throw std::runtime_error("action failed"); });
  std::atomic<int> action_errors{0}, broken{0};
  run_bunch(3, [&] {
    try {
      b.wait();
    } catch (const BrokenBarrierError&) {
      broken.fetch_add(1);
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "action failed");
      action_errors.fetch_add(1);
    }
  });
  EXPECT_EQ(action_errors.load(), 1);
  EXPECT_EQ(broken.load(), 2);
  EXPECT_TRUE(b.broken());
}

TEST(BarrierArgsTest, ChaosStress) {
  runtime::enable_chaos(31337);
  constexpr int kParties = 4, kRounds = 40;
  std::atomic<int> arrived{0};
  std::atomic<bool> out_of_step{false};
  Barrier b(kParties);
  run_bunch(kParties, [&] {
    for (int r = 0; r < kRounds; ++r) {
      arrived.fetch_add(1);
      b.wait();
      if (arrived.load() < (r + 1) * kParties) out_of_step = true;
      b.wait();
    }
  });
  runtime::enable_chaos(0);
  EXPECT_FALSE(out_of_step.load());
  EXPECT_EQ(arrived.load(), kParties * kRounds);
}

}  // namespace
}  // namespace braid
