// bench/mp_bench.cc
// -----------------------------------------------------------------------------
// braid::mp::Queue and braid::mp::Pool on the OS runtime, against the same
// programs in CPython's multiprocessing (fork context) in
// bench/python_mp.py:
//
//   benchmark                        python name           goal
//   BM_MpQueue_TwoProcesses          mp_queue              >= 10x CPython
//     a child process puts 100,000 ints, the parent gets them (fork included)
//   BM_MpPool_Map                    mp_pool_map           >= 5x CPython
//     Pool(2).map(square, 200,000 ints), the pool made beforehand
//   BM_MpPool_ApplyAsync             mp_pool_apply_async   >= 10x CPython
//     1,000 sequential apply_async(square, i).get() round trips
//
// Each iteration is one whole program, as one Python run is; the counter
// items_per_second of BM_MpQueue_TwoProcesses is the queue's throughput.
// -----------------------------------------------------------------------------
#include <benchmark/benchmark.h>

#include <vector>

#include "braid/mp/pool.h"
#include "braid/mp/queue.h"
#include "braid/os.h"

namespace {

constexpr int kQueueItems = 100'000;
constexpr int kMapItems = 200'000;
constexpr int kRoundTrips = 1'000;

int square(int x) { return x * x; }

void BM_MpQueue_TwoProcesses(benchmark::State& state) {
  for (auto _ : state) {
    braid::mp::Queue<int> q;
    const int pid = braid::os::fork();
    if (pid == 0) {
      for (int i = 0; i < kQueueItems; ++i) q.put(i);
      braid::os::_exit(0);
    }
    long sum = 0;
    for (int i = 0; i < kQueueItems; ++i) sum += q.get();
    braid::os::waitpid(pid, 0);
    if (sum != static_cast<long>(kQueueItems) * (kQueueItems - 1) / 2) state.SkipWithError("lost items");
  }
  state.SetItemsProcessed(state.iterations() * kQueueItems);
}
BENCHMARK(BM_MpQueue_TwoProcesses)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MpPool_Map(benchmark::State& state) {
  braid::mp::Pool pool(2);
  std::vector<int> items(kMapItems);
  for (int i = 0; i < kMapItems; ++i) items[i] = i;
  for (auto _ : state) {
    std::vector<int> out = pool.map(square, items);
    if (out.size() != items.size() || out[kMapItems - 1] != square(kMapItems - 1)) state.SkipWithError("wrong map");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kMapItems);
}
BENCHMARK(BM_MpPool_Map)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MpPool_ApplyAsync(benchmark::State& state) {
  braid::mp::Pool pool(2);
  for (auto _ : state) {
    for (int i = 0; i < kRoundTrips; ++i) {
      if (pool.apply_async(square, i).get() != i * i) state.SkipWithError("wrong result");
    }
  }
  state.SetItemsProcessed(state.iterations() * kRoundTrips);
}
BENCHMARK(BM_MpPool_ApplyAsync)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
