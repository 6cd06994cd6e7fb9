// bench/process_bench.cc
// -----------------------------------------------------------------------------
// braid's processes on the OS runtime; the CPython twins are in
// bench/python_process.py (multiprocessing with the 'fork' context):
//
//   BM_Pipe_Ints           a child sends 100,000 ints through a Pipe(), the
//                          parent receives them (python: pipe_ints);
//                          goal: at least 10x CPython's items/s
//   BM_Process_StartJoin   Process(target=empty).start(); join()
//                          (python: process_start_join); goal: no slower
//
// One iteration is one whole program, as in the Python script, so that
// bench/compare.py can set seconds per iteration against its median.
// -----------------------------------------------------------------------------
#include <benchmark/benchmark.h>

#include <tuple>

#include "braid/mp/connection.h"
#include "braid/mp/process.h"

namespace {

constexpr int kPipeItems = 100'000;

void BM_Pipe_Ints(benchmark::State& state) {
  for (auto _ : state) {
    braid::mp::Connection parent_end, child_end;
    std::tie(parent_end, child_end) = braid::mp::Pipe();
    braid::mp::Process p([parent_end = parent_end, child_end = child_end] {
      parent_end.close();
      for (int i = 0; i < kPipeItems; ++i) child_end.send(i);
    });
    p.start();
    child_end.close();
    long long sum = 0;
    for (int i = 0; i < kPipeItems; ++i) sum += parent_end.recv<int>();
    p.join();
    if (sum != static_cast<long long>(kPipeItems) * (kPipeItems - 1) / 2 || p.exitcode() != 0) {
      state.SkipWithError("wrong sum or exit code");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipeItems);
}
BENCHMARK(BM_Pipe_Ints)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Process_StartJoin(benchmark::State& state) {
  for (auto _ : state) {
    braid::mp::Process p([] {});
    p.start();
    p.join();
    if (p.exitcode() != 0) {
      state.SkipWithError("the child failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Process_StartJoin)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
