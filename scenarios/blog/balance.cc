// The tutorial's bank balance: two threads each add and then subtract their
// amount, many times; the balance must end (and stay, between updates) at 0.
//
//   balance = 0
//   def change_it(n):
//       global balance
//       balance = balance + n
//       balance = balance - n
//   def run_thread(n):
//       for i in range(100000):
//           lock.acquire()
//           try: change_it(n)
//           finally: lock.release()
//
// Three variants: with one shared Lock (passes), without a lock (a data race
// that loses updates), and with `with threading.Lock():` — a fresh lock each
// iteration, so nobody is ever excluded (the tutorial's own bug).
#include <mutex>

#include "blog/scenario.h"
#include "braid/threading.h"
#include "braid/tracked.h"

namespace braid::blog {
namespace {

constexpr int kIterations = 3;

// `balance = balance + n`, spelled with load()/store() so that reports name
// these lines (an implicit conversion cannot carry its caller's location).
void change_it(Shared<int>& balance, int n) {
  balance.store(balance.load() + n);
  balance.store(balance.load() - n);
}

void balance_program(int mode) {
  Shared<int> balance{0};
  Lock shared_lock;
  auto run_thread = [&](int n) {
    for (int i = 0; i < kIterations; ++i) {
      if (mode == 0) {  // lock.acquire(); try: change_it(n) finally: lock.release()
        std::scoped_lock guard(shared_lock);
        change_it(balance, n);
        BRAID_ASSERT(balance == 0, "balance is ", balance.load(), " inside the lock");
      } else if (mode == 1) {  // no lock at all
        change_it(balance, n);
      } else {  // with threading.Lock(): a new lock every iteration
        Lock fresh;
        std::scoped_lock guard(fresh);
        change_it(balance, n);
      }
    }
  };
  Thread t1(run_thread, 5);
  Thread t2(run_thread, 8);
  t1.start();
  t2.start();
  t1.join();
  t2.join();
  BRAID_ASSERT(balance == 0, "balance ended at ", balance.load(), ", not 0");
}

}  // namespace

void add_balance_scenarios(std::vector<Scenario>& out) {
  out.push_back({"balance-lock",
                 "two threads change a shared balance under one Lock: it stays 0",
                 "with lock: balance = balance + n; balance = balance - n", Verdict::kPass,
                 FailureKind::kNone, [] { balance_program(0); }});
  out.push_back({"balance-nolock",
                 "the same without a lock: the read-modify-writes race and updates are lost",
                 "balance = balance + n  # no lock", Verdict::kFail, FailureKind::kDataRace,
                 [] { balance_program(1); }});
  out.push_back({"balance-fresh-lock",
                 "`with threading.Lock():` makes a new lock each time, so it excludes nobody",
                 "with threading.Lock(): change_it(n)", Verdict::kFail, FailureKind::kDataRace,
                 [] { balance_program(2); }});
}

}  // namespace braid::blog
