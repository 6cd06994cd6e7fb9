// scenarios/generators/rlock_gen.h
// -----------------------------------------------------------------------------
// Generated RLock programs.
//
//   ReentrancyProgram      1-4 threads, each some rounds of: take the RLock to a
//                          nesting depth (1-5), increment a shared counter at
//                          the innermost level, give it back one level at a
//                          time. Property: never a deadlock; at every level
//                          the thread still owns the lock until the matching
//                          last release; nobody else is inside meanwhile; the
//                          counter ends at the sum of rounds; the lock is
//                          free at the end.
//   NonOwnerReleaseProgram the owner holds the RLock to some depth while other
//                          threads try to release it. Property: each such
//                          release raises RuntimeError and the owner still
//                          holds the lock at the same depth.
//
// The checks need Python's `acquire()` / `release()` plus `is_owned()` (Python's
// `RLock._is_owned()`).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_RLOCK_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_RLOCK_GEN_H_

#include <cstdint>
#include <ostream>
#include <vector>

#include "braid/errors.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::gen {

struct ReentrantThread {
  int rounds = 1;
  std::vector<int> depths;  // nesting depth of each round
};

struct ReentrancyProgram {
  std::vector<ReentrantThread> threads;
  bool pct = false;
  std::uint64_t seed = 0;
};

inline void showValue(const ReentrancyProgram& p, std::ostream& os) {
  os << "ReentrancyProgram{threads=";
  show_list(p.threads, os, [](const ReentrantThread& t, std::ostream& o) {
    o << "{depths=";
    show_int_list(t.depths, o);
    o << '}';
  });
  os << ", strategy=" << (p.pct ? "pct" : "random") << ", seed=" << p.seed << '}';
}

inline rc::Gen<ReentrancyProgram> reentrancy_program() {
  return rc::gen::exec([] {
    ReentrancyProgram p;
    const int n = *rc::gen::inRange(1, 5);
    for (int i = 0; i < n; ++i) {
      ReentrantThread t;
      t.depths = *rc::gen::container<std::vector<int>>(
          static_cast<std::size_t>(*rc::gen::inRange(1, 4)), rc::gen::inRange(1, 6));
      t.rounds = static_cast<int>(t.depths.size());
      p.threads.push_back(t);
    }
    p.pct = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

template <class RLockT>
CheckResult check_reentrancy(const ReentrancyProgram& p, const CaseBudget& budget = {}) {
  const Options o = case_options(p.seed, budget, p.pct ? Strategy::pct(3) : Strategy::random());
  return explore_case(o, [&p] {
    RLockT lock;
    Shared<int> counter{0};
    Atomic<int> inside{0};  // threads between their first acquire and last release
    int expected = 0;
    std::vector<Thread> threads;
    for (const ReentrantThread& t : p.threads) {
      expected += t.rounds;
      threads.emplace_back([&lock, &counter, &inside, t] {
        for (int depth : t.depths) {
          for (int level = 1; level <= depth; ++level) {
            lock.acquire();
            if (level == 1) {
              BRAID_ASSERT(inside.fetch_add(1) == 0, "two threads inside the RLock");
            }
            BRAID_ASSERT(lock.is_owned(), "not owned after acquire at level ", level);
          }
          counter.store(counter.load() + 1);
          for (int level = depth; level >= 1; --level) {
            if (level == 1) inside.fetch_sub(1);
            lock.release();
            if (level > 1) {
              BRAID_ASSERT(lock.is_owned(), "free after ", depth - level + 1, " of ", depth,
                           " releases");
            }
          }
          BRAID_ASSERT(!lock.is_owned(), "still owned after all ", depth, " releases");
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    BRAID_ASSERT(counter.load() == expected, "counter is ", counter.load(), ", expected ", expected);
    BRAID_ASSERT(lock.acquire(false), "the RLock is not free after every thread released it");
    lock.release();
  });
}

struct NonOwnerReleaseProgram {
  int depth = 1;     // the owner's nesting depth
  int intruders = 1;  // threads that try to release it (1-3)
  std::uint64_t seed = 0;
};

inline void showValue(const NonOwnerReleaseProgram& p, std::ostream& os) {
  os << "NonOwnerReleaseProgram{depth=" << p.depth << ", intruders=" << p.intruders
     << ", seed=" << p.seed << '}';
}

inline rc::Gen<NonOwnerReleaseProgram> non_owner_release_program() {
  return rc::gen::exec([] {
    NonOwnerReleaseProgram p;
    p.depth = *rc::gen::inRange(1, 5);
    p.intruders = *rc::gen::inRange(1, 4);
    p.seed = *seed_gen();
    return p;
  });
}

// The owner (a started thread) takes the lock `depth` times, lets the
// intruders try to release it, then checks it still owns the lock and that
// exactly `depth` releases free it.
template <class RLockT>
CheckResult check_non_owner_release(const NonOwnerReleaseProgram& p, const CaseBudget& budget = {}) {
  const Options o = case_options(p.seed, budget);
  return explore_case(o, [&p] {
    RLockT lock;
    Atomic<int> refused{0};
    Thread owner([&] {
      for (int i = 0; i < p.depth; ++i) lock.acquire();
      std::vector<Thread> intruders;
      for (int i = 0; i < p.intruders; ++i) {
        intruders.emplace_back([&] {
          try {
            lock.release();
          } catch (const RuntimeError&) {
            refused.fetch_add(1);
          }
        });
      }
      for (Thread& t : intruders) t.start();
      for (Thread& t : intruders) t.join();
      BRAID_ASSERT(refused.load() == p.intruders, refused.load(), " of ", p.intruders,
                   " non-owner releases raised RuntimeError");
      for (int i = 0; i < p.depth; ++i) {
        BRAID_ASSERT(lock.is_owned(), "owner lost the lock after ", i, " of ", p.depth, " releases");
        lock.release();
      }
      BRAID_ASSERT(!lock.is_owned(), "still owned after ", p.depth, " releases");
    });
    owner.start();
    owner.join();
    BRAID_ASSERT(lock.acquire(false), "the RLock is not free after its owner released it");
    lock.release();
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::ReentrancyProgram> {
  static Gen<braid::gen::ReentrancyProgram> arbitrary() { return braid::gen::reentrancy_program(); }
};
template <>
struct Arbitrary<braid::gen::NonOwnerReleaseProgram> {
  static Gen<braid::gen::NonOwnerReleaseProgram> arbitrary() {
    return braid::gen::non_owner_release_program();
  }
};
}  // namespace rc

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#endif  // BRAID_SCENARIOS_GENERATORS_RLOCK_GEN_H_
