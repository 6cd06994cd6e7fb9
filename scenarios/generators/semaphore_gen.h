// scenarios/generators/semaphore_gen.h
// -----------------------------------------------------------------------------
// Generated Semaphore and BoundedSemaphore programs.
//
//   AccountingProgram  a Semaphore(initial), 2-4 threads each a sequence of
//                      non-blocking acquires, timed acquires and release(n).
//                      After the joins the main thread drains what is left
//                      with non-blocking acquires. Property: successes =
//                      initial + released units - outstanding units (the
//                      drained ones), i.e. acquires + drained = initial +
//                      releases.
//   GateProgram        a BoundedSemaphore(bound) guards a section that 2-4
//                      threads enter some rounds each. Property: never more
//                      than `bound` threads inside; one release too many
//                      raises ValueError.
//
// The checks need SemT(initial), `acquire(blocking, timeout)` and
// `release(n)`; the over-release must throw braid::ValueError.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_SEMAPHORE_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_SEMAPHORE_GEN_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/errors.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

namespace braid::gen {

// One semaphore operation: 0 try-acquire, 1 timed acquire, n >= 2: release(n - 1).
using SemOp = int;

struct AccountingProgram {
  int initial = 0;
  std::vector<std::vector<SemOp>> threads;
  std::uint64_t seed = 0;
};

inline void showValue(const AccountingProgram& p, std::ostream& os) {
  os << "AccountingProgram{initial=" << p.initial << ", threads=";
  show_list(p.threads, os, [](const std::vector<SemOp>& ops, std::ostream& o) {
    show_list(ops, o, [](SemOp op, std::ostream& oo) {
      if (op == 0) {
        oo << "try";
      } else if (op == 1) {
        oo << "timed";
      } else {
        oo << "release(" << op - 1 << ')';
      }
    });
  });
  os << ", seed=" << p.seed << '}';
}

inline rc::Gen<AccountingProgram> accounting_program() {
  return rc::gen::exec([] {
    AccountingProgram p;
    p.initial = *rc::gen::inRange(0, 4);
    const int n = *rc::gen::inRange(2, 5);
    for (int i = 0; i < n; ++i) {
      p.threads.push_back(*rc::gen::container<std::vector<SemOp>>(
          static_cast<std::size_t>(*rc::gen::inRange(1, 5)), rc::gen::inRange(0, 4)));
    }
    p.seed = *seed_gen();
    return p;
  });
}

template <class SemT>
CheckResult check_accounting(const AccountingProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    using namespace std::chrono_literals;
    SemT sem(p.initial);
    Atomic<int> successes{0}, released{0};
    std::vector<Thread> threads;
    for (const std::vector<SemOp>& ops : p.threads) {
      threads.emplace_back([&, ops] {
        for (SemOp op : ops) {
          if (op >= 2) {
            sem.release(op - 1);
            released.fetch_add(op - 1);
          } else if (op == 0 ? sem.acquire(false, std::nullopt) : sem.acquire(true, Timeout(1ms))) {
            successes.fetch_add(1);
          }
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    int outstanding = 0;
    while (outstanding <= p.initial + released.load() && sem.acquire(false, std::nullopt)) ++outstanding;
    BRAID_ASSERT(successes.load() == p.initial + released.load() - outstanding, successes.load(),
                 " acquires succeeded; initial ", p.initial, " + released ", released.load(),
                 " - outstanding ", outstanding, " = ", p.initial + released.load() - outstanding);
  });
}

struct GateProgram {
  int bound = 1;
  std::vector<int> rounds;  // per thread
  std::uint64_t seed = 0;
};

inline void showValue(const GateProgram& p, std::ostream& os) {
  os << "GateProgram{bound=" << p.bound << ", rounds=";
  show_int_list(p.rounds, os);
  os << ", seed=" << p.seed << '}';
}

inline rc::Gen<GateProgram> gate_program() {
  return rc::gen::exec([] {
    GateProgram p;
    p.bound = *rc::gen::inRange(1, 4);
    p.rounds = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(*rc::gen::inRange(2, 5)),
                                                     rc::gen::inRange(1, 3));
    p.seed = *seed_gen();
    return p;
  });
}

template <class BoundedSemT>
CheckResult check_gate(const GateProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    using namespace std::chrono_literals;
    BoundedSemT gate(p.bound);
    Atomic<int> inside{0};
    std::vector<Thread> threads;
    for (int rounds : p.rounds) {
      threads.emplace_back([&, rounds] {
        for (int r = 0; r < rounds; ++r) {
          gate.acquire(true, std::nullopt);
          const int before = inside.fetch_add(1);
          BRAID_ASSERT(before < p.bound, before + 1, " threads inside a gate of bound ", p.bound);
          braid::sleep(1ms);
          inside.fetch_sub(1);
          gate.release(1);
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    bool raised = false;
    try {
      gate.release(1);
    } catch (const ValueError&) {
      raised = true;
    }
    BRAID_ASSERT(raised, "releasing a full BoundedSemaphore did not raise ValueError");
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::AccountingProgram> {
  static Gen<braid::gen::AccountingProgram> arbitrary() { return braid::gen::accounting_program(); }
};
template <>
struct Arbitrary<braid::gen::GateProgram> {
  static Gen<braid::gen::GateProgram> arbitrary() { return braid::gen::gate_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_SEMAPHORE_GEN_H_
