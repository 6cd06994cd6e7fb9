// The counter programs S1 and S2 (see programs/counters.h).
#include <memory>
#include <vector>

#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "programs/counters.h"

// Locks are taken and released inside lambdas run as logical threads: clang's
// static thread-safety analysis cannot follow them.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::programs {
namespace {

template <typename Increment>
void run_threads(int threads, int iterations, Increment increment) {
  std::vector<std::unique_ptr<Thread>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Thread>([&] {
      for (int k = 0; k < iterations; ++k) increment();
    }));
  }
  for (auto& w : workers) w->start();
  for (auto& w : workers) w->join();
}

}  // namespace

void locked_counter(int threads, int iterations) {
  Lock lock;
  Shared<int> counter{0};
  run_threads(threads, iterations, [&] {
    lock.acquire();
    const int v = counter.load();
    counter.store(v + 1);
    lock.release();
  });
  BRAID_ASSERT(counter.load() == threads * iterations, "counter is ", counter.load());
}

void racy_atomic_counter(int threads, int iterations) {
  Atomic<int> counter{0};
  run_threads(threads, iterations, [&] {
    const int v = counter.load();
    counter.store(v + 1);
  });
  BRAID_ASSERT(counter.load() == threads * iterations, "counter is ", counter.load());
}

}  // namespace braid::programs
