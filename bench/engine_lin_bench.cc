// Linearizability checking speed (generators/linearizability.h): checks
// queue histories of N operations from T threads, generated against a real
// FIFO queue so they are linearizable, and reports operations/s. The counter
// `states` is the number of search steps of one check.
#include <benchmark/benchmark.h>

#include <vector>

#include "generators/linearizability.h"
#include "generators/linearizability_history.h"

namespace {

namespace lin = braid::gen::lin;

void BM_LinearizabilityFifo(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const int objects = static_cast<int>(state.range(2));
  const std::vector<lin::Operation> h = lin::random_history(n, threads, objects, 42);
  std::uint64_t states = 0;
  for (auto _ : state) {
    lin::Result r = lin::check(h, {});
    if (!r.ok) state.SkipWithError("history judged not linearizable");
    states = r.states_visited;
    benchmark::DoNotOptimize(r);
  }
  state.counters["states"] = static_cast<double>(states);
  state.counters["ops/s"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LinearizabilityFifo)
    ->Args({10'000, 1, 1})
    ->Args({10'000, 4, 1})
    ->Args({10'000, 8, 1})
    ->Args({10'000, 8, 8})
    ->Args({100'000, 4, 4})
    ->Unit(benchmark::kMillisecond);

}  // namespace
