// The list of the tutorial's scenarios (see scenario.h).
#include "blog/scenario.h"

namespace braid::blog {

const std::vector<Scenario>& all() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> out;
    add_process_scenarios(out);
    add_subprocess_scenarios(out);
    add_thread_scenarios(out);
    add_balance_scenarios(out);
    add_lock_scenarios(out);
    return out;
  }();
  return scenarios;
}

const Scenario* find(std::string_view name) {
  for (const Scenario& s : all()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace braid::blog
