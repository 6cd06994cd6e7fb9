// The `braid` subcommands (see commands.h).
#include "cli/commands.h"

#include <algorithm>
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
#include "cli/json_output.h"
#include "cli/progress.h"
#include "report/trace.h"
#include "report/trace_html.h"

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

bool progress_enabled(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (mode == "auto") return stderr_is_terminal();
  throw ValueError("--progress must be auto, always or never, not '" + mode + "'");
}

std::string format_ms(std::chrono::nanoseconds t) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << std::chrono::duration<double, std::milli>(t).count() << " ms";
  return out.str();
}

// The width of the scenario column: the longest name plus two spaces.
int name_width(const std::vector<const blog::Scenario*>& chosen) {
  std::size_t w = 8;
  for (const blog::Scenario* s : chosen) w = std::max(w, s->name.size());
  return static_cast<int>(w + 2);
}

void print_header(int width) {
  std::cout << std::left << std::setw(width) << "scenario" << std::setw(20) << "verdict" << std::setw(10) << "expected"
            << std::right << std::setw(12) << "executions" << std::setw(12) << "time" << "  replay\n";
}

void print_row(int width, const std::string& name, const Report& r, bool as_expected) {
  std::ostringstream row;
  row << std::left << std::setw(width) << name << std::setw(20) << verdict(r) << std::setw(10)
      << (as_expected ? "yes" : "NO") << std::right << std::setw(12) << r.executions << std::setw(12)
      << format_ms(r.wall_time);
  if (!r.ok) row << "  " << replay_command(r, name);
  std::cout << row.str() << "\n" << std::flush;
}

// A token as pasted: surrounding blanks and a leading "BRAID_REPLAY=" are
// dropped, so the whole replay assignment a failure prints can be given.
std::string clean_token(std::string token) {
  const auto first = token.find_first_not_of(" \t\r\n");
  const auto last = token.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
  constexpr std::string_view kAssign = "BRAID_REPLAY=";
  if (token.rfind(kAssign, 0) == 0) token.erase(0, kAssign.size());
  return token;
}

}  // namespace

int run_list() {
  std::vector<const blog::Scenario*> every;
  for (const blog::Scenario& s : blog::all()) every.push_back(&s);
  const int width = name_width(every);
  for (const blog::Scenario& s : blog::all()) {
    std::cout << std::left << std::setw(width) << s.name << std::setw(20) << expected_verdict(s) << s.summary << "\n";
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
  try {
    options.strategy = Strategy::parse(args.strategy);
  } catch (const ValueError& e) {  // the parser names BRAID_STRATEGY; here it came from --strategy
    const std::string what = e.what();
    const auto at = what.find(": ");
    throw ValueError("--strategy " + args.strategy + (at == std::string::npos ? ": " + what : what.substr(at)));
  }
  if (args.executions) options.executions = *args.executions;
  if (args.seed) options.seed = *args.seed;
  const Options effective = options.with_environment();  // throws on a malformed BRAID_* variable
  const bool show_progress = progress_enabled(args.progress);

  nlohmann::json results = nlohmann::json::array();
  std::size_t failures = 0, unexpected = 0;
  const int width = name_width(chosen);
  if (!args.json) print_header(width);
  for (const blog::Scenario* s : chosen) {
    ProgressBar bar(s->name, show_progress);
    options.on_progress = [&bar](const Progress& p) { bar.update(p); };
    Report r = explore(options, s->body);
    bar.finish();
    const std::string command = r.ok ? "" : replay_command(r, s->name);
    if (!r.ok) r.replay_command = command;
    const bool as_expected = verdict(r) == expected_verdict(*s);
    failures += r.ok ? 0 : 1;
    unexpected += as_expected ? 0 : 1;
    if (args.json) results.push_back(result_json(s->name, r, expected_verdict(*s), command));
    else print_row(width, s->name, r, as_expected);
  }
  const int code = args.expected ? (unexpected == 0 ? 0 : 1) : (failures == 0 ? 0 : 1);
  if (args.json) {
    std::cout << std::setw(2) << explore_json(effective, args.strategy, args.expected, results, code) << "\n";
  } else {
    std::cout << "\n" << chosen.size() << (chosen.size() == 1 ? " scenario: " : " scenarios: ")
              << chosen.size() - failures << " passed, " << failures << " failed";
    if (unexpected == 0) std::cout << "; every verdict as expected\n";
    else std::cout << "; " << unexpected << " verdict" << (unexpected == 1 ? "" : "s") << " NOT as expected\n";
  }
  return code;
}

int run_replay(const ReplayArgs& args) {
  if (!args.from_fuzz.empty()) return run_replay_from_fuzz(args);
  if (args.scenario.empty()) throw ValueError("replay needs a token and a scenario: braid replay <token> <scenario>");
  const blog::Scenario& s = scenario_named(args.scenario);
  const std::string token = clean_token(args.token);
  Report r = replay(token, s.body);  // throws ValueError for a malformed token
  const std::string command = r.ok ? "" : "braid replay " + r.token + " " + s.name;
  if (!r.ok) r.replay_command = command;
  if (!args.html.empty()) {
    if (!r.trace) throw ValueError("the replay recorded no trace to write to " + args.html);
    std::ofstream out(args.html);
    if (!out) throw ValueError("cannot write " + args.html);
    out << report::render_report_html(r, "braid replay " + s.name);  // the failing step marked
    out.close();
    if (!out) throw ValueError("cannot write " + args.html);
  }
  const int code = r.ok ? 0 : 1;
  if (args.json) {
    nlohmann::json result = result_json(s.name, r, expected_verdict(s), command);
    std::cout << std::setw(2) << replay_json(token, result, args.html, code) << "\n";
    return code;
  }
  std::cout << r.to_string() << "\n";
  if (args.trace && !r.trace_table.empty()) std::cout << r.trace_table << "\n";
  if (!args.html.empty()) std::cout << "wrote " << args.html << "\n";
  return code;
}

}  // namespace braid::cli
