// Tests for braid/queue.h, after CPython's Lib/test/test_queue.py
// (BaseQueueTestMixin, BaseSimpleQueueTest), plus move-only items, exact
// delivery under many producers and consumers, chaos mode, and the modelled
// path driven by a recording fake Model.
#include "braid/queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/thread.h"

namespace braid::queue {
namespace {

using namespace std::chrono_literals;

constexpr long kQueueSize = 5;  // QUEUE_SIZE in test_queue.py

template <typename F>
Thread started(F f) {
  Thread t(std::move(f));
  t.start();
  return t;
}

// The order each queue kind returns 111, 333, 222 in (test_queue.py's
// target_order).
template <typename Q>
std::vector<int> target_order() {
  if constexpr (std::is_same_v<Q, Queue<int>>) return {111, 333, 222};
  if constexpr (std::is_same_v<Q, LifoQueue<int>>) return {222, 333, 111};
  return {111, 222, 333};
}

// do_blocking_test: `block` must not return before `trigger` has begun.
template <typename Block, typename Trigger>
void expect_blocks_until(Block block, Trigger trigger) {
  std::atomic<bool> triggered{false};
  Thread t = started([&] {
    runtime::sleep(10ms);
    triggered.store(true);
    trigger();
  });
  block();
  EXPECT_TRUE(triggered.load()) << "blocking function appeared not to block";
  t.join();
}

template <typename Q>
class BoundedQueueTest : public ::testing::Test {};
using QueueKinds = ::testing::Types<Queue<int>, LifoQueue<int>, PriorityQueue<int>>;
TYPED_TEST_SUITE(BoundedQueueTest, QueueKinds);

// basic_queue_test, run twice on the same instance as test_basic does.
TYPED_TEST(BoundedQueueTest, Basic) {
  TypeParam q(kQueueSize);
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(q.qsize(), 0u);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.full());
    q.put(111);
    q.put(333);
    q.put(222);
    std::vector<int> got{q.get(), q.get(), q.get()};
    EXPECT_EQ(got, target_order<TypeParam>());
    for (int i = 0; i < kQueueSize - 1; ++i) {
      q.put(i);
      EXPECT_GT(q.qsize(), 0u);
    }
    EXPECT_FALSE(q.full());
    const int last = 2 * kQueueSize;
    const int full = 3 * 2 * kQueueSize;
    q.put(last);
    EXPECT_TRUE(q.full());
    EXPECT_FALSE(q.empty());
    EXPECT_THROW(q.put(full, false), Full);
    EXPECT_THROW(q.put(full, true, 10ms), Full);
    expect_blocks_until([&] { q.put(full); }, [&] { q.get(); });
    expect_blocks_until([&] { q.put(full, true, 10s); }, [&] { q.get(); });
    for (int i = 0; i < kQueueSize; ++i) q.get();
    EXPECT_EQ(q.qsize(), 0u);
    EXPECT_THROW(q.get(false), Empty);
    EXPECT_THROW(q.get(true, 10ms), Empty);
    int result = 0;
    expect_blocks_until([&] { result = q.get(); }, [&] { q.put(7); });
    EXPECT_EQ(result, 7);
    expect_blocks_until([&] { result = q.get(true, 10s); }, [&] { q.put(8); });
    EXPECT_EQ(result, 8);
  }
}

// queue_join_test twice (test_queue_join), then test_queue_task_done.
TYPED_TEST(BoundedQueueTest, Join) {
  TypeParam q;
  for (int round = 0; round < 2; ++round) {
    long cum = 0;  // written by the workers, read after join(): join synchronises
    std::mutex cum_lock;
    auto worker = [&] {
      for (int x; (x = q.get()) >= 0; q.task_done()) {
        std::scoped_lock g(cum_lock);
        cum += x;
      }
      q.task_done();
    };
    Thread a = started(worker), b = started(worker);
    for (int i = 0; i < 100; ++i) q.put(i);
    q.join();
    EXPECT_EQ(cum, 99 * 100 / 2) << "join() did not block until all tasks were done";
    q.put(-1);
    q.put(-1);
    q.join();  // joining twice works
    a.join();
    b.join();
  }
  try {
    q.task_done();
    FAIL() << "did not detect task count going negative";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "task_done() called too many times");
    EXPECT_TRUE(e.is_misuse());
  }
}

TYPED_TEST(BoundedQueueTest, JoinWakesEveryJoiner) {
  TypeParam q;
  q.put(1);
  std::atomic<int> joined{0};
  std::vector<Thread> joiners;
  for (int i = 0; i < 3; ++i) joiners.push_back(started([&] { q.join(); ++joined; }));
  runtime::sleep(5ms);
  EXPECT_EQ(joined.load(), 0);
  q.get();
  q.task_done();
  for (auto& t : joiners) t.join();
  EXPECT_EQ(joined.load(), 3);
}

TYPED_TEST(BoundedQueueTest, NegativeTimeoutRaisesValueError) {
  TypeParam q(kQueueSize);
  try {
    q.put(1, true, -1s);
    FAIL() << "no ValueError";
  } catch (const ValueError& e) {
    EXPECT_STREQ(e.what(), "'timeout' must be a non-negative number");
  }
  EXPECT_EQ(q.qsize(), 0u);
  q.put(1, false, -1s);  // non-blocking: the timeout is ignored
  EXPECT_THROW(q.get(true, -1s), ValueError);
  EXPECT_EQ(q.qsize(), 1u);  // the item stays
  EXPECT_EQ(q.get(false, -1s), 1);
  EXPECT_THROW(q.get(-1ms), ValueError);  // on an empty queue too

  TypeParam unbounded;
  unbounded.put(2, true, -1s);  // Python checks the timeout only when bounded
  EXPECT_EQ(unbounded.get(), 2);
}

TYPED_TEST(BoundedQueueTest, ZeroTimeoutTriesOnce) {
  TypeParam q(1);
  EXPECT_THROW(q.get(0ns), Empty);
  q.put(5, 0ns);
  EXPECT_THROW(q.put(6, 0ns), Full);
  EXPECT_EQ(q.get(0ns), 5);
}

TYPED_TEST(BoundedQueueTest, Nowait) {
  TypeParam q(kQueueSize);
  for (int i = 0; i < kQueueSize; ++i) q.put_nowait(1);
  EXPECT_THROW(q.put_nowait(1), Full);
  for (int i = 0; i < kQueueSize; ++i) q.get_nowait();
  EXPECT_THROW(q.get_nowait(), Empty);
}

TYPED_TEST(BoundedQueueTest, ShrinkingQueue) {  // bpo-10110
  TypeParam q(3);
  for (int i = 1; i <= 3; ++i) q.put(i);
  EXPECT_THROW(q.put_nowait(4), Full);
  EXPECT_EQ(q.qsize(), 3u);
  q.set_maxsize(2);
  EXPECT_EQ(q.maxsize(), 2);
  EXPECT_THROW(q.put_nowait(4), Full);
}

TYPED_TEST(BoundedQueueTest, GrowingQueueReleasesBlockedPutter) {
  TypeParam q(1);
  q.put(1);
  expect_blocks_until([&] { q.put(2); }, [&] { q.set_maxsize(0); });
  EXPECT_EQ(q.qsize(), 2u);
  EXPECT_FALSE(q.full());
}

TYPED_TEST(BoundedQueueTest, TimeoutKeepsItsDeadline) {
  TypeParam q;
  const Duration start = runtime::now();
  EXPECT_THROW(q.get(20ms), Empty);
  EXPECT_GE(runtime::now() - start, Duration(20ms));
}

TYPED_TEST(BoundedQueueTest, ManyBlockedGettersAllWake) {
  TypeParam q;
  constexpr int kGetters = 8;
  std::atomic<long> sum{0};
  std::vector<Thread> getters;
  for (int i = 0; i < kGetters; ++i) getters.push_back(started([&] { sum += q.get(); }));
  runtime::sleep(5ms);
  for (int i = 1; i <= kGetters; ++i) q.put(i);
  for (auto& t : getters) t.join();
  EXPECT_EQ(sum.load(), kGetters * (kGetters + 1) / 2);
  EXPECT_TRUE(q.empty());
}

TEST(QueueTest, MoveOnlyItems) {
  using Item = std::unique_ptr<int>;
  Queue<Item> fifo(2);
  LifoQueue<Item> lifo;
  auto deref_less = [](const Item& a, const Item& b) { return *a < *b; };
  PriorityQueue<Item, decltype(deref_less)> prio(0, deref_less);
  for (int v : {2, 3, 1}) {
    if (v != 1) fifo.put(std::make_unique<int>(v));
    lifo.put(std::make_unique<int>(v));
    prio.put(std::make_unique<int>(v));
  }
  EXPECT_THROW(fifo.put_nowait(std::make_unique<int>(9)), Full);
  EXPECT_EQ(*fifo.get(), 2);
  EXPECT_EQ(*fifo.get(), 3);
  EXPECT_EQ(*lifo.get(), 1);
  EXPECT_EQ(*lifo.get(), 3);
  EXPECT_EQ(*lifo.get(), 2);
  EXPECT_EQ(*prio.get(), 1);
  EXPECT_EQ(*prio.get(), 2);
  EXPECT_EQ(*prio.get_nowait(), 3);
  SimpleQueue<Item> simple;
  simple.put(std::make_unique<int>(4));
  EXPECT_EQ(*simple.get(), 4);
}

TEST(PriorityQueueTest, SmallestFirstAndCustomCompare) {
  PriorityQueue<std::pair<int, std::string>> q;
  for (auto item : {std::pair{3, "c"}, {1, "a"}, {2, "b"}}) q.put(item);
  std::string order = q.get().second;
  order += q.get().second;
  order += q.get().second;
  EXPECT_EQ(order, "abc");

  PriorityQueue<int, std::greater<int>> largest_first;
  for (int v : {4, 9, 1, 7}) largest_first.put(v);
  std::vector<int> got;
  while (!largest_first.empty()) got.push_back(largest_first.get());
  EXPECT_EQ(got, (std::vector<int>{9, 7, 4, 1}));
}

// How consumers get and producers put: blocking, or retrying get(false) /
// get and put with a tiny timeout, as test_queue.py's consume_nonblock and
// consume_timeout do.
enum class Mode { kBlocking, kNonBlocking, kTimeout };

template <typename Q>
auto take(Q& q, Mode how) {
  for (;;) {
    try {
      return how == Mode::kBlocking ? q.get() : q.get(how == Mode::kTimeout, 10us);
    } catch (const Empty&) {
      if (how == Mode::kNonBlocking) runtime::sleep(10us);
    }
  }
}

template <typename Q, typename T>
void give(Q& q, const T& item, Mode how) {
  for (;;) {
    try {
      return how == Mode::kTimeout ? q.put(item, true, 10us) : q.put(item);
    } catch (const Full&) {
    }
  }
}

// Producers put (producer, sequence) pairs; consumers record what they get.
// Every item is got exactly once, and with a FIFO each consumer sees each
// producer's items in the order they were put.
template <typename Q>
void run_delivery(Q& q, int producers, int consumers, int per_producer, Mode how, bool fifo) {
  std::vector<std::vector<std::pair<int, int>>> got(consumers);
  std::vector<Thread> threads, feeders;
  for (int c = 0; c < consumers; ++c) {
    threads.push_back(started([&, c] {
      for (auto item = take(q, how); item.first >= 0; item = take(q, how)) got[c].push_back(item);
    }));
  }
  for (int p = 0; p < producers; ++p) {
    feeders.push_back(started([&, p] {
      for (int i = 0; i < per_producer; ++i) give(q, std::pair{p, i}, how);
    }));
  }
  for (auto& t : feeders) t.join();
  // A LIFO or priority queue would hand out the stop markers before the rest.
  while (!fifo && !q.empty()) runtime::sleep(100us);
  for (int c = 0; c < consumers; ++c) give(q, std::pair{-1, -1}, how);
  for (auto& t : threads) t.join();

  std::map<std::pair<int, int>, int> seen;
  for (const auto& mine : got) {
    std::vector<int> last(producers, -1);
    for (auto [p, i] : mine) {
      ++seen[{p, i}];
      if (fifo) {
        EXPECT_LT(last[p], i) << "producer " << p << "'s order broken";
      }
      last[p] = i;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(producers * per_producer));
  for (const auto& [item, count] : seen) {
    EXPECT_EQ(count, 1) << "item (" << item.first << ", " << item.second << ")";
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.qsize(), 0u);
}

using Item = std::pair<int, int>;

TEST(QueueStressTest, ManyProducersOneConsumerKeepsEachProducersOrder) {
  Queue<Item> q;
  run_delivery(q, 4, 1, 5000, Mode::kBlocking, true);
}

TEST(QueueStressTest, ManyProducersManyConsumersBounded) {
  Queue<Item> q(3);
  run_delivery(q, 4, 4, 5000, Mode::kBlocking, true);
}

TEST(QueueStressTest, LifoAndPriorityDeliverExactlyOnce) {
  LifoQueue<Item> lifo(3);
  run_delivery(lifo, 3, 3, 2000, Mode::kBlocking, false);
  PriorityQueue<Item> prio(3);
  run_delivery(prio, 3, 3, 2000, Mode::kBlocking, false);
}

// Timed and non-blocking gets and puts that keep failing race with the
// wake-ups: no item may be lost or duplicated, no wake-up lost.
TEST(QueueStressTest, TimedAndNonBlockingLoseNothing) {
  Queue<Item> timed(4), nonblocking(4);
  run_delivery(timed, 3, 3, 1000, Mode::kTimeout, true);
  run_delivery(nonblocking, 3, 3, 1000, Mode::kNonBlocking, true);
}

TEST(QueueStressTest, ChaosMode) {
  runtime::enable_chaos(12345);
  Queue<Item> q(2);
  run_delivery(q, 3, 3, 300, Mode::kBlocking, true);
  runtime::enable_chaos(0);
}

// -- SimpleQueue (BaseSimpleQueueTest) ------------------------------------------

TEST(SimpleQueueTest, Basic) {
  SimpleQueue<int> q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.qsize(), 0u);
  q.put(1);
  EXPECT_FALSE(q.empty());
  q.put(2);
  q.put_nowait(3);
  q.put(4, false, -1s);  // block and timeout are ignored
  EXPECT_EQ(q.qsize(), 4u);
  EXPECT_EQ(q.get(), 1);
  EXPECT_EQ(q.get_nowait(), 2);
  EXPECT_EQ(q.get(false), 3);
  EXPECT_EQ(q.get(100ms), 4);
  EXPECT_TRUE(q.empty());
  EXPECT_THROW(q.get(false), Empty);
  EXPECT_THROW(q.get(1ms), Empty);
  EXPECT_THROW(q.get_nowait(), Empty);
}

TEST(SimpleQueueTest, NegativeTimeoutRaisesValueError) {
  SimpleQueue<int> q;
  q.put(1);
  EXPECT_THROW(q.get(-1s), ValueError);
  EXPECT_EQ(q.get(false, -1s), 1);
}

TEST(SimpleQueueTest, OrderWithOneProducerOneConsumer) {
  SimpleQueue<Item> q;
  run_delivery(q, 1, 1, 100, Mode::kBlocking, true);
}

TEST(SimpleQueueTest, ManyThreads) {
  for (Mode how : {Mode::kBlocking, Mode::kNonBlocking, Mode::kTimeout}) {
    SimpleQueue<Item> q;
    run_delivery(q, 8, 8, 500, how, true);
  }
}

// -- The modelled path ------------------------------------------------------------

// A single-threaded stand-in for the engine: records steps and clock
// operations; a guarded step whose guard is false fires its timeout, or
// throws (what would be a deadlock with no other thread).
class RecordingModel final : public runtime::Model {
 public:
  struct Deadlock {};
  std::vector<std::string> log;

  runtime::Wake step(runtime::Op op, const void*, const braid::source_location&,
                     runtime::Guard guard, const Timeout& timeout, bool) override {
    log.push_back("step " + std::to_string(static_cast<int>(op)));
    if (guard()) return runtime::Wake::kReady;
    if (!timeout) throw Deadlock();
    now_ += *timeout;
    return runtime::Wake::kTimeout;
  }
  void hold(const void*) override {}
  void unhold(const void*) override {}  // queues own nothing
  void sync_release(const void*) override { log.push_back("release"); }
  void sync_acquire(const void*) override { log.push_back("acquire"); }
  void spawn(std::shared_ptr<runtime::ThreadContext>, std::function<void()>) override {}
  std::vector<std::shared_ptr<runtime::ThreadContext>> live_threads() override { return {}; }
  std::shared_ptr<runtime::ThreadContext> main_thread() override { return nullptr; }
  Duration now() override { return now_; }
  void sleep(Duration d, const braid::source_location&) override { now_ += d; }
  void forget(const void*) noexcept override { log.push_back("forget"); }
  std::uint64_t choose(std::uint64_t) override { return 0; }
  [[noreturn]] void fail(std::string m, const braid::source_location&) override { throw Deadlock(); }
  Duration now_{0};
};

struct Installed {
  explicit Installed(runtime::Model* m) { runtime::install_model(m); }
  ~Installed() { runtime::install_model(nullptr); }
};

std::string step(runtime::Op op) { return "step " + std::to_string(static_cast<int>(op)); }

TEST(QueueModelTest, OneStepPerOperationWithHappensBefore) {
  using runtime::Op;
  RecordingModel m;
  {
    Installed installed(&m);
    Queue<int> q(1);
    q.put(1);
    EXPECT_EQ(q.qsize(), 1u);
    EXPECT_TRUE(q.full());
    EXPECT_THROW(q.put_nowait(2), Full);
    EXPECT_THROW(q.put(2, 5ms), Full);  // the fake fires the timeout
    EXPECT_EQ(q.get(), 1);
    EXPECT_THROW(q.get_nowait(), Empty);
    EXPECT_THROW(q.get(5ms), Empty);
    EXPECT_THROW(q.get(), RecordingModel::Deadlock);  // blocked: guard false
    EXPECT_THROW(q.join(), RecordingModel::Deadlock);
    q.task_done();
    q.join();
    EXPECT_THROW(q.task_done(), ValueError);
  }
  const std::vector<std::string> expected{
      step(Op::kQueuePut), "release",       // put(1)
      step(Op::kQueueQuery), "acquire",     // qsize
      step(Op::kQueueQuery), "acquire",     // full
      step(Op::kQueuePut), step(Op::kQueuePut),  // put_nowait, timed put: Full
      step(Op::kQueueGet), "acquire",       // get
      step(Op::kQueueGet), step(Op::kQueueGet),  // get_nowait, timed get: Empty
      step(Op::kQueueGet), step(Op::kQueueJoin),  // blocked get, blocked join
      step(Op::kQueueTaskDone), "release",  // task_done
      step(Op::kQueueJoin), "acquire",      // join
      step(Op::kQueueTaskDone),             // task_done: ValueError
      "forget"};
  EXPECT_EQ(m.log, expected);
}

TEST(QueueModelTest, ModelledPutAndGetMoveItems) {
  RecordingModel m;
  Installed installed(&m);
  PriorityQueue<std::unique_ptr<int>, bool (*)(const std::unique_ptr<int>&,
                                               const std::unique_ptr<int>&)>
      q(0, [](const std::unique_ptr<int>& a, const std::unique_ptr<int>& b) { return *a < *b; });
  q.put(std::make_unique<int>(2));
  q.put(std::make_unique<int>(1));
  EXPECT_EQ(*q.get(), 1);
  EXPECT_EQ(*q.get(), 2);
  q.put(std::make_unique<int>(3), true, -1s);  // unbounded: the timeout is not checked
  EXPECT_EQ(q.qsize(), 1u);
}

}  // namespace
}  // namespace braid::queue
