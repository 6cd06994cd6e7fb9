// `braid replay --from-fuzz FILE <scenario>` (see commands.h): a schedule
// fuzzer's input file -> the replay token of the execution it describes ->
// the ordinary replay of that token.
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include "blog/scenario.h"
#include "braid/errors.h"
#include "braid/fuzz.h"
#include "cli/commands.h"

namespace braid::cli {

int run_replay_from_fuzz(const ReplayArgs& args) {
  // With one positional argument, CLI11 puts the scenario in `token`.
  const std::string name = args.scenario.empty() ? args.token : args.scenario;
  const blog::Scenario* s = blog::find(name);
  if (s == nullptr) throw ValueError("no scenario named '" + name + "' (see `braid list`)");
  std::ifstream in(args.from_fuzz, std::ios::binary);
  if (!in) throw ValueError("cannot read " + args.from_fuzz);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The fuzzers run each input with default Options and no environment.
  Options options;
  options.apply_environment = false;
  const Report found = run_bytes(options, bytes, s->body);
  ReplayArgs replay_args = args;
  replay_args.from_fuzz.clear();
  replay_args.scenario = s->name;
  replay_args.token = found.ok ? fuzz_token(options, bytes, s->body) : found.token;
  std::cerr << "braid: " << args.from_fuzz << " (" << bytes.size() << " bytes) is the schedule "
            << replay_args.token << (found.ok ? " (it does not fail)" : "") << "\n";
  return run_replay(replay_args);
}

}  // namespace braid::cli
