// Tests for braid::Event: CPython's lock_tests.EventTests on real threads plus
// a chaos stress run.
#include "braid/event.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

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

TEST(EventTest, IsSet) {
  Event evt;
  EXPECT_FALSE(evt.is_set());
  evt.set();
  EXPECT_TRUE(evt.is_set());
  evt.set();
  EXPECT_TRUE(evt.is_set());
  evt.clear();
  EXPECT_FALSE(evt.is_set());
  evt.clear();
  EXPECT_FALSE(evt.is_set());
}

void check_notify(Event& evt) {
  constexpr int kN = 5;
  std::atomic<int> first{0}, second{0};
  std::vector<Thread> threads;
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&] {
      if (evt.wait()) first.fetch_add(1);
      if (evt.wait()) second.fetch_add(1);
    });
  }
  for (auto& t : threads) t.start();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(first.load(), 0);
  evt.set();
  for (auto& t : threads) t.join();
  EXPECT_EQ(first.load(), kN);
  EXPECT_EQ(second.load(), kN);
}

TEST(EventTest, Notify) {
  Event evt;
  check_notify(evt);
  evt.set();
  evt.clear();
  check_notify(evt);
}

TEST(EventTest, Timeout) {
  Event evt;
  std::atomic<int> immediate_false{0}, timed_false{0};
  run_bunch(5, [&] {
    if (!evt.wait(0ns)) immediate_false.fetch_add(1);
    if (!evt.wait(20ms)) timed_false.fetch_add(1);
  });
  EXPECT_EQ(immediate_false.load(), 5);
  EXPECT_EQ(timed_false.load(), 5);
  EXPECT_FALSE(evt.wait(-1s));  // Python raises nothing for a negative timeout
  evt.set();
  std::atomic<int> trues{0};
  run_bunch(5, [&] {
    if (evt.wait(0ns)) trues.fetch_add(1);
    if (evt.wait(500ms)) trues.fetch_add(1);
  });
  EXPECT_EQ(trues.load(), 10);
  EXPECT_TRUE(evt.wait(-1s));
}

TEST(EventTest, SetAndClear) {
  // gh-57711: wait() returns true even if the event is cleared before the
  // waiter wakes up.
  Event evt;
  constexpr int kN = 5;
  std::atomic<int> trues{0};
  std::vector<Thread> threads;
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&] {
      if (evt.wait(60s)) trues.fetch_add(1);
    });
  }
  for (auto& t : threads) t.start();
  std::this_thread::sleep_for(50ms);
  evt.set();
  evt.clear();
  for (auto& t : threads) t.join();
  EXPECT_EQ(trues.load(), kN);
  EXPECT_FALSE(evt.is_set());
}

TEST(EventTest, PublishesWritesToWaiters) {
  Event evt;
  int payload = 0;
  int seen = -1;
  Thread t([&] {
    evt.wait();
    seen = payload;
  });
  t.start();
  payload = 42;
  evt.set();
  t.join();
  EXPECT_EQ(seen, 42);
}

TEST(EventTest, ChaosStress) {
  runtime::enable_chaos(2024);
  constexpr int kRounds = 100;
  Event ping, pong;
  std::atomic<int> rounds{0};
  Thread t([&] {
    for (int i = 0; i < kRounds; ++i) {
      ping.wait();
      ping.clear();
      rounds.fetch_add(1);
      pong.set();
    }
  });
  t.start();
  for (int i = 0; i < kRounds; ++i) {
    ping.set();
    pong.wait();
    pong.clear();
  }
  t.join();
  runtime::enable_chaos(0);
  EXPECT_EQ(rounds.load(), kRounds);
}

}  // namespace
}  // namespace braid
