// local_test.cc
// -----------------------------------------------------------------------------
// braid::Local<T>, after CPython's test_threading_local.py: isolation between
// threads, values dying with their thread and with the local, one set of
// values per Local instance, many threads.
// -----------------------------------------------------------------------------
#include "braid/local.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "braid/runtime.h"
#include "braid/thread.h"

namespace braid {
namespace {

// Counts live instances, to observe destruction.
struct Counted {
  static std::atomic<int> live;
  static std::atomic<int> destroyed;
  int value = 0;
  Counted() { live.fetch_add(1); }
  Counted(const Counted& o) : value(o.value) { live.fetch_add(1); }
  Counted(Counted&& o) noexcept : value(o.value) { live.fetch_add(1); }
  ~Counted() {
    live.fetch_sub(1);
    destroyed.fetch_add(1);
  }
  static void reset_counts() {
    live = 0;
    destroyed = 0;
  }
};
std::atomic<int> Counted::live{0};
std::atomic<int> Counted::destroyed{0};

class Gate {
 public:
  void open() {
    word_.store(1, std::memory_order_release);
    runtime::futex_wake_all(word_);
  }
  void wait() {
    while (word_.load(std::memory_order_acquire) == 0) runtime::futex_wait(word_, 0, std::nullopt);
  }

 private:
  std::atomic<std::uint32_t> word_{0};
};

template <typename F>
void run_thread(F f) {
  Thread t(std::move(f));
  t.start();
  t.join();
}

TEST(LocalTest, ValuesAreIsolatedBetweenThreads) {
  Local<int> local;
  *local = 1;
  int seen_in_thread = -1;
  run_thread([&] {
    seen_in_thread = *local;  // a fresh, default-constructed int
    *local = 2;
  });
  EXPECT_EQ(seen_in_thread, 0);
  EXPECT_EQ(*local, 1);
}

TEST(LocalTest, FactoryRunsOncePerThreadOnFirstAccess) {
  std::atomic<int> calls{0};
  Local<std::string> local([&calls] {
    calls.fetch_add(1);
    return std::string("init");
  });
  EXPECT_EQ(calls.load(), 0);
  EXPECT_FALSE(local.has_value());
  EXPECT_EQ(local.get(), "init");
  local->append("!");
  EXPECT_EQ(local.get(), "init!");
  EXPECT_EQ(calls.load(), 1);
  std::string in_thread;
  run_thread([&] { in_thread = local.get(); });
  EXPECT_EQ(in_thread, "init");
  EXPECT_EQ(calls.load(), 2);
}

TEST(LocalTest, ValuesAreDestroyedAtThreadExit) {
  Counted::reset_counts();
  Local<Counted> local;
  constexpr int kThreads = 6;
  std::vector<Thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&local, i] { local->value = i; });
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();  // join returns after the thread's values are gone
  EXPECT_EQ(Counted::destroyed.load(), kThreads);
  EXPECT_EQ(Counted::live.load(), 0);
}

TEST(LocalTest, ValuesAreDestroyedWhenTheLocalDies) {
  Counted::reset_counts();
  Gate filled, release;
  Thread t;
  {
    Local<Counted> local;
    local->value = 1;
    t = Thread([&] {
      local->value = 2;
      filled.open();
      release.wait();  // the thread outlives the Local
    });
    t.start();
    filled.wait();
    EXPECT_EQ(Counted::live.load(), 2);
  }
  EXPECT_EQ(Counted::live.load(), 0);
  release.open();
  t.join();  // the thread's exit must not touch the dead Local
  EXPECT_EQ(Counted::destroyed.load(), 2);
}

TEST(LocalTest, EachInstanceHasItsOwnValues) {
  Local<int> a;
  Local<int> b;
  *a = 1;
  *b = 2;
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(*b, 2);
  run_thread([&] {
    *a = 10;
    EXPECT_EQ(*b, 0);
  });
  EXPECT_EQ(*a, 1);
}

TEST(LocalTest, ResetDestroysOnlyTheCallersValue) {
  Counted::reset_counts();
  {
    Local<Counted> local;
    local->value = 5;
    EXPECT_TRUE(local.has_value());
    local.reset();
    EXPECT_FALSE(local.has_value());
    EXPECT_EQ(Counted::live.load(), 0);
    EXPECT_EQ(local->value, 0);  // recreated on access
    run_thread([&] {
      local->value = 1;
      local.reset();
      local->value = 2;  // a second value in the same thread, destroyed at exit once
    });
    EXPECT_EQ(Counted::live.load(), 1);
    EXPECT_EQ(Counted::destroyed.load(), 3);
  }
  EXPECT_EQ(Counted::live.load(), 0);
}

TEST(LocalTest, ValueDestructorMayUseAnotherLocal) {
  Local<int> other;
  std::atomic<int> seen{-1};
  struct UsesOther {
    Local<int>* other = nullptr;
    std::atomic<int>* seen = nullptr;
    ~UsesOther() {
      if (other != nullptr) seen->store(++**other);
    }
  };
  Local<UsesOther> local;
  run_thread([&] {
    local->other = &other;  // `other` is first touched by the exit callback
    local->seen = &seen;
  });
  EXPECT_EQ(seen.load(), 1);
}

TEST(LocalTest, ManyThreadsEachSeeTheirOwnValue) {
  Local<int> local;
  constexpr int kThreads = 40;
  std::atomic<int> mismatches{0};
  Gate go;
  std::vector<Thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      *local = i;
      go.wait();
      for (int k = 0; k < 100; ++k) {
        if (*local != i) mismatches.fetch_add(1);
        runtime::chaos_point();
      }
    });
  }
  for (auto& t : threads) t.start();
  go.open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace braid
