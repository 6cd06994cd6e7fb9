// The JSON output of the `braid` command (see json_output.h and
// docs/json-schema.md).
#include "cli/json_output.h"

#include <chrono>

namespace braid::cli {

nlohmann::json result_json(const std::string& scenario, const Report& r, const std::string& expected,
                           const std::string& replay_command) {
  const std::string verdict = r.ok ? "pass" : failure_kind_name(r.kind);
  nlohmann::json j = {
      {"scenario", scenario},
      {"verdict", verdict},
      {"ok", r.ok},
      {"expected", expected},
      {"as_expected", verdict == expected},
      {"executions", r.executions},
      {"steps", r.steps},
      {"preemptions", r.preemptions},
      {"wall_time_ms", std::chrono::duration<double, std::milli>(r.wall_time).count()},
      {"message", r.message},
      {"thread", r.thread},
      {"token", r.ok ? "" : r.token},
      {"replay_command", r.ok ? "" : replay_command},
      {"exhaustive", r.exhaustive},
      {"summary", r.summary},
  };
  if (!r.ok && r.where.line() != 0) {
    j["location"] = {{"file", r.where.file_name()}, {"line", r.where.line()}};
  } else {
    j["location"] = nullptr;
  }
  return j;
}

nlohmann::json explore_json(const Options& options, const std::string& strategy_text, bool expected_mode,
                            const nlohmann::json& results, int exit_code) {
  std::uint64_t passed = 0, as_expected = 0;
  for (const nlohmann::json& r : results) {
    passed += r.at("ok").get<bool>() ? 1 : 0;
    as_expected += r.at("as_expected").get<bool>() ? 1 : 0;
  }
  return {
      {"schema_version", kJsonSchemaVersion},
      {"command", "explore"},
      {"strategy", strategy_text},
      {"seed", options.seed},
      {"executions_limit", options.executions},
      {"expected_mode", expected_mode},
      {"results", results},
      {"totals",
       {{"scenarios", results.size()},
        {"passed", passed},
        {"failed", results.size() - passed},
        {"as_expected", as_expected}}},
      {"exit_code", exit_code},
  };
}

nlohmann::json replay_json(const std::string& token, const nlohmann::json& result, const std::string& html_file,
                           int exit_code) {
  return {
      {"schema_version", kJsonSchemaVersion},
      {"command", "replay"},
      {"token", token},
      {"result", result},
      {"html_file", html_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(html_file)},
      {"exit_code", exit_code},
  };
}

}  // namespace braid::cli
