// Tests of the linearizability checker (generators/linearizability.h):
// linearizable histories pass, each kind of broken queue history fails with a
// small witness, objects are checked independently, and long histories (10,000
// operations) complete. A Recorder fed by a real explored queue program gives
// linearizable histories.
#include "generators/linearizability.h"
#include "generators/linearizability_history.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "braid/explore.h"
#include "braid/queue.h"
#include "braid/thread.h"

namespace braid::gen::lin {
namespace {

// A small builder: ops(...) with explicit [invoke, response] intervals.
Operation put(std::int64_t v, std::uint64_t inv, std::uint64_t res, std::uint32_t thread = 0, std::uint64_t obj = 0) {
  return {obj, thread, OpKind::kPut, v, inv, res};
}
Operation get(std::int64_t v, std::uint64_t inv, std::uint64_t res, std::uint32_t thread = 0, std::uint64_t obj = 0) {
  return {obj, thread, OpKind::kGet, v, inv, res};
}
Operation get_empty(std::uint64_t inv, std::uint64_t res, std::uint32_t thread = 0, std::uint64_t obj = 0) {
  return {obj, thread, OpKind::kGetEmpty, 0, inv, res};
}
Operation put_full(std::uint64_t inv, std::uint64_t res, std::uint32_t thread = 0, std::uint64_t obj = 0) {
  return {obj, thread, OpKind::kPutFull, 0, inv, res};
}

Model fifo() { return {}; }

TEST(Linearizability, EmptyHistoryIsLinearizable) {
  Result r = check({}, fifo());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.objects, 0u);
}

TEST(Linearizability, SequentialFifoPasses) {
  std::vector<Operation> h = {put(1, 1, 2), put(2, 3, 4), get(1, 5, 6), get(2, 7, 8), get_empty(9, 10)};
  EXPECT_TRUE(check(h, fifo()).ok);
}

TEST(Linearizability, ConcurrentPutsMayLinearizeEitherWay) {
  // put(1) and put(2) overlap, so get() -> 2 first is fine.
  std::vector<Operation> h = {put(1, 1, 4, 0), put(2, 2, 3, 1), get(2, 5, 6, 2), get(1, 7, 8, 2)};
  EXPECT_TRUE(check(h, fifo()).ok);
}

TEST(Linearizability, GetOverlappingItsPutPasses) {
  // The get starts before the put and ends after it: it may take the item.
  std::vector<Operation> h = {get(5, 1, 4, 1), put(5, 2, 3, 0)};
  EXPECT_TRUE(check(h, fifo()).ok);
}

TEST(Linearizability, LostItemFails) {
  // put(1) completes, then a get finds the queue empty.
  std::vector<Operation> h = {put(1, 1, 2), get_empty(3, 4, 1)};
  Result r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.witness.size(), 2u);
  EXPECT_NE(r.explanation.find("not linearizable"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("get() raised Empty"), std::string::npos) << r.explanation;
}

TEST(Linearizability, DuplicatedItemFails) {
  std::vector<Operation> h = {put(1, 1, 2), get(1, 3, 4, 1), get(1, 5, 6, 2)};
  Result r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.witness.size(), 3u) << r.explanation;
}

TEST(Linearizability, ReorderedFifoFails) {
  std::vector<Operation> h = {put(1, 1, 2), put(2, 3, 4), get(2, 5, 6, 1), get(1, 7, 8, 1)};
  Result r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  // put(1), put(2), get() -> 2 is already impossible: the last get is not needed.
  EXPECT_EQ(r.witness.size(), 3u) << r.explanation;
  // ... but the same history is a fine LIFO one.
  EXPECT_TRUE(check(h, {Order::kLifo}).ok);
}

TEST(Linearizability, GetOfANeverPutValueFails) {
  std::vector<Operation> h = {put(1, 1, 2), put(2, 3, 4), get(1, 5, 6), get(9, 7, 8), get(2, 9, 10)};
  Result r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.witness.size(), 1u) << r.explanation;
  EXPECT_EQ(r.witness[0].value, 9);
  EXPECT_NE(r.explanation.find("no put supplied"), std::string::npos) << r.explanation;
}

TEST(Linearizability, LifoOrder) {
  std::vector<Operation> ok = {put(1, 1, 2), put(2, 3, 4), get(2, 5, 6), get(1, 7, 8)};
  EXPECT_TRUE(check(ok, {Order::kLifo}).ok);
  EXPECT_FALSE(check(ok, fifo()).ok);
}

TEST(Linearizability, LifoViolationIsFoundBySearchAndShrunk) {
  // No quick check applies to LIFO order: the search finds it.
  std::vector<Operation> h = {put(1, 1, 2), put(2, 3, 4), put(3, 5, 6), get(1, 7, 8), get(3, 9, 10)};
  EXPECT_TRUE(quick_violation(h, {Order::kLifo}).empty());
  Result r = check(h, {Order::kLifo});
  ASSERT_FALSE(r.ok);
  EXPECT_FALSE(r.inconclusive);
  EXPECT_EQ(r.witness.size(), 3u) << r.explanation;  // put(1), put(2), get() -> 1
}

TEST(Linearizability, SearchBudgetGivesInconclusive) {
  std::vector<Operation> h;
  for (std::uint64_t i = 0; i < 50; ++i) h.push_back(put(static_cast<std::int64_t>(i), 2 * i + 1, 2 * i + 2));
  Model tiny;
  tiny.search_budget = 10;
  Result r = check(h, tiny);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.inconclusive);
  EXPECT_NE(r.explanation.find("not decided"), std::string::npos) << r.explanation;
  EXPECT_TRUE(check(h, fifo()).ok);
}

TEST(Linearizability, PriorityOrderGetsSmallestFirst) {
  std::vector<Operation> ok = {put(5, 1, 2), put(3, 3, 4), put(4, 5, 6), get(3, 7, 8), get(4, 9, 10), get(5, 11, 12)};
  EXPECT_TRUE(check(ok, {Order::kPriority}).ok);
  std::vector<Operation> bad = {put(5, 1, 2), put(3, 3, 4), get(5, 5, 6)};
  EXPECT_FALSE(check(bad, {Order::kPriority}).ok);
}

TEST(Linearizability, MaxsizeAndFull) {
  Model bounded{Order::kFifo, 1};
  EXPECT_TRUE(check(std::vector<Operation>{put(1, 1, 2), put_full(3, 4), get(1, 5, 6)}, bounded).ok);
  // put_full on a queue that cannot be full.
  EXPECT_FALSE(check(std::vector<Operation>{put_full(1, 2)}, bounded).ok);
  EXPECT_FALSE(check(std::vector<Operation>{put(1, 1, 2), put_full(3, 4)}, fifo()).ok);
  // Two completed puts into a maxsize-1 queue with no get in between.
  EXPECT_FALSE(check(std::vector<Operation>{put(1, 1, 2), put(2, 3, 4)}, bounded).ok);
}

TEST(Linearizability, ObjectsAreCheckedIndependently) {
  // Each queue alone is fine; mixing them up would not be.
  std::vector<Operation> h = {put(1, 1, 2, 0, 7), put(2, 3, 4, 0, 8), get(2, 5, 6, 1, 8), get(1, 7, 8, 1, 7)};
  Result r = check(h, fifo());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.objects, 2u);
  h.push_back(get(1, 9, 10, 1, 8));  // queue 8 never had a 1
  r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.object, 8u);
}

TEST(Linearizability, RejectsBackwardIntervals) {
  EXPECT_THROW(check(std::vector<Operation>{put(1, 3, 3)}, fifo()), std::invalid_argument);
}

TEST(Linearizability, TenThousandOperationsComplete) {
  std::vector<Operation> h = random_history(10'000, 4, 1, 1);
  Result r = check(h, fifo());
  EXPECT_TRUE(r.ok) << r.explanation;
  EXPECT_EQ(r.operations, h.size());
  EXPECT_GE(h.size(), 10'000u);
  // Break it: one get now returns a value that was never put.
  for (Operation& op : h) {
    if (op.kind == OpKind::kGet && op.invoke > 15'000) {
      op.value = -1;
      break;
    }
  }
  r = check(h, fifo());
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.witness.size(), 1u) << r.explanation;
}

TEST(Linearizability, RandomConcurrentHistoriesPass) {
  for (std::uint32_t seed = 0; seed < 50; ++seed) {
    std::vector<Operation> h = random_history(200, 1 + seed % 5, 1, seed);
    Result r = check(h, fifo());
    ASSERT_TRUE(r.ok) << "seed " << seed << "\n" << r.explanation;
  }
}

// The Recorder in a real explored program: two producers and a consumer on a
// braid::queue::Queue; every recorded history is linearizable. With
// `misrecord`, the consumer records the second value it gets as the first
// one again (a duplicated item), which the check must catch.
Report explore_recorded_queue(bool misrecord) {
  Options o;
  o.apply_environment = false;
  o.executions = 200;
  return explore(o, [misrecord] {
    Recorder rec;
    queue::Queue<int> q;
    auto producer = [&](std::uint32_t id) {
      for (int i = 0; i < 3; ++i) {
        auto op = rec.invoke(0, id);
        q.put(static_cast<int>(id * 10 + i));
        rec.put(op, id * 10 + i);
      }
    };
    Thread a([&] { producer(1); });
    Thread b([&] { producer(2); });
    a.start();
    b.start();
    int first = -1;
    for (int i = 0; i < 6; ++i) {
      auto op = rec.invoke(0, 0);
      int v = q.get();
      if (i == 0) first = v;
      rec.get(op, misrecord && i == 1 ? first : v);
    }
    a.join();
    b.join();
    Result r = check(rec.history(), {});
    BRAID_ASSERT(r.ok, r.explanation);
  });
}

TEST(Linearizability, RecordedQueueHistoriesAreLinearizable) {
  Report rep = explore_recorded_queue(false);
  EXPECT_TRUE(rep.ok) << rep.to_string();
  EXPECT_EQ(rep.executions, 200u);
  Report broken = explore_recorded_queue(true);
  ASSERT_FALSE(broken.ok);
  EXPECT_EQ(broken.kind, FailureKind::kAssertion);
  EXPECT_NE(broken.message.find("not linearizable"), std::string::npos) << broken.message;
}

}  // namespace
}  // namespace braid::gen::lin
