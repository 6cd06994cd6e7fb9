// runtime/execution_view.cc
// -----------------------------------------------------------------------------
// Execution as an ExecutionView (strategies/scheduler.h): the steps taken and
// the step each thread is parked at, as (thread, op, object id), for the DPOR
// scheduler (strategies/dfs_scheduler.h).
// -----------------------------------------------------------------------------
#include "runtime/execution.h"

namespace braid::engine {

StepKey Execution::step_at(std::size_t i) const noexcept {
  const LoggedStep& s = log_[i];
  return StepKey{s.thread, s.op, s.object, s.guarded != 0 && s.wake == 0};
}

StepKey Execution::pending(std::uint32_t thread) {
  const LogicalThread& t = *threads_[thread];
  const std::uint32_t known = objects_.count();
  const std::uint32_t id = object_id(t.object);
  if (id > known) object_first_op_[id] = t.op;  // first seen here: name it by this op
  return StepKey{thread, t.op, id, !t.guard.always()};
}

}  // namespace braid::engine
