// A mutant through the whole property machinery: RapidCheck finds and
// shrinks a failing program, the failure message carries braid's report with
// its BRAID_REPLAY line, and that token replays the same failure. (The first
// test leaves RapidCheck's "Some of your RapidCheck properties had failures"
// note with the reproduce string on stderr at exit: that is the point.)
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <string>

#include "braid/lock.h"
#include "generators/lock_gen.h"
#include "hunt.h"
#include "mutant_locks.h"

namespace {

using namespace braid::gen;

// The token of a report's BRAID_REPLAY line.
std::string replay_token(const std::string& message) {
  const std::string key = "BRAID_REPLAY=";
  const std::size_t at = message.rfind(key);
  if (at == std::string::npos) return {};
  const std::size_t begin = at + key.size();
  return message.substr(begin, message.find(' ', begin) - begin);
}

TEST(MutantReport, RapidCheckPrintsShrunkProgramAndReplayLine) {
  ::testing::internal::CaptureStderr();
  const bool passed = rc::check("balance with a Lock without exclusion", [](const BalanceProgram& p) {
    BRAID_RC_CHECK(check_balance<braid::mutants::NoExclusionLock>(p, braid::mutants::hunt_budget()));
  });
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(passed);
  EXPECT_NE(out.find("Falsifiable"), std::string::npos) << out;
  EXPECT_NE(out.find("BalanceProgram{"), std::string::npos) << out;  // the shrunk program, shown
  EXPECT_NE(out.find("BRAID_REPLAY="), std::string::npos) << out;
  // RapidCheck prints its own RC_PARAMS="reproduce=..." line when the process
  // exits (after this test), as it does for a failing RC_GTEST_PROP.
}

TEST(MutantReport, ReplayTokenReproducesTheFailure) {
  const braid::mutants::Verdict v = braid::mutants::hunt(
      balance_program(), BRAID_CHECK_WITH(check_balance, braid::mutants::NoExclusionLock));
  ASSERT_TRUE(v.caught);
  const std::string token = replay_token(v.message);
  ASSERT_FALSE(token.empty()) << v.message;
  // Replay exactly that execution of exactly that program, as a user would:
  // BRAID_REPLAY=<token> with the program RapidCheck reproduces.
  const BalanceProgram p = [&] {
    BalanceProgram found{};
    braid::mutants::hunt(balance_program(), [&](const BalanceProgram& q, const CaseBudget& b) {
      found = q;
      return check_balance<braid::mutants::NoExclusionLock>(q, b);
    });
    return found;
  }();
  ASSERT_EQ(rc::toString(p), v.program);
  setenv("BRAID_REPLAY", token.c_str(), 1);
  const CheckResult replayed = check_balance<braid::mutants::NoExclusionLock>(p);
  unsetenv("BRAID_REPLAY");
  EXPECT_FALSE(replayed.ok);
  EXPECT_EQ(replayed.kind, v.kind) << replayed.message;
  EXPECT_EQ(replayed.executions, 1u) << replayed.message;
}

}  // namespace
