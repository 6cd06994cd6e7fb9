// fuzz/schedule_driver.cc — see schedule_driver.h.
#include "schedule_driver.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "braid/errors.h"
#include "braid/explore.h"
#include "braid/fuzz.h"
#include "schedule_programs.h"

// libFuzzer reads this section after every input as extra coverage counters
// (it clears them before each input): one counter per interleaving feature
// hash bucket, incremented per occurrence (libFuzzer buckets the counts).
extern "C" {
__attribute__((section("__libfuzzer_extra_counters"), used)) std::uint8_t braid_interleaving_counters[1 << 16];
}

namespace braid::fuzz {
namespace {

const Program* g_program = nullptr;
bool g_features = true;
std::string g_binary;
std::uint64_t g_executions = 0;
Options g_options;
std::vector<std::uint32_t> g_found;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "braid-fuzz: %s\n", message.c_str());
  std::exit(2);
}

std::string replay_command(const Report& r) {
  if (g_program->in_cli) return "braid replay " + r.token + " " + g_program->name;
  return "BRAID_REPLAY=" + r.token + " BRAID_FUZZ_PROGRAM=" + g_program->name + " " + g_binary;
}

[[noreturn]] void replay_and_exit(const char* token) {
  Report r;
  try {
    r = replay(token, g_program->body);
  } catch (const ValueError& e) {
    die(e.what());
  }
  if (!r.ok) r.replay_command = replay_command(r);
  std::fputs(r.to_string().c_str(), stdout);
  std::fputs("\n", stdout);
  if (!r.trace_table.empty()) std::fputs(r.trace_table.c_str(), stdout);
  std::exit(r.ok ? 0 : 1);
}

}  // namespace

void initialize(const char* program, int* argc, char*** argv) {
  g_binary = (argc != nullptr && *argc > 0) ? (*argv)[0] : "fuzzer";
  const char* chosen = std::getenv("BRAID_FUZZ_PROGRAM");
  const std::string name = chosen != nullptr && chosen[0] != '\0' ? chosen : program;
  g_program = find_program(name);
  if (g_program == nullptr) {
    std::string known;
    for (const Program& p : schedule_programs()) known += " " + p.name;
    die("no program named '" + name + "'; known:" + known);
  }
  const char* features = std::getenv("BRAID_FUZZ_FEATURES");
  g_features = features == nullptr || std::strcmp(features, "0") != 0;
  g_options.apply_environment = false;
  if (const char* token = std::getenv("BRAID_REPLAY"); token != nullptr && token[0] != '\0') replay_and_exit(token);
  std::fprintf(stderr, "braid-fuzz: program %s (%s), interleaving features %s\n", g_program->name.c_str(),
               g_program->buggy ? "seeded bug" : "must pass", g_features ? "on" : "off");
}

int run_input(const std::uint8_t* data, std::size_t size) {
  ++g_executions;
  Report r = run_bytes(g_options, std::span<const std::uint8_t>(data, size), g_program->body,
                       g_features ? &g_found : nullptr);
  if (g_features) {
    for (std::uint32_t f : g_found) {
      std::uint8_t& c = braid_interleaving_counters[f & (sizeof braid_interleaving_counters - 1)];
      if (c != 255) ++c;
    }
  }
  if (r.ok) return 0;
  r.replay_command = replay_command(r);
  std::fprintf(stderr, "braid-fuzz: %s: failure after %llu executions\n", g_program->name.c_str(),
               static_cast<unsigned long long>(g_executions));
  std::fputs(r.to_string().c_str(), stderr);
  std::fputs("\n", stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace braid::fuzz
