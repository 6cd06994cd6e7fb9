// generators/linearizability_history.h
// -----------------------------------------------------------------------------
// random_history(): a random concurrent history of queue operations that is
// linearizable by construction (each operation takes effect on a real FIFO
// queue at its invocation), for the checker's tests and benchmark.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_HISTORY_H_
#define BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_HISTORY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

#include "generators/linearizability.h"

namespace braid::gen::lin {

// `n` operations of `threads` threads on `objects` queues; each operation
// takes effect at its invocation and returns after a random number of other
// threads' events, so up to `threads` operations overlap.
inline std::vector<Operation> random_history(std::size_t n, int threads, int objects, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Operation> out;
  std::vector<std::deque<std::int64_t>> queues(objects);
  std::vector<std::optional<Operation>> open(threads);
  std::uint64_t clock = 0;
  std::int64_t value = 0;
  // Stop once `n` operations completed and none is left open (a get may
  // have taken the value of a put still open).
  auto any_open = [&] {
    for (const auto& o : open) {
      if (o) return true;
    }
    return false;
  };
  while (out.size() < n || any_open()) {
    const int t = static_cast<int>(rng() % threads);
    if (open[t] || out.size() >= n) {
      if (!open[t]) continue;
      open[t]->response = ++clock;
      out.push_back(*open[t]);
      open[t].reset();
      continue;
    }
    Operation op;
    op.thread = static_cast<std::uint32_t>(t);
    op.object = rng() % objects;
    op.invoke = ++clock;
    auto& q = queues[op.object];
    if (rng() % 2 == 0) {
      op.kind = OpKind::kPut;
      op.value = value++;
      q.push_back(op.value);
    } else if (q.empty()) {
      op.kind = OpKind::kGetEmpty;
    } else {
      op.kind = OpKind::kGet;
      op.value = q.front();
      q.pop_front();
    }
    open[t] = op;
  }
  return out;
}

}  // namespace braid::gen::lin

#endif  // BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_HISTORY_H_
