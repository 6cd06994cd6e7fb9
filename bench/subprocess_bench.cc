// bench/subprocess_bench.cc
// -----------------------------------------------------------------------------
// braid::subprocess against CPython 3.11's subprocess (bench/python_subprocess.py
// runs the same two programs), real time:
//
//   BM_Subprocess_CallTrue        call({"true"})          vs subprocess_call_true
//   BM_Subprocess_CommunicateCat  8 MiB through `cat`     vs subprocess_communicate_cat_8mib
//                                 (Popen stdin/stdout PIPE, communicate(input))
//
// Goal: no slower than CPython. Both include the PATH search (`true` and
// `cat` are found through $PATH, as Python's child finds them).
// -----------------------------------------------------------------------------
#include <benchmark/benchmark.h>

#include <string>

#include "braid/subprocess.h"

namespace {

using namespace braid::subprocess;

constexpr std::size_t kCatBytes = 8u << 20;

void BM_Subprocess_CallTrue(benchmark::State& state) {
  for (auto _ : state) {
    const int rc = call({"true"});
    if (rc != 0) state.SkipWithError("true failed");
    benchmark::DoNotOptimize(rc);
  }
}
BENCHMARK(BM_Subprocess_CallTrue)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Subprocess_CommunicateCat(benchmark::State& state) {
  const std::string input(kCatBytes, 'x');
  for (auto _ : state) {
    Popen p({"cat"}, {.stdin_ = PIPE, .stdout_ = PIPE});
    const auto out = p.communicate(input);
    if (out.stdout_->size() != kCatBytes) state.SkipWithError("short output");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCatBytes));
}
BENCHMARK(BM_Subprocess_CommunicateCat)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
