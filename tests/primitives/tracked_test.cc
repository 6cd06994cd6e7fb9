// Tests for braid/tracked.h: Shared<T> and Atomic<T> on the OS runtime, and
// the steps and happens-before edges they report to a recording fake Model.
#include "braid/tracked.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "braid/lock.h"
#include "braid/runtime.h"
#include "braid/thread.h"

namespace braid {
namespace {

using runtime::Op;

TEST(SharedTest, LoadStoreAndOperators) {
  Shared<int> x;
  EXPECT_EQ(x.load(), 0);
  x.store(3);
  EXPECT_EQ(x.read(), 3);
  x.write(4);
  int v = x;
  EXPECT_EQ(v, 4);
  x = 10;
  x += 5;
  ++x;
  x -= 2;
  --x;
  EXPECT_EQ(x.load(), 13);

  Shared<std::string> s{"a"};
  s = s.load() + "b";
  EXPECT_EQ(s.load(), "ab");
}

TEST(SharedTest, LockProtectedCounterIsExact) {
  Shared<long> counter{0};
  Lock lock;
  constexpr int kThreads = 4, kIncrements = 2000;
  std::vector<Thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        std::scoped_lock g(lock);
        counter += 1;
      }
    });
    threads.back().start();
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.load(), kThreads * kIncrements);
}

TEST(AtomicTest, Operations) {
  Atomic<int> a;
  EXPECT_EQ(a.load(), 0);
  a.store(5);
  EXPECT_EQ(a.exchange(7), 5);
  int expected = 1;
  EXPECT_FALSE(a.compare_exchange(expected, 9));
  EXPECT_EQ(expected, 7);
  EXPECT_TRUE(a.compare_exchange_strong(expected, 9));
  EXPECT_EQ(a.fetch_add(3), 9);
  EXPECT_EQ(a.fetch_sub(2), 12);
  int v = a;
  EXPECT_EQ(v, 10);
  a = 1;
  EXPECT_EQ(a.load(), 1);

  Atomic<bool> flag{false};
  EXPECT_FALSE(flag.exchange(true));
  EXPECT_TRUE(flag.load());
}

TEST(AtomicTest, ConcurrentFetchAddIsExact) {
  Atomic<long> counter{0};
  constexpr int kThreads = 4, kIncrements = 20000;
  std::vector<Thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) counter.fetch_add(1);
    });
    threads.back().start();
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.load(), kThreads * kIncrements);
}

TEST(AtomicTest, UnderChaos) {
  runtime::enable_chaos(7);
  Atomic<int> counter{0};
  Shared<int> plain{0};
  Thread t([&] {
    for (int i = 0; i < 200; ++i) counter.fetch_add(1);
  });
  t.start();
  for (int i = 0; i < 200; ++i) counter.fetch_add(1);
  t.join();
  plain = counter.load();
  runtime::enable_chaos(0);
  EXPECT_EQ(plain.load(), 400);
}

// A single-threaded stand-in for the engine that records what it is told.
class RecordingModel final : public runtime::Model {
 public:
  std::vector<std::string> log;
  std::vector<const void*> objects;

  runtime::Wake step(Op op, const void* object, const braid::source_location& where,
                     runtime::Guard guard, const Timeout&, bool) override {
    log.push_back("step " + std::to_string(static_cast<int>(op)));
    objects.push_back(object);
    lines.push_back(where.line());
    if (!guard()) throw std::logic_error("blocked");
    return runtime::Wake::kReady;
  }
  void hold(const void*) override {}
  void unhold(const void*) override {}
  void sync_release(const void*) override { log.push_back("release"); }
  void sync_acquire(const void*) override { log.push_back("acquire"); }
  void spawn(std::shared_ptr<runtime::ThreadContext>, std::function<void()>) override {
    throw std::logic_error("spawn");
  }
  std::vector<std::shared_ptr<runtime::ThreadContext>> live_threads() override { return {}; }
  std::shared_ptr<runtime::ThreadContext> main_thread() override { return nullptr; }
  Duration now() override { return Duration(0); }
  void sleep(Duration, const braid::source_location&) override {}
  void forget(const void* object) noexcept override {
    log.push_back("forget");
    objects.push_back(object);
  }
  std::uint64_t choose(std::uint64_t) override { return 0; }
  [[noreturn]] void fail(std::string message, const braid::source_location&) override {
    throw std::logic_error(message);
  }
  std::vector<unsigned> lines;
};

struct Installed {
  explicit Installed(runtime::Model* m) { runtime::install_model(m); }
  ~Installed() { runtime::install_model(nullptr); }
};

std::string step(Op op) { return "step " + std::to_string(static_cast<int>(op)); }

TEST(SharedModelTest, EveryAccessIsOneStepWithoutSync) {
  RecordingModel m;
  const void* address = nullptr;
  unsigned load_line = 0;
  {
    Installed installed(&m);
    Shared<int> x{1};
    address = &x;
    load_line = __LINE__ + 1;
    EXPECT_EQ(x.load(), 1);
    x.store(2);
    x += 3;  // a read and a write: two steps
    int v = x;
    EXPECT_EQ(v, 5);
  }
  const std::vector<std::string> expected{step(Op::kSharedRead), step(Op::kSharedWrite),
                                          step(Op::kSharedRead), step(Op::kSharedWrite),
                                          step(Op::kSharedRead), "forget"};
  EXPECT_EQ(m.log, expected);
  for (const void* o : m.objects) EXPECT_EQ(o, address);
  ASSERT_FALSE(m.lines.empty());
  EXPECT_EQ(m.lines[0], load_line) << "load() must report the caller's line";
}

TEST(AtomicModelTest, EachOperationIsOneStepThenSynchronises) {
  RecordingModel m;
  {
    Installed installed(&m);
    Atomic<int> a{0};
    a.store(1);
    EXPECT_EQ(a.load(), 1);
    EXPECT_EQ(a.fetch_add(2), 1);
    EXPECT_EQ(a.exchange(5), 3);
    int expected = 0;
    EXPECT_FALSE(a.compare_exchange(expected, 1));  // a failed CAS only observes
    EXPECT_TRUE(a.compare_exchange(expected, 6));
  }
  const std::vector<std::string> expected{
      step(Op::kAtomicStore), "release",
      step(Op::kAtomicLoad),  "acquire",
      step(Op::kAtomicRmw),   "acquire", "release",
      step(Op::kAtomicRmw),   "acquire", "release",
      step(Op::kAtomicRmw),   "acquire",
      step(Op::kAtomicRmw),   "acquire", "release",
      "forget"};
  EXPECT_EQ(m.log, expected);
}

TEST(TrackedTest, NoModelMeansNoForget) {
  RecordingModel m;
  { Shared<int> x{1}; Atomic<int> a{1}; }
  EXPECT_TRUE(m.log.empty());
}

}  // namespace
}  // namespace braid
