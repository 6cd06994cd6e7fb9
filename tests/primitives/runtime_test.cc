// runtime_test.cc
// -----------------------------------------------------------------------------
// The OS runtime behind braid/runtime.h (futexes, clock, contexts, spawn,
// chaos), and the model branches of spawn, Thread and Local against a small
// fake Model that runs spawned bodies immediately.
// -----------------------------------------------------------------------------
#include "braid/runtime.h"

#include <gtest/gtest.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "braid/local.h"
#include "braid/thread.h"

namespace braid::runtime {
namespace {

using namespace std::chrono_literals;

TEST(RuntimeTest, OpNames) {
  EXPECT_STREQ(op_name(Op::kLockAcquire), "lock.acquire");
  EXPECT_STREQ(op_name(Op::kThreadJoin), "thread.join");
  EXPECT_STREQ(op_name(Op::kQueueTaskDone), "queue.task_done");
  EXPECT_STREQ(op_name(Op::kUser), "user");
}

TEST(RuntimeTest, NowIsMonotonic) {
  Duration a = now();
  Duration b = now();
  EXPECT_LE(a, b);
}

TEST(RuntimeTest, FutexWaitReturnsFalseOnlyAtDeadline) {
  std::atomic<std::uint32_t> word{0};
  EXPECT_FALSE(futex_wait(word, 0, now() - 1ms));  // already passed
  EXPECT_FALSE(futex_wait(word, 0, deadline_after(5ms)));
  EXPECT_TRUE(futex_wait(word, 1, deadline_after(5ms)));  // value differs: returns at once
}

TEST(RuntimeTest, FutexWakeWakesWaiter) {
  std::atomic<std::uint32_t> word{0};
  Thread t([&word] {
    word.store(1, std::memory_order_release);
    futex_wake_all(word);
  });
  t.start();
  while (word.load(std::memory_order_acquire) == 0) futex_wait(word, 0, std::nullopt);
  t.join();
  futex_wake(word, 1);  // no waiter: harmless
}

TEST(RuntimeTest, SleepBlocksWithoutSpinning) {
  timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  sleep(200ms);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  double used = static_cast<double>(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
  EXPECT_LT(used, 0.050);  // CPU consumed, not wall time
}

TEST(RuntimeTest, FinishRunsAtExitInReverseAndPublishesFinished) {
  ThreadContext ctx("c", false);
  std::vector<int> order;
  ctx.at_exit([&] { order.push_back(1); });
  ctx.at_exit([&] {
    order.push_back(2);
    ctx.at_exit([&] { order.push_back(3); });  // registered while draining: still runs
  });
  ctx.finish();
  EXPECT_EQ(order, (std::vector<int>{2, 3, 1}));
  EXPECT_EQ(ctx.state.load(), ThreadContext::kFinished);
}

TEST(RuntimeTest, DestroyingUnfinishedContextRunsAtExit) {
  int runs = 0;
  {
    ThreadContext ctx("c", false);
    ctx.at_exit([&] { ++runs; });
  }
  EXPECT_EQ(runs, 1);
}

TEST(RuntimeTest, SpawnRunsBodyWithItsContext) {
  auto ctx = std::make_shared<ThreadContext>("spawned", false);
  ThreadContext* seen = nullptr;
  bool listed = false;
  spawn(ctx, [&] {
    seen = &current_context();
    auto live = live_threads();
    listed = std::find(live.begin(), live.end(), ctx) != live.end();
  });
  EXPECT_NE(ctx->ident, 0u);
  EXPECT_NE(ctx->native_id, 0u);
  std::uint32_t s;
  while ((s = ctx->state.load(std::memory_order_acquire)) != ThreadContext::kFinished) {
    futex_wait(ctx->state, s, std::nullopt);
  }
  EXPECT_EQ(seen, ctx.get());
  EXPECT_TRUE(listed);
  auto live = live_threads();
  EXPECT_EQ(std::find(live.begin(), live.end(), ctx), live.end());
  EXPECT_EQ(live.front(), main_context());
}

TEST(RuntimeTest, MainContext) {
  EXPECT_EQ(&current_context(), main_context().get());
  EXPECT_TRUE(main_context()->is_main);
  EXPECT_EQ(main_context()->name, "MainThread");
}

TEST(RuntimeTest, ChaosToggle) {
  enable_chaos(7);
  EXPECT_TRUE(chaos_enabled());
  EXPECT_TRUE(hooked());
  for (int i = 0; i < 100; ++i) chaos_point();
  enable_chaos(0);
  EXPECT_FALSE(chaos_enabled());
}

// -- Model branches -------------------------------------------------------------

// Runs each spawned body to completion at once; blocked guards without a
// timeout are test failures.
class FakeModel : public Model {
 public:
  FakeModel() : main_(std::make_shared<ThreadContext>("MainThread", false)) {
    main_->is_main = true;
    main_->state = ThreadContext::kStarted;
  }

  Wake step(Op op, const void* object, const braid::source_location&, Guard guard,
            const Timeout& timeout, bool) override {
    ops.push_back(op);
    if (guard()) return Wake::kReady;
    if (timeout) return Wake::kTimeout;
    ADD_FAILURE() << "blocked forever at " << op_name(op);
    return Wake::kReady;
  }
  void hold(const void*) override {}
  void unhold(const void*) override {}
  void sync_release(const void*) override {}
  void sync_acquire(const void* object) override { acquired.push_back(object); }
  void spawn(std::shared_ptr<ThreadContext> child, std::function<void()> body) override {
    ThreadContext* saved = detail::tls_context;
    set_current_context(child.get());
    child->ident = child->native_id = ++next_id_;
    body();
    child->finish();
    set_current_context(saved);
    children.push_back(std::move(child));
  }
  std::vector<std::shared_ptr<ThreadContext>> live_threads() override { return {main_}; }
  std::shared_ptr<ThreadContext> main_thread() override { return main_; }
  Duration now() override { return clock_; }
  void sleep(Duration d, const braid::source_location&) override {
    ops.push_back(Op::kSleep);
    clock_ += d;
  }
  void forget(const void*) noexcept override {}
  std::uint64_t choose(std::uint64_t n) override { return 0; }
  [[noreturn]] void fail(std::string message, const braid::source_location&) override {
    ADD_FAILURE() << message;
    std::abort();
  }

  std::vector<Op> ops;
  std::vector<const void*> acquired;
  std::vector<std::shared_ptr<ThreadContext>> children;

 private:
  std::shared_ptr<ThreadContext> main_;
  Duration clock_{0};
  std::uint64_t next_id_ = 100;
};

// Installs a FakeModel on this OS thread for the scope, with the model's main
// thread as the current context.
class ModelScope {
 public:
  ModelScope() : saved_(detail::tls_context) {
    install_model(&model);
    set_current_context(model.main_thread().get());
  }
  ~ModelScope() {
    install_model(nullptr);
    set_current_context(saved_);
  }
  FakeModel model;

 private:
  ThreadContext* saved_;
};

TEST(RuntimeModelTest, InstallModelHooks) {
  EXPECT_EQ(model(), nullptr);
  {
    ModelScope scope;
    EXPECT_EQ(model(), &scope.model);
    EXPECT_TRUE(hooked());
    EXPECT_EQ(main_context(), scope.model.main_thread());
    EXPECT_EQ(now(), Duration(0));
    sleep(5ms);
    EXPECT_EQ(now(), Duration(5ms));
  }
  EXPECT_EQ(model(), nullptr);
}

TEST(RuntimeModelTest, ThreadStartAndJoinAreSteps) {
  ModelScope scope;
  int ran = 0;
  Thread t([&ran] { ran = 1; });
  t.start();
  EXPECT_EQ(ran, 1);
  ASSERT_FALSE(scope.model.ops.empty());
  EXPECT_EQ(scope.model.ops.front(), Op::kThreadStart);
  EXPECT_EQ(t.ident(), 101u);
  t.join();
  EXPECT_EQ(scope.model.ops.back(), Op::kThreadJoin);
  ASSERT_FALSE(scope.model.acquired.empty());
  EXPECT_EQ(scope.model.acquired.back(), t.context().get());
  EXPECT_FALSE(t.is_alive());
  EXPECT_EQ(current_thread(), main_thread());
}

TEST(RuntimeModelTest, JoinTimeoutOnUnfinishedThread) {
  ModelScope scope;
  auto ctx = std::make_shared<ThreadContext>("pending", false);
  ctx->state = ThreadContext::kStarted;  // started elsewhere, never finishing here
  Thread t(ctx);
  t.join(10ms);
  EXPECT_EQ(scope.model.ops.back(), Op::kThreadJoin);
  EXPECT_TRUE(scope.model.acquired.empty());
}

TEST(RuntimeModelTest, LocalAccessIsAStepAndKeyedByLogicalThread) {
  ModelScope scope;
  Local<int> local;
  *local = 3;
  EXPECT_EQ(scope.model.ops.back(), Op::kLocalAccess);
  int in_child = -1;
  Thread t([&] { in_child = *local; });
  t.start();
  EXPECT_EQ(in_child, 0);
  EXPECT_EQ(*local, 3);
}

}  // namespace
}  // namespace braid::runtime
