// scenarios/blog/scenario.h
// -----------------------------------------------------------------------------
// The tutorial's programs as named scenarios: each is a C++ rendering, with
// braid's primitives, of one program the well-known Python concurrency tutorial
// teaches, plus the invariant it must keep and the verdict braid must reach.
//
//   for (const auto& s : braid::blog::all()) {
//     braid::Report r = braid::explore(opts, s.body);
//     // r.ok == (s.expect == braid::blog::Verdict::kPass)
//   }
//
// Bodies are written for the model runtime (they use BRAID_ASSERT and small
// iteration counts so one execution is a few hundred steps); they also run on
// real threads.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_BLOG_SCENARIO_H_
#define BRAID_SCENARIOS_BLOG_SCENARIO_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "braid/explore.h"

namespace braid::blog {

// What exploring a scenario must conclude.
enum class Verdict { kPass, kFail };

struct Scenario {
  std::string name;       // e.g. "balance-lock"
  std::string summary;    // one line: what the program does and why it passes or fails
  std::string python;     // the Python idiom it renders
  Verdict expect = Verdict::kPass;
  FailureKind expected_kind = FailureKind::kNone;  // for kFail: the kind braid reports
  std::function<void()> body;
};

// Every scenario, in the tutorial's order.
const std::vector<Scenario>& all();

// The scenario called `name`, or null.
const Scenario* find(std::string_view name);

// Registration of each program file (called once by all()).
void add_process_scenarios(std::vector<Scenario>& out);
void add_subprocess_scenarios(std::vector<Scenario>& out);
void add_balance_scenarios(std::vector<Scenario>& out);
void add_lock_scenarios(std::vector<Scenario>& out);
void add_thread_scenarios(std::vector<Scenario>& out);

}  // namespace braid::blog

#endif  // BRAID_SCENARIOS_BLOG_SCENARIO_H_
