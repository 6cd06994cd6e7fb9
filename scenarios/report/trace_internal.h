// report/trace_internal.h
// -----------------------------------------------------------------------------
// Helpers shared by the text and HTML renderings of a trace (trace.h). Internal
// to scenarios/report: not part of any public API.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_REPORT_TRACE_INTERNAL_H_
#define BRAID_SCENARIOS_REPORT_TRACE_INTERNAL_H_

#include <cstddef>
#include <string>

#include "report/trace.h"

namespace braid::report::detail {

// The number of thread columns: every named thread and every thread a step
// mentions. At least 1.
std::size_t thread_count(const Trace& trace) noexcept;

// The name of thread `id`, or "#<id>" when it has none.
std::string thread_label(const Trace& trace, std::uint32_t id);

// The name of object `id`: "" for 0, "#<id>" when it has none.
std::string object_label(const Trace& trace, std::uint32_t id);

// "lock.acquire", or "condition.wait (timeout)" / "... (spurious)".
std::string op_label(const TraceStep& step);

// Which steps a rendering shows when it may show `max_rows` (0 = all): the
// first `head` and the last `tail`, with `omitted` in between.
struct RowPlan {
  std::size_t head = 0;
  std::size_t tail = 0;
  std::size_t omitted = 0;
};
RowPlan plan_rows(std::size_t steps, std::size_t max_rows) noexcept;

// "... 812 steps omitted ..." (singular for one).
std::string omitted_line(std::size_t omitted);

// Calls fn(index) for each shown step and gap() once where steps are omitted.
template <typename Fn, typename Gap>
void for_each_row(const RowPlan& plan, std::size_t steps, Fn&& fn, Gap&& gap) {
  for (std::size_t i = 0; i < plan.head; ++i) fn(i);
  if (plan.omitted != 0) gap();
  for (std::size_t i = steps - plan.tail; i < steps; ++i) fn(i);
}

}  // namespace braid::report::detail

#endif  // BRAID_SCENARIOS_REPORT_TRACE_INTERNAL_H_
