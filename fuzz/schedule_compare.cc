// fuzz/schedule_compare.cc — braid_schedule_compare: the random and PCT side
// of the fuzzing-versus-random-versus-PCT table (bench/fuzz_vs_random.py).
//
//   braid_schedule_compare list
//   braid_schedule_compare <program> <strategy> <seed> <max-executions>
//
// explores the program (schedule_programs.h) with the strategy (random,
// pct:<depth>, as BRAID_STRATEGY spells it) and prints one line
//   program=<name> strategy=<s> seed=<n> found=<0|1> executions=<n> kind=<kind>
// where `executions` counts the executions up to and including the first
// failing one (all of them if none failed). No shrinking, no time budget.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "braid/errors.h"
#include "braid/explore.h"
#include "schedule_programs.h"

int main(int argc, char** argv) {
  using namespace braid;
  if (argc == 2 && std::string(argv[1]) == "list") {
    for (const fuzz::Program& p : fuzz::schedule_programs()) {
      std::printf("%-24s %-10s %-6s %s\n", p.name.c_str(), p.family.c_str(), p.buggy ? "bug" : "fixed",
                  p.summary.c_str());
    }
    return 0;
  }
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s list | <program> <strategy> <seed> <max-executions>\n", argv[0]);
    return 2;
  }
  const fuzz::Program* program = fuzz::find_program(argv[1]);
  if (program == nullptr) {
    std::fprintf(stderr, "no program named '%s'\n", argv[1]);
    return 2;
  }
  Options o;
  o.apply_environment = false;
  try {
    o.strategy = Strategy::parse(argv[2]);
  } catch (const ValueError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  o.seed = std::strtoull(argv[3], nullptr, 0);
  o.executions = std::strtoull(argv[4], nullptr, 0);
  o.shrink = false;
  o.time_budget = std::chrono::milliseconds(0);
  const Report r = explore(o, program->body);
  std::printf("program=%s strategy=%s seed=%s found=%d executions=%llu kind=%s\n", program->name.c_str(), argv[2],
              argv[3], r.ok ? 0 : 1, static_cast<unsigned long long>(r.executions), failure_kind_name(r.kind));
  return 0;
}
