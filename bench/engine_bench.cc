// Engine benchmarks: the cost of a model scheduling step on scenario S3 (4
// threads x 10 x {acquire Lock; read Shared<int>; write +1; release}, random
// strategy), beside a raw Boost.Context fiber switch pair measured in the same
// run, and the growth of peak RSS over many executions.
//
// Counters: ns_per_step (S3), ns_per_switch_pair (the baseline: on its own,
// and interleaved with S3 in BM_S3Random), step_per_switch_pair (the goal's
// ratio), executions/s, and rss_growth_kib (peak RSS after the run minus
// before it).
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>

#include <boost/context/fiber.hpp>

#include <vector>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"

namespace {

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void s3_body() {
  braid::Shared<int> counter{0};
  braid::Lock lock;
  auto work = [&] {
    for (int i = 0; i < 10; ++i) {
      lock.acquire();
      counter.store(counter.load() + 1);
      lock.release();
    }
  };
  braid::Thread t1(work), t2(work), t3(work), t4(work);
  t1.start();
  t2.start();
  t3.start();
  t4.start();
  t1.join();
  t2.join();
  t3.join();
  t4.join();
  BRAID_ASSERT(counter.load() == 40, "lost update");
}

// The calling thread's CPU time.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ThreadCpuClock, duration>;
  static time_point now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};

// A fiber that switches straight back: resume() is one switch pair.
class PingFiber {
 public:
  PingFiber()
      : fiber_([this](boost::context::fiber&& back) {
          while (!stop_) back = std::move(back).resume();
          return std::move(back);
        }) {}
  ~PingFiber() {
    stop_ = true;
    fiber_ = std::move(fiber_).resume();
  }
  void switch_pair() { fiber_ = std::move(fiber_).resume(); }

 private:
  bool stop_ = false;
  boost::context::fiber fiber_;
};

void BM_SwitchPair(benchmark::State& state) {
  PingFiber ping;
  for (auto _ : state) ping.switch_pair();
  state.counters["ns_per_switch_pair"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_SwitchPair);

// S3 under the random strategy. After each iteration (1,000 executions) a
// burst of switch pairs is timed too, so the step's baseline is measured
// interleaved with it, through the same drift of the machine's speed:
// ns_per_switch_pair here, and step_per_switch_pair (the goal's ratio).
void BM_S3Random(benchmark::State& state) {
  using Clock = ThreadCpuClock;  // as Google Benchmark's rate counters (ns_per_step)
  constexpr std::uint64_t kPairsPerIteration = 100000;
  const std::uint64_t per_iteration = static_cast<std::uint64_t>(state.range(0));
  braid::Options o;
  o.executions = per_iteration;
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  std::uint64_t steps = 0, executions = 0, pairs = 0;
  Clock::duration explore_time{}, pair_time{};
  PingFiber ping;
  const long rss_before = peak_rss_kib();
  for (auto _ : state) {
    const Clock::time_point t0 = Clock::now();
    braid::Report r = braid::explore(o, s3_body);
    const Clock::time_point t1 = Clock::now();
    state.PauseTiming();
    for (std::uint64_t i = 0; i < kPairsPerIteration; ++i) ping.switch_pair();
    pair_time += Clock::now() - t1;
    explore_time += t1 - t0;
    pairs += kPairsPerIteration;
    state.ResumeTiming();
    if (!r.ok) state.SkipWithError(r.to_string().c_str());
    steps += r.steps;
    executions += r.executions;
    o.seed += 1;
  }
  state.counters["executions_per_s"] = benchmark::Counter(static_cast<double>(executions), benchmark::Counter::kIsRate);
  state.counters["ns_per_step"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate |
                                                                                   benchmark::Counter::kInvert);
  // Seconds, as the inverted rate counters are.
  const double pair_seconds = std::chrono::duration<double>(pair_time).count() / static_cast<double>(pairs ? pairs : 1);
  const double step_seconds =
      std::chrono::duration<double>(explore_time).count() / static_cast<double>(steps ? steps : 1);
  state.counters["ns_per_switch_pair"] = pair_seconds;
  state.counters["step_per_switch_pair"] = step_seconds / pair_seconds;
  state.counters["steps_per_execution"] = static_cast<double>(steps) / static_cast<double>(executions ? executions : 1);
  state.counters["rss_growth_kib"] = static_cast<double>(peak_rss_kib() - rss_before);
}
BENCHMARK(BM_S3Random)->Arg(1000)->Unit(benchmark::kMillisecond);

// Memory stays flat: 1,000,000 executions, peak RSS growth reported (the goal
// is under 10 MiB, i.e. rss_growth_kib < 10240). Filter it out for quick runs:
// --benchmark_filter='SwitchPair|S3Random'.
void BM_S3Memory(benchmark::State& state) {
  braid::Options o;
  o.executions = static_cast<std::uint64_t>(state.range(0));
  o.apply_environment = false;
  o.time_budget = std::chrono::milliseconds(0);
  braid::explore([&] { braid::Options w = o; w.executions = 1000; return w; }(), s3_body);  // warm up the pools
  const long rss_before = peak_rss_kib();
  for (auto _ : state) {
    braid::Report r = braid::explore(o, s3_body);
    if (!r.ok) state.SkipWithError(r.to_string().c_str());
  }
  state.counters["executions"] = static_cast<double>(o.executions);
  state.counters["rss_growth_kib"] = static_cast<double>(peak_rss_kib() - rss_before);
}
BENCHMARK(BM_S3Memory)->Arg(1000000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
