// scenarios/generators/local_gen.h
// -----------------------------------------------------------------------------
// Generated thread-local programs (braid::Local<T>, Python's threading.local).
//
//   LocalProgram  2-4 threads (and the main thread) each write a sequence of
//                 their own values into one Local and read it back after each
//                 write and again after a scheduling point. Property: every
//                 read returns the reader's own last write, never another
//                 thread's; a thread that never wrote reads the initial
//                 value; every thread's value is destroyed when its thread
//                 ends (only the main thread's is left after the joins).
//
// check_local<LocalT> needs LocalT(std::function<Probe()> init) and
// `Probe& get()`; LocalT is instantiated as Local<Probe>.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_LOCAL_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_LOCAL_GEN_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

namespace braid::gen {

// The value each thread keeps: a number, and a counter of the Probes alive
// (every constructor counts one up, the destructor one down).
// (A default-constructed Probe counts nowhere; Local<T> requires one.)
struct Probe {
  Probe() = default;
  Probe(int v, int* live) : value(v), alive(live) { count(1); }
  Probe(const Probe& o) : value(o.value), alive(o.alive) { count(1); }
  Probe& operator=(const Probe& o) {
    count(-1);
    value = o.value;
    alive = o.alive;
    count(1);
    return *this;
  }
  ~Probe() { count(-1); }
  void count(int d) const {
    if (alive != nullptr) *alive += d;
  }

  int value = 0;
  int* alive = nullptr;
};

struct LocalThread {
  std::vector<int> writes;  // values written, in order (may be empty: reads only)
};

struct LocalProgram {
  std::vector<LocalThread> threads;
  bool main_writes = false;  // the main thread writes its own value first
  std::uint64_t seed = 0;
};

inline void showValue(const LocalProgram& p, std::ostream& os) {
  os << "LocalProgram{threads=";
  show_list(p.threads, os, [](const LocalThread& t, std::ostream& o) { show_int_list(t.writes, o); });
  os << ", main_writes=" << p.main_writes << ", seed=" << p.seed << '}';
}

inline rc::Gen<LocalProgram> local_program() {
  return rc::gen::exec([] {
    LocalProgram p;
    const int n = *rc::gen::inRange(2, 5);
    for (int i = 0; i < n; ++i) {
      LocalThread t;
      t.writes = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(*rc::gen::inRange(0, 4)),
                                                       rc::gen::inRange(1, 1000));
      p.threads.push_back(t);
    }
    p.main_writes = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

template <class LocalT>
CheckResult check_local(const LocalProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    constexpr int kInitial = -7;
    int alive = 0;
    {
      LocalT local([&alive] { return Probe(kInitial, &alive); });
      if (p.main_writes) local.get().value = -1;
      std::vector<Thread> threads;
      for (std::size_t k = 0; k < p.threads.size(); ++k) {
        threads.emplace_back([&local, writes = p.threads[k].writes, k] {
          BRAID_ASSERT(local.get().value == kInitial, "thread ", k, " starts with value ",
                       local.get().value, ", not the initial value");
          for (int v : writes) {
            const int mine = static_cast<int>(k) * 1000 + v;
            local.get().value = mine;
            const int seen = local.get().value;  // another scheduling point before this read
            BRAID_ASSERT(seen == mine, "thread ", k, " wrote ", mine, " and read back ", seen);
          }
        });
      }
      for (Thread& t : threads) t.start();
      for (Thread& t : threads) t.join();
      if (p.main_writes) {
        BRAID_ASSERT(local.get().value == -1, "the main thread's value became ", local.get().value);
      }
      // Every started thread ended: only the main thread's value may be alive.
      BRAID_ASSERT(alive == (p.main_writes ? 1 : 0), alive,
                   " thread-local values alive after every thread ended");
    }
    BRAID_ASSERT(alive == 0, alive, " thread-local values alive after the Local was destroyed");
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::LocalProgram> {
  static Gen<braid::gen::LocalProgram> arbitrary() { return braid::gen::local_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_LOCAL_GEN_H_
