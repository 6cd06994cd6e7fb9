// bench/primitives_bench.cc
// -----------------------------------------------------------------------------
// braid's primitives on the OS runtime against their C++ standard-library
// counterparts, and the tutorial's programs (whose CPython versions live in
// bench/python_baseline.py). ci/bench runs this and bench/compare.py turns the
// results into the goal table:
//
//   Lock acquire+release, uncontended      within 1.2x of std::mutex
//   RLock acquire+release, uncontended     within 1.5x of std::recursive_mutex
//   2 threads x 1e6 locked increments      within 1.5x of std::mutex
//   balance (2 x 100,000 locked updates)   at least 20x faster than CPython
//   Queue<int> 1 -> 1, 100,000 items       at least 20x faster than CPython
//
// The contended benchmark uses std::thread for both sides so that only the
// lock differs; the tutorial programs use braid::Thread, as their Python
// twins use threading.Thread.
// -----------------------------------------------------------------------------
#include <benchmark/benchmark.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "braid/lock.h"
#include "braid/queue.h"
#include "braid/rlock.h"
#include "braid/thread.h"

namespace {

constexpr int kContendedIncrements = 1'000'000;  // per thread
constexpr int kBalanceUpdates = 100'000;         // per thread
constexpr int kQueueItems = 100'000;

// -- Uncontended ----------------------------------------------------------------

void BM_Lock_Uncontended(benchmark::State& state) {
  braid::Lock lock;
  for (auto _ : state) {
    lock.acquire();
    benchmark::ClobberMemory();
    lock.release();
  }
}
BENCHMARK(BM_Lock_Uncontended);

void BM_StdMutex_Uncontended(benchmark::State& state) {
  std::mutex mu;
  for (auto _ : state) {
    mu.lock();
    benchmark::ClobberMemory();
    mu.unlock();
  }
}
BENCHMARK(BM_StdMutex_Uncontended);

void BM_RLock_Uncontended(benchmark::State& state) {
  braid::RLock lock;
  for (auto _ : state) {
    lock.acquire();
    benchmark::ClobberMemory();
    lock.release();
  }
}
BENCHMARK(BM_RLock_Uncontended);

void BM_StdRecursiveMutex_Uncontended(benchmark::State& state) {
  std::recursive_mutex mu;
  for (auto _ : state) {
    mu.lock();
    benchmark::ClobberMemory();
    mu.unlock();
  }
}
BENCHMARK(BM_StdRecursiveMutex_Uncontended);

// -- Contended: 2 threads x 1e6 increments under one lock ------------------------

template <typename Mutex>
void contended_increments(benchmark::State& state) {
  for (auto _ : state) {
    Mutex mu;
    long counter = 0;
    auto body = [&] {
      for (int i = 0; i < kContendedIncrements; ++i) {
        std::scoped_lock guard(mu);
        ++counter;
      }
    };
    std::thread a(body);
    std::thread b(body);
    a.join();
    b.join();
    if (counter != 2L * kContendedIncrements) state.SkipWithError("lost updates");
    benchmark::DoNotOptimize(counter);
  }
}

void BM_Lock_Contended2x1e6(benchmark::State& state) { contended_increments<braid::Lock>(state); }
BENCHMARK(BM_Lock_Contended2x1e6)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StdMutex_Contended2x1e6(benchmark::State& state) { contended_increments<std::mutex>(state); }
BENCHMARK(BM_StdMutex_Contended2x1e6)->Unit(benchmark::kMillisecond)->UseRealTime();

// -- The tutorial's balance program ------------------------------------------------

// Python:
//   balance = 0; lock = threading.Lock()
//   def deposit():  for _ in range(100_000): with lock: balance += 1
//   def withdraw(): for _ in range(100_000): with lock: balance -= 1
//   t1, t2 = Thread(target=deposit), Thread(target=withdraw); start; join
void BM_Balance(benchmark::State& state) {
  for (auto _ : state) {
    braid::Lock lock;
    long balance = 0;
    auto update = [&](long delta) {
      for (int i = 0; i < kBalanceUpdates; ++i) {
        std::scoped_lock guard(lock);
        balance += delta;
      }
    };
    braid::Thread deposit(update, 1L);
    braid::Thread withdraw(update, -1L);
    deposit.start();
    withdraw.start();
    deposit.join();
    withdraw.join();
    if (balance != 0) state.SkipWithError("balance is not zero");
    benchmark::DoNotOptimize(balance);
  }
}
BENCHMARK(BM_Balance)->Unit(benchmark::kMillisecond)->UseRealTime();

// -- Queue<int>: one producer, one consumer -----------------------------------------

void BM_Queue_1P1C(benchmark::State& state) {
  for (auto _ : state) {
    braid::queue::Queue<int> q(0);
    long sum = 0;
    braid::Thread producer([&q] {
      for (int i = 0; i < kQueueItems; ++i) q.put(i);
    });
    braid::Thread consumer([&q, &sum] {
      for (int i = 0; i < kQueueItems; ++i) sum += q.get();
    });
    producer.start();
    consumer.start();
    producer.join();
    consumer.join();
    if (sum != static_cast<long>(kQueueItems) * (kQueueItems - 1) / 2) state.SkipWithError("lost items");
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_Queue_1P1C)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
