// tests/mutants/hunt.h
// Runs a property's check over the cases RapidCheck would generate for it
// (the property's default budget: kDefaultCases programs, each explored with
// the default CaseBudget) against a mutant, and reports when it was caught.
#ifndef BRAID_TESTS_MUTANTS_HUNT_H_
#define BRAID_TESTS_MUTANTS_HUNT_H_

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <iostream>
#include <string>

#include "generators/common.h"

namespace braid::mutants {

struct Verdict {
  bool caught = false;
  int cases = 0;                 // programs run, the catching one included
  std::uint64_t executions = 0;  // interleavings explored over all of them
  FailureKind kind = FailureKind::kNone;
  std::string program;           // the catching program, as RapidCheck shows it
  std::string message;           // its braid report
};

// The budget of a mutant hunt: the property's default, without the
// environment (the verdict must not depend on BRAID_* variables) and without
// shrinking the failing schedule (only finding it counts here).
inline gen::CaseBudget hunt_budget() {
  gen::CaseBudget b;
  b.apply_environment = false;
  b.shrink = false;
  return b;
}

// Generates up to kDefaultCases programs from `generator` (sizes growing as
// RapidCheck grows them) and runs `check(program, budget)` on each until one
// fails.
template <typename Program, typename Check>
Verdict hunt(const rc::Gen<Program>& generator, Check check, std::uint64_t seed = 0x6d7574616e74) {
  Verdict v;
  const gen::CaseBudget budget = hunt_budget();
  for (int i = 0; i < gen::kDefaultCases; ++i) {
    const Program p = generator(rc::Random(seed + static_cast<std::uint64_t>(i)), i).value();
    const gen::CheckResult r = check(p, budget);
    ++v.cases;
    v.executions += r.executions;
    if (!r.ok) {
      v.caught = true;
      v.kind = r.kind;
      v.program = rc::toString(p);
      v.message = r.message;
      break;
    }
  }
  return v;
}

// Prints the budget used (and records it in the test's XML properties).
inline void report(const std::string& mutant, const std::string& property, const Verdict& v) {
  std::cout << "[ mutant   ] " << mutant << " vs " << property << ": "
            << (v.caught ? "caught" : "NOT caught") << " after " << v.cases << " of "
            << gen::kDefaultCases << " cases, " << v.executions << " executions (budget "
            << gen::kDefaultCases << " cases x " << gen::CaseBudget{}.executions << " executions)";
  if (v.caught) {
    std::cout << " as " << (v.kind == FailureKind::kNone ? "a missing expected failure" : failure_kind_name(v.kind))
              << " on " << v.program;
  }
  std::cout << '\n';
  ::testing::Test::RecordProperty("cases", v.cases);
  ::testing::Test::RecordProperty("executions", std::to_string(v.executions));
}

// The property's check must fail on the mutant within the default budget,
// and the program that caught it must pass with the real primitive (so the
// failure is the mutant's, not the program's).
template <typename Program, typename CheckMutant, typename CheckReal>
void expect_caught(const std::string& mutant, const std::string& property, const rc::Gen<Program>& generator,
                   CheckMutant check_mutant, CheckReal check_real) {
  Program caught_on{};
  const Verdict v = hunt(generator, [&](const Program& p, const gen::CaseBudget& b) {
    caught_on = p;
    return check_mutant(p, b);
  });
  report(mutant, property, v);
  EXPECT_TRUE(v.caught) << mutant << " survived " << property << " (" << v.cases << " cases, "
                        << v.executions << " executions)";
  if (!v.caught) return;
  const gen::CheckResult real = check_real(caught_on, hunt_budget());
  EXPECT_TRUE(real.ok) << "the real primitive fails the program that caught " << mutant << ":\n"
                       << real.message;
}

}  // namespace braid::mutants

// A check function template instantiated with one primitive type, as a
// callable (program, budget) -> CheckResult.
#define BRAID_CHECK_WITH(check, ...) \
  [](const auto& p_, const ::braid::gen::CaseBudget& b_) { return check<__VA_ARGS__>(p_, b_); }

#endif  // BRAID_TESTS_MUTANTS_HUNT_H_
