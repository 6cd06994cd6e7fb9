// scenarios/cli/json_output.h
// -----------------------------------------------------------------------------
// The JSON documents `braid explore --json` and `braid replay --json` print.
// docs/json-schema.md documents every field; a change that removes or retypes
// a field bumps kJsonSchemaVersion (adding a field does not).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_CLI_JSON_OUTPUT_H_
#define BRAID_SCENARIOS_CLI_JSON_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "braid/explore.h"

namespace braid::cli {

inline constexpr int kJsonSchemaVersion = 1;

// One scenario's outcome: the "result" object of docs/json-schema.md.
// `expected` is the verdict the scenario should reach ("pass" or a failure
// kind name).
nlohmann::json result_json(const std::string& scenario, const Report& r, const std::string& expected,
                           const std::string& replay_command);

// The top-level document of `braid explore --json`.
nlohmann::json explore_json(const Options& options, const std::string& strategy_text, bool expected_mode,
                            const nlohmann::json& results, int exit_code);

// The top-level document of `braid replay --json`.
nlohmann::json replay_json(const std::string& token, const nlohmann::json& result, const std::string& html_file,
                           int exit_code);

}  // namespace braid::cli

#endif  // BRAID_SCENARIOS_CLI_JSON_OUTPUT_H_
