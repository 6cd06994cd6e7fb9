// tests/tsan/racy_balance.cc
// -----------------------------------------------------------------------------
// The tutorial's balance program, built with -fsanitize=thread for
// tsan_proof_test.cc. `racy_balance racy` updates a plain int from two
// braid::Threads without a lock (a data race ThreadSanitizer must report);
// `racy_balance locked` is the same program with every update under a
// braid::Lock (ThreadSanitizer must stay silent).
//
// Both threads first meet at a relaxed-atomic rendezvous, which creates no
// happens-before edge, so their updates overlap in time whatever the
// scheduler does and the race cannot hide behind thread start-up.
// -----------------------------------------------------------------------------
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "braid/lock.h"
#include "braid/thread.h"

namespace {

constexpr int kUpdates = 100'000;

int balance = 0;
braid::Lock lock;
std::atomic<int> arrived{0};

void rendezvous() {
  arrived.fetch_add(1, std::memory_order_relaxed);
  while (arrived.load(std::memory_order_relaxed) < 2) {
  }
}

// Keeps the compiler from folding the loop into one load and one store: every
// iteration reads and writes `balance`, so the two threads' accesses overlap.
inline void compiler_barrier() { asm volatile("" ::: "memory"); }

void update_racy(int delta) {
  rendezvous();
  for (int i = 0; i < kUpdates; ++i) {
    balance += delta;
    compiler_barrier();
  }
}

void update_locked(int delta) {
  rendezvous();
  for (int i = 0; i < kUpdates; ++i) {
    std::scoped_lock guard(lock);
    balance += delta;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || (std::strcmp(argv[1], "racy") != 0 && std::strcmp(argv[1], "locked") != 0)) {
    std::fprintf(stderr, "usage: %s racy|locked\n", argv[0]);
    return 2;
  }
  void (*update)(int) = std::strcmp(argv[1], "racy") == 0 ? update_racy : update_locked;
  braid::Thread deposit(update, 1);
  braid::Thread withdraw(update, -1);
  deposit.start();
  withdraw.start();
  deposit.join();
  withdraw.join();
  std::printf("balance=%d\n", balance);
  return 0;
}
