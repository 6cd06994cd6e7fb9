// The `braid` command: explore the tutorial's programs and replay failures.
#include <CLI/CLI.hpp>
#include <iostream>

#include "braid/errors.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"braid: explore the interleavings of concurrent programs and replay failures"};
  app.require_subcommand(1);

  app.add_subcommand("list", "list the tutorial's scenarios");

  braid::cli::ExploreArgs explore;
  CLI::App* ex = app.add_subcommand("explore", "explore a scenario's interleavings");
  ex->add_option("scenario", explore.scenario, "scenario name, or 'all'")->required();
  ex->add_option("--strategy", explore.strategy, "random | pct[:depth] | dfs | dfs:pb=<k> | dfs:db=<k> | dfs:ipb | dfs:idb");
  ex->add_option("--executions", explore.executions, "executions per scenario");
  ex->add_option("--seed", explore.seed, "seed of the exploration");
  ex->add_flag("--json", explore.json, "print the results as JSON (docs/json-schema.md)");
  ex->add_flag("--expected", explore.expected,
               "exit 0 when every verdict matches the scenario's expected verdict");
  ex->add_option("--progress", explore.progress,
                 "progress bar on stderr for explorations over a second: auto (when stderr is a terminal), "
                 "always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  braid::cli::ReplayArgs replay;
  CLI::App* re = app.add_subcommand("replay", "replay the interleaving a token names");
  re->add_option("token", replay.token, "replay token (with --from-fuzz: the scenario name)")->required();
  re->add_option("scenario", replay.scenario, "scenario name");
  re->add_option("--from-fuzz", replay.from_fuzz,
                 "a schedule fuzzer's input (crash) file: convert it to a token and replay it");
  re->add_flag("--trace", replay.trace, "print the trace, one row per step");
  re->add_option("--html", replay.html, "write the interleaving as an HTML page");
  re->add_flag("--json", replay.json, "print the outcome as JSON (docs/json-schema.md)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (app.got_subcommand("list")) return braid::cli::run_list();
    if (app.got_subcommand(ex)) return braid::cli::run_explore(explore);
    return braid::cli::run_replay(replay);
  } catch (const braid::ValueError& e) {  // bad usage: unknown scenario, malformed token or strategy
    std::cerr << "braid: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "braid: error: " << e.what() << "\n";
    return 2;
  }
}
