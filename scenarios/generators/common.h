// scenarios/generators/common.h
// -----------------------------------------------------------------------------
// What every generated scenario shares: the budget of one property case, the
// result of checking one generated program, and the glue that prints a braid
// Report through RapidCheck.
//
// A generator in this folder produces a *program* (a plain struct: how many
// threads, what each one does) and a `check_*` function template that runs
// the program under `braid::explore` and judges it. The check is a template
// over the primitive types, so that the same body checks braid's real
// primitives (properties/) and deliberately broken ones (tests/mutants/):
//
//   template <class LockT>
//   CheckResult check_balance(const BalanceProgram& p, const CaseBudget& b = {});
//
//   RC_GTEST_PROP(LockProperties, BalanceStaysZero, (const BalanceProgram& p)) {
//     BRAID_RC_CHECK(check_balance<braid::Lock>(p));
//   }
//
// RapidCheck shrinks the program; braid shrinks the schedule of the failing
// execution. The failure message is the whole braid report, whose last line
// is the BRAID_REPLAY command; RapidCheck prints its own `reproduce=` string
// after it. Run both together to replay exactly one execution of exactly one
// program.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_COMMON_H_
#define BRAID_SCENARIOS_GENERATORS_COMMON_H_

#include <rapidcheck.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "braid/explore.h"
#include "braid/testing.h"

namespace braid::gen {

// CaseBudget
//
// How hard one property case (one generated program) is explored. A case must
// take milliseconds: a property runs RapidCheck's 100 cases by default.
struct CaseBudget {
  std::uint64_t executions = 100;              // interleavings per program
  std::chrono::milliseconds time_budget{2000};  // a safety net, never reached normally
  std::uint64_t max_steps = 5000;              // per execution; spin loops end here
  bool apply_environment = true;               // honour BRAID_REPLAY, BRAID_SEED, ...
  bool shrink = true;                          // shrink a failing schedule before reporting it
};

// The number of cases RapidCheck runs per property by default (max_success);
// the mutant tests spend the same budget.
inline constexpr int kDefaultCases = 100;

// CheckResult
//
// The verdict on one generated program: `ok`, or the braid report of the
// failing execution (`message` is report.to_string(), BRAID_REPLAY line last).
struct CheckResult {
  bool ok = true;
  std::string message;
  std::uint64_t executions = 0;  // executions explored (up to and including the failure)
  FailureKind kind = FailureKind::kNone;
};

// Options for one case: random scheduling seeded from the program (so that
// RapidCheck's reproduce string fixes the schedule seed too).
inline Options case_options(std::uint64_t seed, const CaseBudget& budget,
                            Strategy strategy = Strategy::random()) {
  Options o;
  o.strategy = std::move(strategy);
  o.executions = budget.executions;
  o.seed = seed;
  o.time_budget = budget.time_budget;
  o.max_steps = budget.max_steps;
  o.apply_environment = budget.apply_environment;
  o.shrink = budget.shrink;
  return o;
}

// Heads a failing case's message: the BRAID_REPLAY token names one execution
// of one generated program, so it replays together with RapidCheck's
// reproduce string (printed by RapidCheck after the report).
inline constexpr const char* kReplayNote =
    "braid: a generated program failed. To replay it, run the BRAID_REPLAY line below with "
    "RapidCheck's RC_PARAMS=\"reproduce=...\" (printed at the end) in the environment too.\n";

// Names the report after the running GoogleTest test, so its replay line
// selects the property that failed.
inline CheckResult to_result(Report report) {
  CheckResult r;
  r.ok = report.ok;
  r.kind = report.kind;
  r.executions = report.executions;
  if (!report.ok) {
    testing::name_report(report);
    r.message = std::string(kReplayNote) + report.to_string();
  }
  return r;
}

// Explores `body` and turns the report into a CheckResult.
inline CheckResult explore_case(const Options& options, std::function<void()> body) {
  return to_result(explore(options, std::move(body)));
}

// Explores `body` that must fail with `expected` (a seeded bug such as a plain
// Lock re-acquired by its owner). ok when it does; otherwise the message says
// what happened instead.
inline CheckResult expect_failure_case(FailureKind expected, const Options& options,
                                       std::function<void()> body) {
  Report report = explore(options, std::move(body));
  CheckResult r;
  r.executions = report.executions;
  r.kind = report.kind;
  if (!report.ok && report.kind == expected) return r;
  r.ok = false;
  testing::name_report(report);
  std::ostringstream out;
  if (!report.ok) out << kReplayNote;
  out << "expected a " << failure_kind_name(expected) << " failure, got "
      << (report.ok ? std::string("no failure in ") + std::to_string(report.executions) + " executions"
                    : report.to_string());
  r.message = out.str();
  return r;
}

// Prints a vector as [a, b, c] (for showValue of generated programs).
template <typename T, typename Show>
void show_list(const std::vector<T>& v, std::ostream& os, Show show) {
  os << '[';
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) os << ", ";
    show(v[i], os);
  }
  os << ']';
}

inline void show_int_list(const std::vector<int>& v, std::ostream& os) {
  show_list(v, os, [](int x, std::ostream& o) { o << x; });
}

// Any seed: part of every program, so that shrinking and reproduce= cover it.
inline rc::Gen<std::uint64_t> seed_gen() { return rc::gen::arbitrary<std::uint64_t>(); }

}  // namespace braid::gen

// BRAID_RC_CHECK(result)
//
// Inside a RapidCheck property: fails the case with the braid report (ending
// with the BRAID_REPLAY line) when the check failed.
#define BRAID_RC_CHECK(result_expr)                      \
  do {                                                   \
    const ::braid::gen::CheckResult braid_rc_r_ = (result_expr); \
    if (!braid_rc_r_.ok) RC_FAIL(braid_rc_r_.message);   \
  } while (0)

#endif  // BRAID_SCENARIOS_GENERATORS_COMMON_H_
