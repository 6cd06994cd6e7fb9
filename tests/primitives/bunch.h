// tests/primitives/bunch.h
// Helpers shared by the primitives' tests, after CPython's lock_tests.py.
#ifndef BRAID_TESTS_PRIMITIVES_BUNCH_H_
#define BRAID_TESTS_PRIMITIVES_BUNCH_H_

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "braid/thread.h"

namespace braid::testing_support {

// Runs `f` on `n` braid threads and joins them (Python's Bunch).
inline void run_bunch(int n, const std::function<void()>& f) {
  std::vector<Thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(f);
  for (auto& t : threads) t.start();
  for (auto& t : threads) t.join();
}

// Gives `n` threads time to block (Python's wait_threads_blocked). Only ever
// lets a test pass more reliably; no assertion depends on the duration.
inline void let_threads_block(int n) { std::this_thread::sleep_for(std::chrono::milliseconds(10) * n); }

}  // namespace braid::testing_support

#endif  // BRAID_TESTS_PRIMITIVES_BUNCH_H_
