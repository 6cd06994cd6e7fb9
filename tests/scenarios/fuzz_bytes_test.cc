// Schedule fuzzing: the bytes scheduler's reading of an input, run_bytes,
// the conversion of a failing input to an ordinary replay token, and the
// interleaving features.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "braid/fuzz.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "report/token.h"
#include "strategies/rng.h"
#include "strategies/scheduler.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::engine::ChoiceKind;
using braid::engine::encode_choice;

braid::Options quiet() {
  braid::Options o;
  o.apply_environment = false;
  return o;
}

// Two threads increment x by load/store: lost updates are possible.
void lost_update() {
  braid::Atomic<int> x{0};
  auto inc = [&] {
    const int v = x.load();
    x.store(v + 1);
  };
  braid::Thread a(inc), b(inc);
  a.start();
  b.start();
  a.join();
  b.join();
  BRAID_ASSERT(x.load() == 2, "lost update: x is ", x.load());
}

// The same increments under a lock: never fails.
void locked_counter() {
  braid::Lock lock;
  braid::Shared<int> x{0};
  auto inc = [&] {
    lock.acquire();
    x.store(x.load() + 1);
    lock.release();
  };
  braid::Thread a(inc), b(inc);
  a.start();
  b.start();
  a.join();
  b.join();
  BRAID_ASSERT(x.load() == 2, "x is ", x.load());
}

// Random inputs; `max_value` bounds each byte (small gaps reach the few
// decisions of these tiny programs).
std::vector<std::uint8_t> random_bytes(braid::engine::Rng& rng, std::size_t max_len, unsigned max_value = 256) {
  std::vector<std::uint8_t> out(rng.below(max_len + 1));
  for (auto& b : out) b = static_cast<std::uint8_t>(rng.below(max_value));
  return out;
}

TEST(BytesScheduler, ReadsGapPickMovesThenFollowsTheRunningThread) {
  const std::vector<std::uint8_t> bytes{1, 5, 0, 7, 9};  // two moves and a left-over byte
  auto s = braid::engine::make_bytes_scheduler(bytes);
  s->begin_execution(0);
  const std::vector<std::uint32_t> alts{encode_choice(0, ChoiceKind::kReady), encode_choice(1, ChoiceKind::kReady),
                                        encode_choice(2, ChoiceKind::kReady)};
  EXPECT_EQ(s->choose(alts, 1), 1u);      // gap 1: the running thread (index 1) continues
  EXPECT_EQ(s->choose(alts, 1), 5u % 3);  // pick 5
  EXPECT_EQ(s->choose_value(10), 7u);     // gap 0, pick 7 as a value
  EXPECT_EQ(s->choose(alts, 2), 2u);      // moves used up: non-preemptive
  EXPECT_EQ(s->choose(alts, braid::engine::kNoThread), 0u);
  EXPECT_EQ(s->choose_value(4), 0u);
  s->begin_execution(1);                  // a new execution reads the input again
  EXPECT_EQ(s->choose(alts, 0), 0u);
  EXPECT_EQ(s->choose(alts, 0), 2u);
}

TEST(RunBytes, EmptyInputIsTheNonPreemptiveSchedule) {
  const braid::Report r = braid::run_bytes(quiet(), {}, lost_update);
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(r.executions, 1u);
  EXPECT_GT(r.steps, 0u);
  EXPECT_EQ(r.preemptions, 0u);
}

TEST(RunBytes, FindsTheLostUpdateAndItsTokenReplays) {
  braid::engine::Rng rng(7);
  braid::Report found;
  int tries = 0;
  for (; tries < 2000 && found.ok; ++tries) found = braid::run_bytes(quiet(), random_bytes(rng, 16, 8), lost_update);
  ASSERT_FALSE(found.ok) << "no failing input among " << tries << " random ones";
  EXPECT_EQ(found.kind, braid::FailureKind::kAssertion);
  ASSERT_FALSE(found.token.empty());
  EXPECT_EQ(braid::report::decode_token(found.token).strategy, braid::report::StrategyKind::kFuzz);
  EXPECT_NE(found.to_string().find(found.token), std::string::npos);
  const braid::Report again = braid::replay(found.token, lost_update);
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.kind, found.kind);
  EXPECT_EQ(again.message, found.message);
}

TEST(RunBytes, FuzzTokenReplaysTheSameExecutionForAnyInput) {
  braid::engine::Rng rng(11);
  for (int i = 0; i < 50; ++i) {
    const std::vector<std::uint8_t> bytes = random_bytes(rng, 24, rng.below(2) ? 8 : 256);
    braid::Options o = quiet();
    o.shrink = false;
    const braid::Report direct = braid::run_bytes(o, bytes, lost_update);
    const std::string token = braid::fuzz_token(o, bytes, lost_update);
    const braid::Report replayed = braid::replay(token, lost_update);
    EXPECT_EQ(direct.ok, replayed.ok) << token;
    EXPECT_EQ(direct.kind, replayed.kind) << token;
    if (direct.ok) {
      EXPECT_EQ(direct.steps, replayed.steps) << token;
    }
  }
}

TEST(RunBytes, NeverFailsAFixedProgram) {
  braid::engine::Rng rng(3);
  for (int i = 0; i < 300; ++i) {
    const braid::Report r = braid::run_bytes(quiet(), random_bytes(rng, 64, i % 2 ? 8 : 256), locked_counter);
    ASSERT_TRUE(r.ok) << r.to_string();
    ASSERT_GT(r.steps, 0u);
  }
}

TEST(RunBytes, InterleavingFeaturesAreDeterministicAndTellSchedulesApart) {
  std::vector<std::uint32_t> first, again;
  braid::run_bytes(quiet(), {}, lost_update, &first);
  braid::run_bytes(quiet(), {}, lost_update, &again);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, again);
  // Over many inputs, the lost-update program shows more than one set of
  // reads-from / conflict features: whether the second load saw the first
  // store (and the store/load order) or both saw the initial value.
  braid::engine::Rng rng(5);
  std::set<std::vector<std::uint32_t>> distinct;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint32_t> f;
    braid::Options o = quiet();
    o.shrink = false;
    braid::run_bytes(o, random_bytes(rng, 16, 8), lost_update, &f);
    std::sort(f.begin(), f.end());
    distinct.insert(f);
  }
  EXPECT_GE(distinct.size(), 2u);
}

TEST(RunBytes, FeaturesVectorUntouchedWithoutRequestAndClearedWith) {
  std::vector<std::uint32_t> f{1, 2, 3};
  braid::run_bytes(quiet(), {}, locked_counter, &f);
  EXPECT_FALSE(f.empty());
  EXPECT_TRUE(f != std::vector<std::uint32_t>({1, 2, 3}));
}

}  // namespace
