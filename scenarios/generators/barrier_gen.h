// scenarios/generators/barrier_gen.h
// -----------------------------------------------------------------------------
// Generated Barrier programs.
//
//   BarrierProgram  2-4 threads (the barrier's parties) pass one Barrier some
//                   rounds (1-3); before each wait() a thread counts its
//                   arrival for the round. Property: nobody passes a round
//                   before every party arrived at it, and the indices wait()
//                   returns in a round are 0..parties-1, each once.
//
// check_barrier<BarrierT> needs BarrierT(parties) and `std::size_t wait()`.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_BARRIER_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_BARRIER_GEN_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/thread.h"
#include "generators/common.h"

namespace braid::gen {

struct BarrierProgram {
  int parties = 2;
  int rounds = 1;
  std::uint64_t seed = 0;
};

inline void showValue(const BarrierProgram& p, std::ostream& os) {
  os << "BarrierProgram{parties=" << p.parties << ", rounds=" << p.rounds << ", seed=" << p.seed << '}';
}

inline rc::Gen<BarrierProgram> barrier_program() {
  return rc::gen::exec([] {
    BarrierProgram p;
    p.parties = *rc::gen::inRange(2, 5);
    p.rounds = *rc::gen::inRange(1, 4);
    p.seed = *seed_gen();
    return p;
  });
}

template <class BarrierT>
CheckResult check_barrier(const BarrierProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    BarrierT barrier(p.parties);
    // The arrival counts are bumped by every party before its wait(), with no
    // synchronisation between the parties: std::atomic, which the model does
    // not schedule (ThreadSanitizer inside the model sees the plain ints race).
    std::vector<std::atomic<int>> arrived(static_cast<std::size_t>(p.rounds));
    // Plain data: each round's vector is appended to after wait() returns,
    // in an order the barrier's happens-before edges fix.
    std::vector<std::vector<std::size_t>> indices(static_cast<std::size_t>(p.rounds));
    std::vector<Thread> threads;
    for (int i = 0; i < p.parties; ++i) {
      threads.emplace_back([&] {
        for (std::size_t r = 0; r < arrived.size(); ++r) {
          ++arrived[r];
          const std::size_t index = barrier.wait();
          const int seen = arrived[r].load();
          BRAID_ASSERT(seen == p.parties, "a thread passed round ", r, " when only ", seen,
                       " of ", p.parties, " parties had arrived");
          indices[r].push_back(index);
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    for (std::size_t r = 0; r < indices.size(); ++r) {
      std::vector<std::size_t> got = indices[r];
      std::sort(got.begin(), got.end());
      bool permutation = got.size() == static_cast<std::size_t>(p.parties);
      for (std::size_t i = 0; permutation && i < got.size(); ++i) permutation = got[i] == i;
      BRAID_ASSERT(permutation, "round ", r, "'s wait() indices are not 0..", p.parties - 1);
    }
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::BarrierProgram> {
  static Gen<braid::gen::BarrierProgram> arbitrary() { return braid::gen::barrier_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_BARRIER_GEN_H_
