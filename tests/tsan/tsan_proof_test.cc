// tests/tsan/tsan_proof_test.cc
// -----------------------------------------------------------------------------
// Proves that ThreadSanitizer works on this machine and sees through braid's
// primitives: runs racy_balance.cc (built with -fsanitize=thread) as a child
// process, and requires a data-race report for the racy program and none for
// its locked twin.
// -----------------------------------------------------------------------------
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace {

struct ChildResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ChildResult run_child(const std::string& mode, const std::string& program = BRAID_RACY_BALANCE,
                      const std::string& env = "") {
  // Our own TSAN_OPTIONS: report every race, keep going, exit 66 on a report.
  std::string cmd = env + " TSAN_OPTIONS='halt_on_error=0 exitcode=66 report_signal_unsafe=0' '" + program +
                    "' " + mode + " 2>&1";
  ChildResult result;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

constexpr const char* kRaceReport = "WARNING: ThreadSanitizer: data race";

// Non-empty when the build could not make a TSan-instrumented program.
bool skip(std::string* reason) {
  *reason = BRAID_TSAN_SKIP_REASON;
  return !reason->empty();
}

TEST(TsanProof, RacyBalanceIsReported) {
  if (std::string why; skip(&why)) GTEST_SKIP() << why;
  // TSan's detection depends on its bounded access history; a race this
  // blatant is reported on the first run, and three runs rule out bad luck.
  ChildResult r = run_child("racy");
  for (int attempt = 1; attempt < 3 && r.output.find(kRaceReport) == std::string::npos; ++attempt) {
    r = run_child("racy");
  }
  EXPECT_NE(r.output.find(kRaceReport), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 66) << r.output;
}

TEST(TsanProof, LockedBalanceIsClean) {
  if (std::string why; skip(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("locked");
  EXPECT_EQ(r.output.find("ThreadSanitizer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("balance=0"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// -- TSan inside the model ---------------------------------------------------------

bool skip_model(std::string* reason) {
  if (std::string(BRAID_MODEL_RACE).empty()) {
    *reason = "TSan inside the model needs the tsan preset (the engine built with BRAID_TSAN_FIBERS)";
    return true;
  }
  return false;
}

std::string replay_token(const std::string& output) {
  const std::string key = "BRAID_REPLAY=";
  const std::size_t at = output.rfind(key);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + key.size();
  return output.substr(begin, output.find_first_of(" \n", begin) - begin);
}

TEST(TsanInModel, PlainIntRaceIsReportedWithAReplayLine) {
  if (std::string why; skip_model(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("racy", BRAID_MODEL_RACE, "BRAID_TSAN_MODEL=1 BRAID_SEED=7");
  EXPECT_NE(r.output.find(kRaceReport), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ThreadSanitizer reported a data race in this interleaving"), std::string::npos)
      << r.output;
  const std::string token = replay_token(r.output);
  ASSERT_FALSE(token.empty()) << r.output;
  // The reported race comes before braid's report, in the same output.
  EXPECT_LT(r.output.find(kRaceReport), r.output.find("BRAID_REPLAY=")) << r.output;
  EXPECT_EQ(r.exit_code, 66) << r.output;

  // The token replays the same interleaving in a fresh process: TSan reports again.
  ChildResult again = run_child("racy", BRAID_MODEL_RACE, "BRAID_TSAN_MODEL=1 BRAID_REPLAY=" + token);
  EXPECT_NE(again.output.find(kRaceReport), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("executions=1 "), std::string::npos) << again.output;
}

TEST(TsanInModel, LockedTwinIsClean) {
  if (std::string why; skip_model(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("locked", BRAID_MODEL_RACE, "BRAID_TSAN_MODEL=1");
  EXPECT_EQ(r.output.find("ThreadSanitizer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok=1"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// Modelled multiprocessing without a race: no report. Its channels give TSan
// their happens-before; its bookkeeping stays out of TSan's sight.
TEST(TsanInModel, ModelledProcessesAreClean) {
  if (std::string why; skip_model(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("processes", BRAID_MODEL_RACE, "env -u BRAID_TSAN_MODEL");
  EXPECT_EQ(r.output.find("ThreadSanitizer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok=1"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// In the tsan preset TSan inside the model is the default: with
// BRAID_TSAN_MODEL unset, the same race is reported.
TEST(TsanInModel, IsOnByDefault) {
  if (std::string why; skip_model(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("racy", BRAID_MODEL_RACE, "env -u BRAID_TSAN_MODEL BRAID_SEED=7");
  EXPECT_NE(r.output.find(kRaceReport), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ThreadSanitizer reported a data race in this interleaving"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.exit_code, 66) << r.output;
}

// BRAID_TSAN_MODEL=0 switches it off: every fiber switch synchronises, so TSan
// sees no race on the plain int (braid's own detector does not track it), and
// the exploration passes.
TEST(TsanInModel, ZeroSwitchesItOff) {
  if (std::string why; skip_model(&why)) GTEST_SKIP() << why;
  ChildResult r = run_child("racy", BRAID_MODEL_RACE, "BRAID_TSAN_MODEL=0 BRAID_SEED=7");
  EXPECT_EQ(r.output.find("ThreadSanitizer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok=1"), std::string::npos) << r.output;
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
