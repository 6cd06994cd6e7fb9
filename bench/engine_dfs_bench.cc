// Exhaustive exploration speed: dfs() over S1(3 x 3) (3 threads, each 3
// times {acquire Lock; read Shared<int>; write it + 1; release}), whose
// optimal exploration is 1,680 executions. Reports executions/s, with the
// execution count of one exploration as the counter `executions`.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "programs/counters.h"

namespace {

void s1(int t, int n) { braid::programs::locked_counter(t, n); }

void BM_DfsS1(benchmark::State& state) {
  const int t = static_cast<int>(state.range(0));
  const int n = static_cast<int>(state.range(1));
  braid::Options o;
  o.strategy = braid::Strategy::dfs();
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  std::uint64_t executions = 0, total = 0;
  for (auto _ : state) {
    braid::Report r = braid::explore(o, [&] { s1(t, n); });
    if (!r.ok) state.SkipWithError("exploration failed");
    executions = r.executions;
    total += r.executions + r.sleep_blocked;
  }
  state.counters["executions"] = static_cast<double>(executions);
  state.counters["executions/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DfsS1)->Args({3, 3})->Args({4, 2})->Args({2, 3})->Unit(benchmark::kMillisecond);

}  // namespace
