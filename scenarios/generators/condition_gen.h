// scenarios/generators/condition_gen.h
// -----------------------------------------------------------------------------
// Generated Condition programs.
//
//   NotifyProgram  1-4 waiter threads each wait() once on a Condition; when all
//                  of them wait, the main thread calls notify(n) (n in 0-5).
//                  Property: exactly min(n, waiters) waiters wake up for that
//                  notify (then notify_all() releases the rest). A lost
//                  notify leaves the main thread waiting for a wake-up that
//                  never comes: the execution ends at the step limit.
//
// check_notify<CondT> needs a default-constructible CondT with `acquire()`,
// `release()`, `wait()`, `notify(n)` and `notify_all()`. Spurious wake-ups are
// off (the model's default), so wait() returns only when notified.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_CONDITION_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_CONDITION_GEN_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/thread.h"
#include "generators/common.h"

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::gen {

struct NotifyProgram {
  int waiters = 1;
  int n = 1;
  std::uint64_t seed = 0;
};

inline void showValue(const NotifyProgram& p, std::ostream& os) {
  os << "NotifyProgram{waiters=" << p.waiters << ", n=" << p.n << ", seed=" << p.seed << '}';
}

inline rc::Gen<NotifyProgram> notify_program() {
  return rc::gen::exec([] {
    NotifyProgram p;
    p.waiters = *rc::gen::inRange(1, 5);
    p.n = *rc::gen::inRange(0, 6);
    p.seed = *seed_gen();
    return p;
  });
}

template <class CondT>
CheckResult check_notify(const NotifyProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    using namespace std::chrono_literals;
    CondT cond;
    // All guarded by `cond`'s lock.
    int waiting = 0, woken_by_notify = 0, woken_later = 0;
    bool later = false;
    std::vector<Thread> waiters;
    for (int i = 0; i < p.waiters; ++i) {
      waiters.emplace_back([&] {
        cond.acquire();
        ++waiting;
        cond.wait();
        ++(later ? woken_later : woken_by_notify);
        cond.release();
      });
    }
    for (Thread& t : waiters) t.start();
    for (;;) {  // until every waiter waits
      cond.acquire();
      if (waiting == p.waiters) break;
      cond.release();
      braid::sleep(1ms);
    }
    cond.notify(static_cast<std::size_t>(p.n));
    cond.release();
    const int expected = std::min(p.n, p.waiters);
    for (;;) {  // until the notified ones woke up
      cond.acquire();
      if (woken_by_notify >= expected) break;
      cond.release();
      braid::sleep(1ms);
    }
    later = true;
    cond.notify_all();
    cond.release();
    for (Thread& t : waiters) t.join();
    BRAID_ASSERT(woken_by_notify == expected, "notify(", p.n, ") with ", p.waiters, " waiters woke ",
                 woken_by_notify, ", expected ", expected);
    BRAID_ASSERT(woken_by_notify + woken_later == p.waiters, "only ", woken_by_notify + woken_later,
                 " of ", p.waiters, " waiters woke up");
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::NotifyProgram> {
  static Gen<braid::gen::NotifyProgram> arbitrary() { return braid::gen::notify_program(); }
};
}  // namespace rc

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#endif  // BRAID_SCENARIOS_GENERATORS_CONDITION_GEN_H_
