// Tests of the `braid` command (scenarios/cli/): runs the built binary
// (<build dir>/scenarios/braid) and checks exit codes, the result table, the
// JSON document of docs/json-schema.md, replay round trips, one-line errors
// for bad tokens and bad usage, and the progress bar (drawn on a terminal,
// silent otherwise).
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#ifndef BRAID_BUILD_DIR
#error "BRAID_BUILD_DIR must name the build directory (braid::scenarios defines it)"
#endif

namespace {

const std::string kBraid = std::string(BRAID_BUILD_DIR) + "/scenarios/braid";

struct Outcome {
  int code = -1;  // exit code; -1 when killed by a signal
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs braid with `args` (and extra environment assignments), stdout and
// stderr captured; the caller's BRAID_* settings are cleared.
Outcome braid(const std::vector<std::string>& args, const std::string& env = "") {
  char err_path[] = "/tmp/braid-cli-test-XXXXXX";
  const int fd = ::mkstemp(err_path);
  if (fd >= 0) ::close(fd);
  std::string cmd = "env -u BRAID_REPLAY -u BRAID_STRATEGY -u BRAID_EXECUTIONS -u BRAID_SEED " + env + " " + quote(kBraid);
  for (const std::string& a : args) cmd += " " + quote(a);
  cmd += " 2>" + std::string(err_path) + " </dev/null";
  Outcome run;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return run;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) run.out.append(buf, n);
  const int status = ::pclose(p);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = slurp(err_path);
  ::unlink(err_path);
  return run;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access(kBraid.c_str(), X_OK), 0) << kBraid << " is missing: build the braid_cli target";
  }
};

TEST_F(Cli, ListNamesEveryScenario) {
  Outcome r = braid({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  for (const char* name : {"balance-lock", "balance-nolock", "balance-fresh-lock", "my-thread-lock"}) {
    EXPECT_TRUE(contains(r.out, name)) << name << "\n" << r.out;
  }
}

TEST_F(Cli, ExplorePassingScenarioExitsZeroWithATable) {
  Outcome r = braid({"explore", "balance-lock", "--executions", "50"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  for (const char* column : {"scenario", "verdict", "executions", "time", "replay"}) {
    EXPECT_TRUE(contains(r.out, column)) << column << "\n" << r.out;
  }
  EXPECT_TRUE(contains(r.out, "balance-lock")) << r.out;
  EXPECT_TRUE(contains(r.out, " 50 ")) << r.out;
  EXPECT_TRUE(contains(r.out, "1 scenario: 1 passed, 0 failed")) << r.out;
  EXPECT_EQ(r.err, "") << "no progress bar when stderr is not a terminal";
}

TEST_F(Cli, ExploreFailingScenarioExitsOneWithItsToken) {
  Outcome r = braid({"explore", "balance-nolock"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "data_race")) << r.out;
  EXPECT_TRUE(contains(r.out, "braid replay b1.")) << r.out;
}

TEST_F(Cli, ExpectedComparesVerdictsWithTheExpectedOnes) {
  // balance-nolock is expected to fail: with --expected that is success.
  Outcome failing = braid({"explore", "balance-nolock", "--expected"});
  EXPECT_EQ(failing.code, 0) << failing.out << failing.err;
  EXPECT_TRUE(contains(failing.out, "every verdict as expected")) << failing.out;
  Outcome passing = braid({"explore", "balance-lock", "--expected", "--executions", "20"});
  EXPECT_EQ(passing.code, 0) << passing.out << passing.err;
  // `all` has failing programs, so without --expected it exits 1.
  Outcome plain = braid({"explore", "all", "--executions", "5"});
  EXPECT_EQ(plain.code, 1) << plain.out << plain.err;
  EXPECT_TRUE(contains(plain.out, "balance-nolock")) << plain.out;
}

TEST_F(Cli, JsonMatchesTheDocumentedSchema) {
  // Every scenario, so every kind of result appears; whether each verdict is
  // the expected one is the scenarios' business (blog_test), not this test's.
  Outcome r = braid({"explore", "all", "--json", "--expected", "--executions", "20", "--seed", "7"});
  ASSERT_TRUE(r.code == 0 || r.code == 1) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);  // throws (fails the test) if not JSON
  EXPECT_EQ(j.at("schema_version"), 1);
  EXPECT_EQ(j.at("command"), "explore");
  EXPECT_EQ(j.at("strategy"), "random");
  EXPECT_EQ(j.at("seed"), 7);
  EXPECT_EQ(j.at("executions_limit"), 20);
  EXPECT_EQ(j.at("expected_mode"), true);
  EXPECT_EQ(j.at("exit_code"), r.code);
  const nlohmann::json& results = j.at("results");
  ASSERT_TRUE(results.is_array());
  ASSERT_GE(results.size(), 4u);
  std::size_t failed = 0, as_expected = 0;
  for (const nlohmann::json& res : results) {
    SCOPED_TRACE(res.dump());
    for (const char* key : {"scenario", "verdict", "expected", "message", "thread", "token", "replay_command", "summary"}) {
      EXPECT_TRUE(res.at(key).is_string()) << key;
    }
    for (const char* key : {"ok", "as_expected", "exhaustive"}) EXPECT_TRUE(res.at(key).is_boolean()) << key;
    for (const char* key : {"executions", "steps", "preemptions"}) EXPECT_TRUE(res.at(key).is_number_unsigned()) << key;
    EXPECT_TRUE(res.at("wall_time_ms").is_number());
    as_expected += res.at("as_expected").get<bool>() ? 1 : 0;
    EXPECT_EQ(res.at("as_expected").get<bool>(), res.at("verdict") == res.at("expected"));
    const bool ok = res.at("ok").get<bool>();
    EXPECT_EQ(ok, res.at("verdict") == "pass");
    EXPECT_EQ(ok, res.at("token") == "");
    if (ok) {
      EXPECT_TRUE(res.at("location").is_null());
    } else {
      ++failed;
      EXPECT_EQ(res.at("replay_command"),
                "braid replay " + res.at("token").get<std::string>() + " " + res.at("scenario").get<std::string>());
      if (!res.at("location").is_null()) {
        EXPECT_TRUE(res.at("location").at("file").is_string());
        EXPECT_TRUE(res.at("location").at("line").is_number_unsigned());
      }
    }
  }
  const nlohmann::json& totals = j.at("totals");
  EXPECT_EQ(totals.at("scenarios"), results.size());
  EXPECT_EQ(totals.at("failed"), failed);
  EXPECT_EQ(totals.at("passed"), results.size() - failed);
  EXPECT_EQ(totals.at("as_expected"), as_expected);
  EXPECT_EQ(r.code, as_expected == results.size() ? 0 : 1) << "--expected: exit 0 exactly when all are as expected";
}

TEST_F(Cli, ReplayReproducesTheFailureAsTextJsonAndHtml) {
  Outcome ex = braid({"explore", "balance-nolock", "--json"});
  ASSERT_EQ(ex.code, 1) << ex.out << ex.err;
  const std::string token = nlohmann::json::parse(ex.out).at("results").at(0).at("token");
  ASSERT_FALSE(token.empty());

  Outcome text = braid({"replay", token, "balance-nolock", "--trace"});
  EXPECT_EQ(text.code, 1) << text.out << text.err;
  EXPECT_TRUE(contains(text.out, "BRAID_REPLAY=") || contains(text.out, "braid replay")) << text.out;

  Outcome pasted = braid({"replay", "BRAID_REPLAY=" + token, "balance-nolock"});
  EXPECT_EQ(pasted.code, 1) << "a pasted BRAID_REPLAY= assignment is accepted\n" << pasted.err;

  char html[] = "/tmp/braid-cli-test-XXXXXX.html";
  const int fd = ::mkstemps(html, 5);
  ASSERT_GE(fd, 0);
  ::close(fd);
  Outcome js = braid({"replay", token, "balance-nolock", "--json", "--html", html});
  EXPECT_EQ(js.code, 1) << js.err;
  const nlohmann::json j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j.at("schema_version"), 1);
  EXPECT_EQ(j.at("command"), "replay");
  EXPECT_EQ(j.at("token"), token);
  EXPECT_EQ(j.at("html_file"), html);
  EXPECT_EQ(j.at("exit_code"), 1);
  EXPECT_EQ(j.at("result").at("verdict"), "data_race");
  EXPECT_EQ(j.at("result").at("token"), token);
  const std::string page = slurp(html);
  ::unlink(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(page, "MainThread")) << page.substr(0, 2000);
}

TEST_F(Cli, MalformedTokensGiveOneLineErrorAndExitTwo) {
  Outcome ex = braid({"explore", "balance-nolock", "--json"});
  ASSERT_EQ(ex.code, 1);
  const std::string good = nlohmann::json::parse(ex.out).at("results").at(0).at("token");
  std::string flipped = good;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string(""), std::string("garbage"), std::string("b1."), std::string("b9.AAAAAAAA"),
                                 std::string("b1.!!!!"), good.substr(0, good.size() - 3), flipped, good + "AAAA"}) {
    SCOPED_TRACE("token '" + bad + "'");
    Outcome r = braid({"replay", bad, "balance-nolock"});
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("braid: ", 0), 0u) << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
  }
}

TEST_F(Cli, AnotherScenariosTokenNeverCrashes) {
  Outcome ex = braid({"explore", "my-thread-lock", "--json"});
  ASSERT_EQ(ex.code, 1);
  const std::string token = nlohmann::json::parse(ex.out).at("results").at(0).at("token");
  for (const char* other : {"balance-nolock", "balance-lock", "local-students"}) {
    Outcome r = braid({"replay", token, other});
    EXPECT_TRUE(r.code == 0 || r.code == 1 || r.code == 2) << other << ": exit " << r.code << "\n" << r.err;
  }
}

TEST_F(Cli, BadUsageExitsTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"explore"},
      {"explore", "no-such-scenario"},
      {"explore", "all", "--strategy", "bogus"},
      {"explore", "all", "--executions", "many"},
      {"explore", "all", "--progress", "sometimes"},
      {"replay", "b1.AAAA"},
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    SCOPED_TRACE(shown);
    Outcome r = braid(args);
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  Outcome unknown = braid({"explore", "no-such-scenario"});
  EXPECT_EQ(unknown.err, "braid: no scenario named 'no-such-scenario' (see `braid list`)\n");
  Outcome strategy = braid({"explore", "all", "--strategy", "bogus"});
  EXPECT_EQ(strategy.err.rfind("braid: --strategy bogus: expected random", 0), 0u) << strategy.err;
  EXPECT_EQ(braid({"--help"}).code, 0);
}

// Runs braid on a pseudo-terminal (stdout and stderr both on it); returns all
// it wrote and its exit code.
Outcome braid_on_terminal(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  Outcome run;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return run;
  if (pid == 0) {
    for (const char* v : {"BRAID_REPLAY", "BRAID_STRATEGY", "BRAID_EXECUTIONS", "BRAID_SEED"}) ::unsetenv(v);
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kBraid.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kBraid.c_str(), argv.data());
    ::_exit(127);
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has exited
    run.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST_F(Cli, ProgressBarOnATerminalForLongExplorations) {
  // Unlimited executions, stopped by a 1.5 s time budget: the bar shows after 1 s.
  Outcome r = braid_on_terminal({"explore", "balance-lock"},
                            {"BRAID_EXECUTIONS=1000000000", "BRAID_TIME_BUDGET_MS=1500"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "\r\033[K")) << r.out;
  EXPECT_TRUE(contains(r.out, "executions")) << r.out;
  EXPECT_TRUE(contains(r.out, "/s")) << r.out;
  EXPECT_TRUE(contains(r.out, "0 failures")) << r.out;
  EXPECT_TRUE(contains(r.out, "/1,000,000,000 executions")) << r.out;
}

TEST_F(Cli, NoProgressBarForShortExplorations) {
  Outcome r = braid_on_terminal({"explore", "balance-lock", "--executions", "20"}, {});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_FALSE(contains(r.out, "\r\033[K")) << r.out;
  EXPECT_FALSE(contains(r.out, "failures")) << r.out;
}

}  // namespace
