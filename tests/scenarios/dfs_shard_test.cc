// Sharding: the shards of one dfs exploration are disjoint and together
// complete, and a seeded bug is found by exactly the shard that owns it.
#include <gtest/gtest.h>

#include <memory>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "src/explore_dfs.h"

// Locks are taken and released inside lambdas run as logical threads: clang's
// static thread-safety analysis cannot follow them.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

braid::Options shard_options(std::uint32_t i, std::uint32_t n) {
  braid::Options o;
  o.strategy = braid::Strategy::dfs();
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  o.shard = {i, n};
  return o;
}

// S1(3 x 3), recording the lock-acquisition order (which names the
// execution's equivalence class) and failing on `bad` when it is set.
void s1_orders(std::set<std::string>* seen, const std::string& bad) {
  braid::Lock lock;
  braid::Shared<int> counter{0};
  std::string order;
  std::vector<std::unique_ptr<braid::Thread>> threads;
  for (int i = 0; i < 3; ++i) {
    threads.push_back(std::make_unique<braid::Thread>([&, i] {
      for (int k = 0; k < 3; ++k) {
        lock.acquire();
        order += static_cast<char>('a' + i);
        counter.store(counter.load() + 1);
        lock.release();
      }
    }));
  }
  for (auto& t : threads) t->start();
  for (auto& t : threads) t->join();
  if (seen != nullptr) seen->insert(order);
  BRAID_ASSERT(order != bad, "the seeded bug: order ", order);
}

// The lock orders and choice lists of the executions one exploration counts:
// the body records its order, and the counted-execution hook (called after
// the execution, only for the counted ones) files it with the choices.
struct Counted {
  std::vector<std::string> orders;
  std::set<std::vector<std::uint32_t>> choices;
  braid::Report report;
};

Counted counted_executions(std::uint32_t i, std::uint32_t n) {
  Counted c;
  std::set<std::string> last;
  c.report = braid::engine::explore_dfs(shard_options(i, n), [&] {
    last.clear();
    s1_orders(&last, "");
  }, [&](std::span<const std::uint32_t> choices) {
    EXPECT_EQ(last.size(), 1u);
    c.orders.insert(c.orders.end(), last.begin(), last.end());
    EXPECT_TRUE(c.choices.emplace(choices.begin(), choices.end()).second) << "a choice list counted twice";
  });
  return c;
}

TEST(DfsShard, ShardsAreDisjointAndComplete) {
  const Counted whole = counted_executions(0, 1);
  ASSERT_TRUE(whole.report.ok) << whole.report.to_string();
  ASSERT_EQ(whole.report.executions, 1680u);
  const std::set<std::string> all(whole.orders.begin(), whole.orders.end());
  ASSERT_EQ(whole.orders.size(), 1680u);
  ASSERT_EQ(all.size(), 1680u) << "the unsharded run repeated a lock order";
  ASSERT_EQ(whole.choices.size(), 1680u);
  for (std::uint32_t n : {2u, 3u, 5u}) {
    // The executions each shard counts, by lock order (which names the
    // execution's equivalence class) and by choice list: pairwise disjoint,
    // none repeated within a shard, and together exactly the unsharded set.
    std::set<std::string> united;
    std::set<std::vector<std::uint32_t>> united_choices;
    std::uint64_t sum = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const Counted part = counted_executions(i, n);
      ASSERT_TRUE(part.report.ok) << part.report.to_string();
      EXPECT_TRUE(part.report.exhaustive);
      EXPECT_EQ(part.orders.size(), part.report.executions) << "shard " << i << "/" << n;
      EXPECT_GT(part.report.executions, 0u) << "shard " << i << "/" << n << " is empty";
      for (const std::string& o : part.orders) {
        EXPECT_TRUE(united.insert(o).second) << "lock order " << o << " counted twice (shard " << i << "/" << n << ")";
      }
      for (const auto& ch : part.choices) {
        EXPECT_TRUE(united_choices.insert(ch).second) << "a choice list counted by two shards (" << n << " shards)";
      }
      sum += part.report.executions;
    }
    EXPECT_EQ(sum, whole.report.executions) << n << " shards";
    EXPECT_EQ(united, all) << n << " shards";
    EXPECT_EQ(united_choices, whole.choices) << n << " shards";
  }
}

TEST(DfsShard, ABugIsFoundByExactlyTheShardThatOwnsIt) {
  // Each seeded bug fails in exactly one equivalence class (one lock order):
  // exactly one shard reports it, and every order is some shard's.
  const std::uint32_t n = 3;
  for (const std::string bad : {"abcabcabc", "ccbbaacba", "aaabbbccc", "bacbcacab"}) {
    int failing = -1;
    for (std::uint32_t i = 0; i < n; ++i) {
      braid::Options o = shard_options(i, n);
      o.shrink = false;
      braid::Report r = braid::explore(o, [&] { s1_orders(nullptr, bad); });
      if (!r.ok) {
        EXPECT_EQ(failing, -1) << "two shards found the bug " << bad;
        EXPECT_EQ(r.kind, braid::FailureKind::kAssertion);
        EXPECT_NE(r.message.find(bad), std::string::npos) << r.message;
        failing = static_cast<int>(i);
      }
    }
    EXPECT_NE(failing, -1) << "no shard found " << bad;
  }
}

}  // namespace
