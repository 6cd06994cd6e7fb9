// src/explore_dfs.h
// -----------------------------------------------------------------------------
// explore() for the dfs strategies (Strategy::Kind::kDfs): the loop over the
// executions of a DfsScheduler until its tree is exhausted, bounded search
// and iterative deepening over the bound, and the report's dfs fields.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_SRC_EXPLORE_DFS_H_
#define BRAID_SCENARIOS_SRC_EXPLORE_DFS_H_

#include <cstdint>
#include <functional>
#include <span>

#include "braid/explore.h"

namespace braid::engine {

// The choice list of a counted execution (for tests: which executions a
// shard counts).
using DfsCountedHook = std::function<void(std::span<const std::uint32_t> choices)>;

// `options` has the environment applied and a kDfs strategy. `counted`, when
// set, is called after each execution the report counts in `executions` (not
// sleep-set blocked, not another shard's) with that execution's choices.
Report explore_dfs(const Options& options, const std::function<void()>& body, const DfsCountedHook& counted = {});

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_SRC_EXPLORE_DFS_H_
