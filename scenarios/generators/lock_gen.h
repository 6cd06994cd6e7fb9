// scenarios/generators/lock_gen.h
// -----------------------------------------------------------------------------
// Generated Lock programs.
//
//   BalanceProgram       2-4 threads, each a number of iterations that add an
//                        amount to a shared balance and take it away again,
//                        every update under one lock. Property: no data race
//                        and the balance ends at zero. Explored by random or
//                        PCT scheduling, or exhaustively (dfs) when it is tiny
//                        (at most 5 iterations in all).
//   SelfDeadlockProgram  1-3 threads take the lock in turn; one of them takes
//                        it a second time while holding it. Property: braid
//                        reports a deadlock (a plain Lock is not reentrant).
//
// check_balance<LockT> and check_self_deadlock<LockT> work for any type with
// Python's `acquire()` / `release()`.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_LOCK_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_LOCK_GEN_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::gen {

// One updating thread of the balance program.
struct BalanceThread {
  int iterations = 1;
  int amount = 1;
};

enum class Sched : std::uint8_t { kRandom, kPct, kDfs };

struct BalanceProgram {
  std::vector<BalanceThread> threads;
  Sched sched = Sched::kRandom;  // kDfs applies to tiny programs only (see balance_strategy)
  std::uint64_t seed = 0;
};

// The strategy a balance program is explored with: dfs when asked for and the
// program is tiny (every interleaving then takes at most a few hundred
// executions), else PCT (depth 3) or random.
inline Strategy balance_strategy(const BalanceProgram& p) {
  int work = 0;
  for (const BalanceThread& t : p.threads) work += t.iterations;
  if (p.sched == Sched::kDfs && work <= 5) return Strategy::dfs();
  return p.sched == Sched::kPct ? Strategy::pct(3) : Strategy::random();
}

inline void showValue(const BalanceProgram& p, std::ostream& os) {
  os << "BalanceProgram{threads=";
  show_list(p.threads, os, [](const BalanceThread& t, std::ostream& o) {
    o << "{iterations=" << t.iterations << ", amount=" << t.amount << '}';
  });
  const Strategy s = balance_strategy(p);
  os << ", strategy="
     << (s.kind == Strategy::Kind::kDfs ? "dfs" : s.kind == Strategy::Kind::kPct ? "pct" : "random")
     << ", seed=" << p.seed << '}';
}

inline rc::Gen<BalanceProgram> balance_program() {
  return rc::gen::exec([] {
    BalanceProgram p;
    const int n = *rc::gen::inRange(2, 5);
    for (int i = 0; i < n; ++i) {
      BalanceThread t;
      t.iterations = *rc::gen::inRange(1, 4);
      t.amount = *rc::gen::inRange(-100, 101);
      p.threads.push_back(t);
    }
    p.sched = *rc::gen::element(Sched::kRandom, Sched::kPct, Sched::kDfs);
    p.seed = *seed_gen();
    return p;
  });
}

// Balance stays zero: every update happens under the lock, so the detector
// sees no race and no update is lost.
template <class LockT>
CheckResult check_balance(const BalanceProgram& p, const CaseBudget& budget = {}) {
  const Options o = case_options(p.seed, budget, balance_strategy(p));
  return explore_case(o, [&p] {
    Shared<long> balance{0};
    LockT lock;
    std::vector<Thread> threads;
    for (const BalanceThread& t : p.threads) {
      threads.emplace_back([&balance, &lock, t] {
        for (int i = 0; i < t.iterations; ++i) {
          lock.acquire();
          balance.store(balance.load() + t.amount);
          balance.store(balance.load() - t.amount);
          lock.release();
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    BRAID_ASSERT(balance.load() == 0, "balance is ", balance.load(), ", not 0");
  });
}

struct SelfDeadlockProgram {
  int threads = 1;      // threads taking the lock once each (besides the offender)
  int offender = 0;     // index (0..threads) of the thread that re-acquires
  bool nested_in_loop = false;  // re-acquire on the second of two rounds
  std::uint64_t seed = 0;
};

inline void showValue(const SelfDeadlockProgram& p, std::ostream& os) {
  os << "SelfDeadlockProgram{threads=" << p.threads << ", offender=" << p.offender
     << ", nested_in_loop=" << p.nested_in_loop << ", seed=" << p.seed << '}';
}

inline rc::Gen<SelfDeadlockProgram> self_deadlock_program() {
  return rc::gen::exec([] {
    SelfDeadlockProgram p;
    p.threads = *rc::gen::inRange(1, 4);
    p.offender = *rc::gen::inRange(0, p.threads);
    p.nested_in_loop = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

// A plain lock re-acquired by its owner (blocking, no timeout) never returns:
// braid must report the execution as a deadlock.
template <class LockT>
CheckResult check_self_deadlock(const SelfDeadlockProgram& p, const CaseBudget& budget = {}) {
  const Options o = case_options(p.seed, budget);
  return expect_failure_case(FailureKind::kDeadlock, o, [&p] {
    LockT lock;
    std::vector<Thread> threads;
    for (int i = 0; i < p.threads; ++i) {
      const bool offends = i == p.offender;
      threads.emplace_back([&lock, offends, &p] {
        const int rounds = p.nested_in_loop ? 2 : 1;
        for (int r = 0; r < rounds; ++r) {
          lock.acquire();
          if (offends && r == rounds - 1) lock.acquire();  // the bug: not reentrant
          lock.release();
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::BalanceProgram> {
  static Gen<braid::gen::BalanceProgram> arbitrary() { return braid::gen::balance_program(); }
};
template <>
struct Arbitrary<braid::gen::SelfDeadlockProgram> {
  static Gen<braid::gen::SelfDeadlockProgram> arbitrary() { return braid::gen::self_deadlock_program(); }
};
}  // namespace rc

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#endif  // BRAID_SCENARIOS_GENERATORS_LOCK_GEN_H_
