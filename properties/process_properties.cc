// Process properties over generated programs (scenarios/generators/
// process_program.h; the Pool programs below), each checked under
// braid::explore (modelled processes: RapidCheck shrinks the program, braid
// shrinks the schedule and prints its BRAID_REPLAY line) and on real forked
// processes:
//
//   * a child never writes into its parent's memory (and sees the parent's
//     values at its start plus its own writes);
//   * Pool.map (map_async, imap, imap_unordered) equals the sequential map;
//   * an mp::Queue between processes keeps each writer's order, losing and
//     duplicating nothing.
//
// The real-process properties fork for every case, so they run fewer cases
// than RapidCheck's default (kRealCases) unless RC_PARAMS sets max_success;
// each case checks that no descriptor and no child is left behind.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../tests/primitives/leak_check.h"
#include "braid/errors.h"
#include "braid/mp/pool.h"
#include "braid/mp/queue.h"
#include "braid/runtime.h"
#include "braid/thread.h"
#include "generators/process_program.h"

namespace {

using namespace braid;
using namespace braid::gen;

// The number of cases of a real-process property.
constexpr int kRealCases = 50;

// Runs a RapidCheck property as RC_GTEST_PROP does, with at most `cases`
// cases unless RC_PARAMS asked for another max_success. The test id is the
// same ("Case/Name"), so RC_PARAMS="reproduce=..." replays a failure.
template <typename Testable>
void check_with_cases(Testable&& testable, int cases) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_case_name()) + "/" + info->name();
  metadata.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  if (params.maxSuccess == rc::detail::TestParams().maxSuccess) params.maxSuccess = cases;
  const auto result =
      rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(testable)), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    FAIL() << ss.str() << std::endl;
  }
}

#define BRAID_RC_GTEST_PROP_CASES(TestCase, Name, cases, ArgList)                      \
  void braid_prop_##TestCase##_##Name ArgList;                                         \
  TEST(TestCase, Name) { check_with_cases(&braid_prop_##TestCase##_##Name, (cases)); } \
  void braid_prop_##TestCase##_##Name ArgList

// Fails the case when a real run left a descriptor open or a child behind.
class RealRunLeaks {
 public:
  RealRunLeaks() : fds_(braid_test::open_fd_count()) {}
  void check() const {
    const int fds = braid_test::open_fd_count();
    RC_ASSERT(fds == fds_);
    RC_ASSERT(!braid_test::has_children());
  }

 private:
  int fds_;
};

// Fails the case with the runner's mismatch.
void expect_no_mismatch(const Mismatch& m) {
  if (m) RC_FAIL(*m);
}

// --- Pool programs -------------------------------------------------------------
//
// PoolMapProgram: 0-200 ints (a few under the model), one of a table of pure
// functions (one raises ValueError on multiples of 7), 1-3 workers, chunksize
// none or 1..n+1, through map, map_async, imap or imap_unordered. Property:
// the result equals std::transform (imap_unordered: as a multiset); a raising
// function raises one of the errors the sequential map would raise. Functions
// cross to workers as function pointers, hence the named functions below.

// Under the model, a pure function also sleeps 0-2 ms of virtual time (a
// scheduler choice), so that workers finish in every order.
void pool_fn_pause() {
  if (runtime::Model* m = runtime::model()) braid::sleep(std::chrono::milliseconds(m->choose(3)));
}

int pool_square(int x) {
  pool_fn_pause();
  return (x % 1000) * (x % 1000);
}
int pool_negate(int x) {
  pool_fn_pause();
  return -x;
}
int pool_collatz(int x) {
  pool_fn_pause();
  return x % 2 == 0 ? x / 2 : 3 * x + 1;
}
int pool_digits(int x) {
  pool_fn_pause();
  return static_cast<int>(std::to_string(x).size());
}
std::string pool_fails_message(int x) { return "multiple of 7: " + std::to_string(x); }
int pool_fails_on_7(int x) {
  pool_fn_pause();
  if (x % 7 == 0) throw ValueError(pool_fails_message(x));
  return x + 1;
}

struct PoolFunction {
  const char* name;
  int (*fn)(int);
  bool raises;  // raises ValueError(pool_fails_message(x)) when x % 7 == 0
};

constexpr PoolFunction kPoolFunctions[] = {
    {"square", &pool_square, false},         // (x mod 1000)^2
    {"negate", &pool_negate, false},         // -x
    {"collatz", &pool_collatz, false},       // x / 2 or 3x + 1
    {"digits", &pool_digits, false},         // the length of str(x)
    {"fails_on_7", &pool_fails_on_7, true},  // x + 1, ValueError on multiples of 7
};
constexpr int kPoolFunctionCount = static_cast<int>(sizeof(kPoolFunctions) / sizeof(kPoolFunctions[0]));

enum class PoolApi { kMap, kMapAsync, kIMap, kIMapUnordered };
constexpr const char* kPoolApiNames[] = {"map", "map_async", "imap", "imap_unordered"};

struct PoolMapProgram {
  std::vector<int> items;
  int function = 0;  // index into kPoolFunctions
  int processes = 1;
  std::optional<std::size_t> chunksize;  // imap/imap_unordered: 1 when none
  PoolApi api = PoolApi::kMap;
  std::uint64_t seed = 0;
};

void showValue(const PoolMapProgram& p, std::ostream& os) {
  os << "PoolMapProgram{items=";
  show_int_list(p.items, os);
  os << ", function=" << kPoolFunctions[p.function].name << ", processes=" << p.processes << ", chunksize=";
  if (p.chunksize) {
    os << *p.chunksize;
  } else {
    os << "none";
  }
  os << ", api=" << kPoolApiNames[static_cast<int>(p.api)] << ", seed=" << p.seed << '}';
}

// Up to `max_items` items in [-1000, 1000].
rc::Gen<PoolMapProgram> pool_map_program(int max_items) {
  return rc::gen::exec([max_items] {
    PoolMapProgram p;
    const int n = *rc::gen::inRange(0, max_items + 1);
    p.items = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(n), small_int(1000));
    p.function = *rc::gen::inRange(0, kPoolFunctionCount);
    p.processes = *rc::gen::inRange(1, 4);
    if (*rc::gen::arbitrary<bool>()) p.chunksize = static_cast<std::size_t>(*rc::gen::inRange(1, n + 2));
    p.api = static_cast<PoolApi>(*rc::gen::inRange(0, 4));
    p.seed = *seed_gen();
    return p;
  });
}

// Runs `p` on the current runtime (a modelled or a real Pool).
Mismatch run_pool_map(const PoolMapProgram& p) {
  const PoolFunction& f = kPoolFunctions[p.function];
  std::vector<std::string> allowed_errors;  // what the sequential map could raise
  if (f.raises) {
    for (int x : p.items) {
      if (x % 7 == 0) allowed_errors.push_back(pool_fails_message(x));
    }
  }
  std::vector<int> expected(p.items.size());
  if (allowed_errors.empty()) std::transform(p.items.begin(), p.items.end(), expected.begin(), f.fn);

  mp::Pool pool(p.processes);
  std::vector<int> got;
  std::optional<std::string> error;
  try {
    switch (p.api) {
      case PoolApi::kMap:
        got = pool.map(f.fn, p.items, p.chunksize);
        break;
      case PoolApi::kMapAsync:
        got = pool.map_async(f.fn, p.items, p.chunksize).get();
        break;
      case PoolApi::kIMap:
      case PoolApi::kIMapUnordered: {
        auto it = p.api == PoolApi::kIMap ? pool.imap(f.fn, p.items, p.chunksize.value_or(1))
                                          : pool.imap_unordered(f.fn, p.items, p.chunksize.value_or(1));
        while (std::optional<int> r = it.next()) got.push_back(*r);
        break;
      }
    }
  } catch (const ValueError& e) {
    error = e.what();
  }
  pool.close();
  pool.join();

  if (!allowed_errors.empty()) {
    if (!error) {
      return describe(kPoolApiNames[static_cast<int>(p.api)], " returned ", got.size(),
                      " results; the sequential map raises ValueError('", allowed_errors.front(), "')");
    }
    if (std::find(allowed_errors.begin(), allowed_errors.end(), *error) == allowed_errors.end()) {
      return describe(kPoolApiNames[static_cast<int>(p.api)], " raised ValueError('", *error,
                      "'), which no item raises");
    }
    return std::nullopt;
  }
  if (error) return describe(kPoolApiNames[static_cast<int>(p.api)], " raised ValueError('", *error, "')");
  if (p.api == PoolApi::kIMapUnordered) {
    std::sort(got.begin(), got.end());
    std::sort(expected.begin(), expected.end());
  }
  if (got != expected) {
    return describe(kPoolApiNames[static_cast<int>(p.api)], " of ", f.name, " gave ", show_ints(got),
                    ", the sequential map ", show_ints(expected));
  }
  return std::nullopt;
}

CheckResult check_pool_map(const PoolMapProgram& p, const CaseBudget& budget = {}) {
  return explore_runner(case_options(p.seed, budget), [&p] { return run_pool_map(p); });
}

// --- A child never writes into its parent's memory ---------------------------

// Modelled processes: in every explored interleaving, each child sees the
// parent's values at its start plus its own writes; the parent only its own.
RC_GTEST_PROP(ProcessProperties, ChildNeverWritesIntoParent, ()) {
  const ForkCopyProgram p = *fork_copy_program();
  BRAID_RC_CHECK(check_fork_copy(p));
}

// The same programs on real forked processes.
BRAID_RC_GTEST_PROP_CASES(ProcessProperties, ChildNeverWritesIntoParentRealProcesses, kRealCases, ()) {
  const ForkCopyProgram p = *fork_copy_program(20);
  RealRunLeaks leaks;
  expect_no_mismatch(run_fork_copy(p));
  leaks.check();
}

// --- Pool.map equals the sequential map --------------------------------------

// A modelled Pool (workers are modelled processes; each call sleeps a
// scheduler-chosen virtual time): every interleaving gives std::transform.
RC_GTEST_PROP(ProcessProperties, PoolMapEqualsSequentialMap, ()) {
  const PoolMapProgram p = *pool_map_program(6);
  BRAID_RC_CHECK(check_pool_map(p));
}

// A real Pool of 1-3 forked workers, 0-200 items.
BRAID_RC_GTEST_PROP_CASES(ProcessProperties, PoolMapEqualsSequentialMapRealProcesses, kRealCases, ()) {
  const PoolMapProgram p = *pool_map_program(200);
  RealRunLeaks leaks;
  expect_no_mismatch(run_pool_map(p));
  leaks.check();
}

// --- mp::Queue between processes keeps each writer's order -------------------

// Modelled writer processes, the parent reading: nothing lost or duplicated,
// each writer's items in its order, in every explored interleaving.
RC_GTEST_PROP(ProcessProperties, QueueKeepsEachWritersOrder, ()) {
  const QueueWritersProgram p = *queue_writers_program(4, 3);
  BRAID_RC_CHECK(check_queue_writers<mp::Queue<TaggedItem>>(p));
}

// Real writer processes (up to 200 items each, the queue bounded or not).
BRAID_RC_GTEST_PROP_CASES(ProcessProperties, QueueKeepsEachWritersOrderRealProcesses, kRealCases, ()) {
  const QueueWritersProgram p = *queue_writers_program(200, 8);
  RealRunLeaks leaks;
  expect_no_mismatch(run_queue_writers<mp::Queue<TaggedItem>>(p));
  leaks.check();
}

}  // namespace
