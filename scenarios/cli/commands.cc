// The `braid` subcommands (see commands.h).
#include "cli/commands.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "blog/scenario.h"
#include "braid/errors.h"
#include "braid/explore.h"
#include "report/trace.h"

namespace braid::cli {
namespace {

const blog::Scenario& scenario_named(const std::string& name) {
  const blog::Scenario* s = blog::find(name);
  if (s == nullptr) throw ValueError("no scenario named '" + name + "' (see `braid list`)");
  return *s;
}

std::string verdict(const Report& r) { return r.ok ? "pass" : failure_kind_name(r.kind); }

std::string expected_verdict(const blog::Scenario& s) {
  return s.expect == blog::Verdict::kPass ? "pass" : failure_kind_name(s.expected_kind);
}

std::string replay_command(const Report& r, const std::string& scenario) {
  return "braid replay " + r.token + " " + scenario;
}

}  // namespace

int run_list() {
  for (const blog::Scenario& s : blog::all()) {
    std::cout << std::left << std::setw(22) << s.name << std::setw(20) << expected_verdict(s)
              << s.summary << "\n";
  }
  return 0;
}

int run_explore(const ExploreArgs& args) {
  std::vector<const blog::Scenario*> chosen;
  if (args.scenario == "all") {
    for (const blog::Scenario& s : blog::all()) chosen.push_back(&s);
  } else {
    chosen.push_back(&scenario_named(args.scenario));
  }
  Options options;
  options.strategy = Strategy::parse(args.strategy);
  if (args.executions) options.executions = *args.executions;
  if (args.seed) options.seed = *args.seed;

  nlohmann::json results = nlohmann::json::array();
  bool any_failure = false;
  bool all_expected = true;
  if (!args.json) {
    std::cout << std::left << std::setw(22) << "scenario" << std::setw(20) << "verdict"
              << std::setw(12) << "expected" << std::right << std::setw(11) << "executions"
              << std::setw(10) << "time" << "  replay\n";
  }
  for (const blog::Scenario* s : chosen) {
    Report r = explore(options, s->body);
    if (!r.ok) r.replay_command = replay_command(r, s->name);
    any_failure |= !r.ok;
    const bool as_expected = verdict(r) == expected_verdict(*s);
    all_expected &= as_expected;
    const double ms = std::chrono::duration<double, std::milli>(r.wall_time).count();
    if (args.json) {
      results.push_back({{"scenario", s->name},
                         {"verdict", verdict(r)},
                         {"expected", expected_verdict(*s)},
                         {"as_expected", as_expected},
                         {"executions", r.executions},
                         {"steps", r.steps},
                         {"preemptions", r.preemptions},
                         {"wall_time_ms", ms},
                         {"message", r.message},
                         {"token", r.token}});
      continue;
    }
    std::ostringstream time;
    time << std::fixed << std::setprecision(1) << ms << " ms";
    std::cout << std::left << std::setw(22) << s->name << std::setw(20) << verdict(r)
              << std::setw(12) << (as_expected ? "yes" : "NO") << std::right << std::setw(11)
              << r.executions << std::setw(10) << time.str() << "  "
              << (r.ok ? "" : replay_command(r, s->name)) << "\n";
  }
  if (args.json) std::cout << std::setw(2) << nlohmann::json{{"results", results}} << "\n";
  if (args.expected) return all_expected ? 0 : 1;
  return any_failure ? 1 : 0;
}

int run_replay(const ReplayArgs& args) {
  const blog::Scenario& s = scenario_named(args.scenario);
  Report r = replay(args.token, s.body);
  if (!r.ok) r.replay_command = "braid replay " + r.token + " " + s.name;
  std::cout << r.to_string() << "\n";
  if (args.trace && !r.trace_table.empty()) std::cout << r.trace_table << "\n";
  if (!args.html.empty() && r.trace) {
    std::ofstream out(args.html);
    if (!out) throw ValueError("cannot write " + args.html);
    out << report::render_html(*r.trace, "braid replay " + s.name);
    std::cout << "wrote " << args.html << "\n";
  }
  return r.ok ? 0 : 1;
}

}  // namespace braid::cli
