// scenarios/generators/event_gen.h
// -----------------------------------------------------------------------------
// Generated Event programs.
//
//   SetClearProgram  1-4 waiter threads announce themselves and wait() on an
//                    Event; once every waiter has announced, a setter (the
//                    main thread or a thread of its own) calls set() and at
//                    once clear(), some rounds. Property: every waiter wakes
//                    up (wait() returns true) although the event is clear
//                    again when it runs; the event ends clear.
//
// Announcing and entering wait() are atomic under the model (no scheduling
// point between an Atomic's update and the Event's own step), so a waiter
// that announced is waiting when set() runs. A waiter that misses its
// wake-up is blocked for ever while the setter waits for it: the execution
// ends at the step limit.
//
// check_set_clear<EventT> needs a default-constructible EventT with `set()`,
// `clear()`, `wait()` and `is_set()`.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_EVENT_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_EVENT_GEN_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

namespace braid::gen {

struct SetClearProgram {
  int waiters = 1;
  int rounds = 1;             // set/clear rounds; each round every waiter waits once
  bool setter_thread = false;  // set/clear from a thread of its own, not main
  std::uint64_t seed = 0;
};

inline void showValue(const SetClearProgram& p, std::ostream& os) {
  os << "SetClearProgram{waiters=" << p.waiters << ", rounds=" << p.rounds
     << ", setter_thread=" << p.setter_thread << ", seed=" << p.seed << '}';
}

inline rc::Gen<SetClearProgram> set_clear_program() {
  return rc::gen::exec([] {
    SetClearProgram p;
    p.waiters = *rc::gen::inRange(1, 5);
    p.rounds = *rc::gen::inRange(1, 3);
    p.setter_thread = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

template <class EventT>
CheckResult check_set_clear(const SetClearProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    using namespace std::chrono_literals;
    EventT event;
    Atomic<int> waiting{0};  // announcements, over all rounds
    Atomic<int> woken{0};
    std::vector<Thread> waiters;
    for (int i = 0; i < p.waiters; ++i) {
      waiters.emplace_back([&] {
        for (int r = 0; r < p.rounds; ++r) {
          // Wait for the previous round's set/clear to be over.
          while (woken.load() < r * p.waiters) braid::sleep(1ms);
          waiting.fetch_add(1);
          const bool ok = event.wait();
          BRAID_ASSERT(ok, "Event.wait() without timeout returned false");
          woken.fetch_add(1);
        }
      });
    }
    auto setter = [&] {
      for (int r = 1; r <= p.rounds; ++r) {
        while (waiting.load() < r * p.waiters) braid::sleep(1ms);
        event.set();
        event.clear();
        while (woken.load() < r * p.waiters) braid::sleep(1ms);
      }
    };
    for (Thread& t : waiters) t.start();
    if (p.setter_thread) {
      Thread s(setter);
      s.start();
      s.join();
    } else {
      setter();
    }
    for (Thread& t : waiters) t.join();
    BRAID_ASSERT(!event.is_set(), "the event is set after its last clear()");
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::SetClearProgram> {
  static Gen<braid::gen::SetClearProgram> arbitrary() { return braid::gen::set_clear_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_EVENT_GEN_H_
