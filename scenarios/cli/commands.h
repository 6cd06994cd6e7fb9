// scenarios/cli/commands.h
// -----------------------------------------------------------------------------
// The subcommands of the `braid` command line tool:
//
//   braid list
//   braid explore <scenario|all> [--strategy random|pct[:depth]|dfs[:...]] [--executions N]
//                 [--seed S] [--json] [--expected] [--progress auto|always|never]
//   braid replay <token> <scenario> [--trace] [--html FILE] [--json]
//   braid replay --from-fuzz FILE <scenario> [--trace] [--html FILE] [--json]
//
// `explore` prints a result table (scenario, verdict, expected, executions,
// time, replay command with the token) on stdout, or with --json the document
// of docs/json-schema.md; while a scenario explores for more than a second it
// draws a progress bar on stderr when stderr is a terminal (cli/progress.h).
//
// Exit codes: 0 every explored scenario passed (with --expected: every verdict
// matched the scenario's expected one), 1 a failure was found (or a verdict
// differed), 2 bad usage or a bad token: the run functions then throw
// braid::ValueError with a one-line message, which main() prints as
// "braid: <message>".
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
  std::string progress = "auto";        // auto (stderr is a terminal) | always | never
};

struct ReplayArgs {
  std::string token;
  std::string scenario;
  bool trace = false;
  std::string html;                     // a file to write the HTML page to
  bool json = false;                    // print the outcome as JSON
  std::string from_fuzz;                // a schedule fuzzer's input file (cli/replay_fuzz.cc)
};

int run_list();
int run_explore(const ExploreArgs& args);
int run_replay(const ReplayArgs& args);
// `braid replay --from-fuzz FILE <scenario>` (the scenario arrives in `token`
// when it is the only positional argument): the input file's schedule as a
// replay token, then run_replay() of that token.
int run_replay_from_fuzz(const ReplayArgs& args);

}  // namespace braid::cli

#endif  // BRAID_SCENARIOS_CLI_COMMANDS_H_
