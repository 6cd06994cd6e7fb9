// Basic behaviour of braid::explore: passing bodies, virtual time, Local<T>,
// determinism, replay round trips and malformed tokens.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "braid/explore.h"
#include "braid/local.h"
#include "braid/lock.h"
#include "braid/testing.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "report/trace.h"

// These tests take and release locks conditionally, or misuse them on purpose
// (the detectors must see it): clang's static thread-safety analysis is off here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using namespace std::chrono_literals;

braid::Options quick(std::uint64_t executions = 200) {
  braid::Options o;
  o.executions = executions;
  o.apply_environment = false;
  return o;
}

// The rows of a trace without names (thread names come from a process-wide counter).
std::vector<std::string> rows(const braid::Report& r) {
  std::vector<std::string> out;
  for (const auto& s : r.trace->steps) {
    out.push_back(std::to_string(s.thread) + " " + braid::runtime::op_name(s.op) + " " + std::to_string(s.object) +
                  " " + std::to_string(s.wake) + " " + std::to_string(s.line));
  }
  return out;
}

TEST(ExploreBasic, EmptyBodyPasses) {
  braid::Report r = braid::explore(quick(10), [] {});
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(r.executions, 10u);
  EXPECT_NE(r.to_string().find("ok"), std::string::npos);
}

TEST(ExploreBasic, LockedCounterPasses) {
  BRAID_EXPECT_OK(quick(), [] {
    braid::Shared<int> counter{0};
    braid::Lock lock;
    std::vector<braid::Thread> threads;
    for (int i = 0; i < 3; ++i) {
      threads.emplace_back([&] {
        std::scoped_lock g(lock);
        counter = counter + 1;
      });
    }
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    BRAID_ASSERT(counter == 3, "counter is ", counter.load());
  });
}

TEST(ExploreBasic, SleepsAreVirtualAndFinishInstantly) {
  std::vector<std::int64_t> ends;
  braid::Report r = braid::explore(quick(20), [&] {
    std::vector<braid::Thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([] { braid::sleep(3s); });
    for (auto& t : threads) t.start();
    for (auto& t : threads) t.join();
    ends.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(braid::runtime::now()).count());
  });
  ASSERT_TRUE(r.ok) << r.to_string();
  ASSERT_EQ(ends.size(), 20u);
  for (auto ms : ends) EXPECT_EQ(ms, 3000);  // all four slept concurrently, in virtual time
}

TEST(ExploreBasic, TimeoutFiresInVirtualTime) {
  braid::Report r = braid::explore(quick(50), [] {
    braid::Lock lock;
    lock.acquire();
    const auto before = braid::runtime::now();
    bool got = lock.acquire(true, 50ms);
    BRAID_ASSERT(!got, "acquired a held lock");
    BRAID_ASSERT(braid::runtime::now() - before >= 50ms, "timeout fired early");
    lock.release();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

TEST(ExploreBasic, LocalIsPerLogicalThread) {
  BRAID_EXPECT_OK(quick(100), [] {
    braid::Local<int> local;
    braid::Shared<int> seen_main{0};
    *local = 1;
    braid::Thread t([&] {
      BRAID_ASSERT(*local == 0, "the child sees the main thread's value");
      *local = 2;
      braid::sleep(1ms);
      BRAID_ASSERT(*local == 2, "lost own value");
    });
    t.start();
    braid::sleep(1ms);
    BRAID_ASSERT(*local == 1, "main's value changed to ", *local);
    t.join();
  });
}

TEST(ExploreBasic, SameSeedSameTraces) {
  auto body = [] {
    braid::Shared<int> x{0};
    braid::Lock lock;
    braid::Thread a([&] { std::scoped_lock g(lock); x = x + 1; });
    braid::Thread b([&] { std::scoped_lock g(lock); x = x + 2; });
    a.start();
    b.start();
    a.join();
    b.join();
    BRAID_ASSERT(x == 4, "always fails, so a trace is reported");
  };
  braid::Options o = quick(1);
  o.shrink = false;
  braid::Report r1 = braid::explore(o, body);
  braid::Report r2 = braid::explore(o, body);
  ASSERT_FALSE(r1.ok);
  EXPECT_EQ(r1.token, r2.token);
  EXPECT_EQ(rows(r1), rows(r2));
  o.seed = 12345;
  bool differs = false;
  for (int i = 0; i < 10 && !differs; ++i) {
    o.seed += 1;
    differs = braid::explore(o, body).token != r1.token;
  }
  EXPECT_TRUE(differs) << "different seeds never gave a different schedule";
}

TEST(ExploreBasic, ReplayRoundTripGivesTheSameTrace) {
  auto body = [] {
    braid::Shared<int> x{0};
    braid::Lock lock;
    braid::Thread a([&] { for (int i = 0; i < 3; ++i) { std::scoped_lock g(lock); x = x + 1; } });
    a.start();
    for (int i = 0; i < 3; ++i) {
      std::scoped_lock g(lock);
      x = x + 1;
    }
    a.join();
    BRAID_ASSERT(x == 7, "fails always");
  };
  braid::Report found = braid::explore(quick(5), body);
  ASSERT_FALSE(found.ok);
  braid::Report again = braid::replay(found.token, body);
  ASSERT_FALSE(again.ok);
  EXPECT_EQ(again.kind, found.kind);
  EXPECT_EQ(rows(again), rows(found));
  EXPECT_EQ(again.trace_table.size(), found.trace_table.size());
}

TEST(ExploreBasic, MalformedTokenGivesAClearError) {
  auto body = [] {};
  EXPECT_THROW(braid::replay("", body), braid::ValueError);
  EXPECT_THROW(braid::replay("hello", body), braid::ValueError);
  braid::Report r = braid::explore(quick(1), [] { BRAID_ASSERT(false, "x"); });
  ASSERT_FALSE(r.ok);
  std::string cut = r.token.substr(0, r.token.size() - 2);
  try {
    braid::replay(cut, body);
    ADD_FAILURE() << "a truncated token was accepted";
  } catch (const braid::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("token"), std::string::npos) << e.what();
  }
}

TEST(ExploreBasic, ReplayOfAnotherProgramIsNondeterminism) {
  braid::Report r = braid::explore(quick(50), [] {
    braid::Shared<int> x{0};
    braid::Thread a([&] { x = 1; x = 2; });
    a.start();
    x.load();
    a.join();
    BRAID_ASSERT(false, "always");
  });
  ASSERT_FALSE(r.ok);
  braid::Report other = braid::replay(r.token, [] {});
  if (r.preemptions + r.steps > 0 && !other.ok) {
    EXPECT_EQ(other.kind, braid::FailureKind::kNondeterminism) << other.to_string();
  }
}

TEST(ExploreBasic, AssertOutsideAnExecutionThrows) {
  EXPECT_THROW(BRAID_ASSERT(1 == 2, "outside"), std::logic_error);
  EXPECT_FALSE(braid::in_execution());
}

TEST(ExploreBasic, ReportEndsWithTheReplayLine) {
  braid::Report r = braid::testing::explore_intercepted(quick(1), [] { BRAID_ASSERT(false, "boom"); });
  ASSERT_FALSE(r.ok);
  const std::string text = r.to_string();
  const std::string last = text.substr(text.rfind('\n') + 1);
  EXPECT_EQ(last.rfind("BRAID_REPLAY=" + r.token + " ctest --test-dir ", 0), 0u) << last;
  EXPECT_NE(last.find("-R '^ExploreBasic.ReportEndsWithTheReplayLine$' --output-on-failure"), std::string::npos);
  EXPECT_NE(text.find("boom"), std::string::npos);
}

TEST(ExploreBasic, GoogleTestAssertionInALogicalThreadFailsTheExecution) {
  braid::Report r = braid::testing::expect_failure(braid::FailureKind::kAssertion, quick(10), [] {
    braid::Thread t([] { EXPECT_EQ(1, 2) << "inside a logical thread"; });
    t.start();
    t.join();
  });
  EXPECT_NE(r.message.find("inside a logical thread"), std::string::npos) << r.message;
}

}  // namespace
