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

ChildResult run_child(const std::string& mode) {
  // Our own TSAN_OPTIONS: report every race, keep going, exit 66 on a report.
  std::string cmd = "TSAN_OPTIONS='halt_on_error=0 exitcode=66 report_signal_unsafe=0' '" +
                    std::string(BRAID_RACY_BALANCE) + "' " + mode + " 2>&1";
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

}  // namespace
