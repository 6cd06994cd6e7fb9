// scenarios/cli/commands.h
// -----------------------------------------------------------------------------
// The subcommands of the `braid` command line tool:
//
//   braid list
//   braid explore <scenario|all> [--strategy random|pct[:depth]|dfs[:...]] [--executions N]
//                 [--seed S] [--json] [--expected]
//   braid replay <token> <scenario> [--trace] [--html FILE]
//
// Exit codes: 0 every explored scenario passed (with --expected: every verdict
// matched the scenario's expected one), 1 a failure was found (or a verdict
// differed), 2 bad usage or a bad token.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_CLI_COMMANDS_H_
#define BRAID_SCENARIOS_CLI_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace braid::cli {

struct ExploreArgs {
  std::string scenario;                 // a name or "all"
  std::string strategy = "random";      // as braid::Strategy::parse spells it
  std::optional<std::uint64_t> executions;
  std::optional<std::uint64_t> seed;
  bool json = false;
  bool expected = false;                // compare verdicts with the expected ones
};

struct ReplayArgs {
  std::string token;
  std::string scenario;
  bool trace = false;
  std::string html;                     // a file to write the HTML page to
};

int run_list();
int run_explore(const ExploreArgs& args);
int run_replay(const ReplayArgs& args);

}  // namespace braid::cli

#endif  // BRAID_SCENARIOS_CLI_COMMANDS_H_
