// An installed-braid consumer: two threads update a balance under a Lock.
#include <cstdio>
#include <mutex>

#include <braid/lock.h>
#include <braid/thread.h>

int main() {
  braid::Lock lock;
  long balance = 0;
  auto update = [&](long delta) {
    for (int i = 0; i < 10'000; ++i) {
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
  if (balance != 0) {
    std::printf("braid consumer: balance %ld, expected 0\n", balance);
    return 1;
  }
  std::printf("braid consumer: ok\n");
  return 0;
}
