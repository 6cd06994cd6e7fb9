// Options::with_environment(): BRAID_* variables override Options fields, and
// malformed values are errors naming the variable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "braid/errors.h"
#include "braid/explore.h"
#include "braid/tracked.h"

namespace {

class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~EnvVar() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(Options, EnvironmentOverridesFields) {
  EnvVar a("BRAID_SEED", "0x10"), b("BRAID_EXECUTIONS", "7"), c("BRAID_STRATEGY", "pct:5"),
      d("BRAID_MAX_STEPS", "99"), e("BRAID_SPURIOUS", "1"), f("BRAID_TIME_BUDGET_MS", "0");
  braid::Options o = braid::Options{}.with_environment();
  EXPECT_EQ(o.seed, 16u);
  EXPECT_EQ(o.executions, 7u);
  EXPECT_EQ(o.strategy.kind, braid::Strategy::Kind::kPct);
  EXPECT_EQ(o.strategy.depth, 5u);
  EXPECT_EQ(o.max_steps, 99u);
  EXPECT_TRUE(o.spurious_wakeups);
  EXPECT_EQ(o.time_budget.count(), 0);
}

TEST(Options, ReplayVariableWins) {
  EnvVar a("BRAID_STRATEGY", "random"), b("BRAID_REPLAY", "b1.xyz");
  braid::Options o = braid::Options{}.with_environment();
  EXPECT_EQ(o.strategy.kind, braid::Strategy::Kind::kReplay);
  EXPECT_EQ(o.strategy.token, "b1.xyz");
}

TEST(Options, ApplyEnvironmentFalseIgnoresVariables) {
  EnvVar a("BRAID_EXECUTIONS", "7");
  braid::Options o;
  o.apply_environment = false;
  EXPECT_EQ(o.with_environment().executions, 1000u);
}

TEST(Options, MalformedValuesNameTheVariable) {
  {
    EnvVar a("BRAID_EXECUTIONS", "many");
    try {
      (void)braid::Options{}.with_environment();
      ADD_FAILURE() << "accepted BRAID_EXECUTIONS=many";
    } catch (const braid::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("BRAID_EXECUTIONS"), std::string::npos) << e.what();
    }
  }
  {
    EnvVar a("BRAID_STRATEGY", "dfs-ish");
    EXPECT_THROW((void)braid::Options{}.with_environment(), braid::ValueError);
  }
  {
    EnvVar a("BRAID_SPURIOUS", "maybe");
    EXPECT_THROW((void)braid::Options{}.with_environment(), braid::ValueError);
  }
}

TEST(Options, ReplayFromTheEnvironmentRunsThatExecution) {
  auto body = [] {
    braid::Atomic<int> x{0};
    BRAID_ASSERT(x.load() == 1, "always fails");
  };
  braid::Options o;
  o.executions = 3;
  o.apply_environment = false;
  braid::Report found = braid::explore(o, body);
  ASSERT_FALSE(found.ok);
  EnvVar a("BRAID_REPLAY", found.token.c_str());
  braid::Report again = braid::explore(braid::Options{}, body);
  EXPECT_FALSE(again.ok);
  EXPECT_EQ(again.executions, 1u);
  EXPECT_EQ(again.kind, braid::FailureKind::kAssertion);
}

}  // namespace
