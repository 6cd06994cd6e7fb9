// Linearizability checking speed (generators/linearizability.h): checks
// queue histories of N operations from T threads, generated against a real
// FIFO queue so they are linearizable, and reports operations/s. The counter
// `states` is the number of search steps of one check.
#include <benchmark/benchmark.h>

#include <deque>
#include <optional>
#include <random>
#include <vector>

#include "generators/linearizability.h"

namespace {

namespace lin = braid::gen::lin;

// `n` operations of `threads` threads on `objects` queues; each operation
// takes effect at its invocation and returns after a random number of other
// threads' events, so up to `threads` operations overlap.
std::vector<lin::Operation> history(std::size_t n, int threads, int objects, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<lin::Operation> out;
  std::vector<std::deque<std::int64_t>> queues(objects);
  std::vector<std::optional<lin::Operation>> open(threads);
  std::uint64_t clock = 0;
  std::int64_t value = 0;
  // Stop once `n` operations completed and none is left open (a get may
  // have taken the value of a put still open).
  auto any_open = [&] {
    for (const auto& o : open) {
      if (o) return true;
    }
    return false;
  };
  while (out.size() < n || any_open()) {
    const int t = static_cast<int>(rng() % threads);
    if (open[t] || out.size() >= n) {
      if (!open[t]) continue;
      open[t]->response = ++clock;
      out.push_back(*open[t]);
      open[t].reset();
      continue;
    }
    lin::Operation op;
    op.thread = static_cast<std::uint32_t>(t);
    op.object = rng() % objects;
    op.invoke = ++clock;
    auto& q = queues[op.object];
    if (rng() % 2 == 0) {
      op.kind = lin::OpKind::kPut;
      op.value = value++;
      q.push_back(op.value);
    } else if (q.empty()) {
      op.kind = lin::OpKind::kGetEmpty;
    } else {
      op.kind = lin::OpKind::kGet;
      op.value = q.front();
      q.pop_front();
    }
    open[t] = op;
  }
  return out;
}

void BM_LinearizabilityFifo(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const int objects = static_cast<int>(state.range(2));
  const std::vector<lin::Operation> h = history(n, threads, objects, 42);
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
