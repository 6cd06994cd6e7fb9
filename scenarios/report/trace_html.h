// report/trace_html.h
// -----------------------------------------------------------------------------
// The HTML swimlane of a failing execution, with the failing step marked.
//
// render_html(trace, title) (report/trace.h) draws an interleaving; this header
// adds what `braid replay --html` needs for a failure: a banner at the top with
// the failure kind and message and links to the marked steps, a legend, and a
// red outline and badge ("failed here: data_race: ...") on each marked cell.
//
// Which steps are marked (failure_marks()):
//
//   The trace holds the steps that were *taken*; a step that blocks forever is
//   never taken, and a failure is detected either while a thread runs its code
//   between two steps (assertion, exception, misuse: the operation's step is
//   taken, then it throws) or at the thread's next scheduling point (data race,
//   deadlock, step limit, replay divergence). Only one logical thread runs at a
//   time, so:
//
//   * The failing step is the LAST step in the trace taken by the failing
//     thread (Report::thread). That thread was running when the failure was
//     detected, so when several threads share its name the one whose last step
//     is latest is taken. It is the step the failure happened at or right
//     after: the racing access, the misused operation, the last operation
//     before an assertion or exception. Matching on (thread, op, where) instead
//     would miss failures raised between steps, whose `where` is the assertion's
//     line, not an operation's.
//   * Deadlock: every thread whose last step is not `thread.end` is blocked
//     (in a deadlock no thread can run, and an unstarted thread could), so the
//     last step of each such thread is marked "blocked after this step", with
//     the deadlock message's line about that thread (what it waits for).
//   * Data race: the failing access as above, and the earlier access it races
//     with: the latest step before it, on the same object, by another thread,
//     a shared.read/shared.write conflicting with it (one of them a write),
//     preferring one whose thread and location the race message names.
//   * A failure with no thread (detected outside every logical thread) and no
//     blocked thread marks the last step of the trace. A passing run has no
//     marks, and its page no banner and no marked cell.
//
// In the page, each marked cell has class "failing-step" and data-step="<N>"
// (N = the 1-based step number of its row), and its row the id "step-<N>" that
// the banner links to. Marked steps are always drawn, also in the middle of a
// trace too long to draw whole (kHtmlMaxRows).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_REPORT_TRACE_HTML_H_
#define BRAID_SCENARIOS_REPORT_TRACE_HTML_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "braid/explore.h"
#include "report/trace.h"

namespace braid::report {

// One marked step.
struct StepMark {
  std::size_t step = 0;  // 0-based index into Trace::steps
  std::string label;     // the badge, e.g. "failed here: misuse: ..." or "blocked after this step: ..."
};

// What the page says about the failure.
struct FailureMarks {
  FailureKind kind = FailureKind::kNone;  // kNone: a passing run, nothing marked
  std::string message;
  std::string thread;             // the failing thread's name, may be ""
  std::string where;              // "dir/file.cc:12", or "" when unknown
  std::vector<StepMark> steps;    // in step order, no step twice

  bool failed() const noexcept { return kind != FailureKind::kNone; }
};

// failure_marks()
//
// The marks of `report`'s failure in `trace` (normally *report.trace), by the
// rules in the file comment. Empty (kind kNone) when report.ok.
FailureMarks failure_marks(const Report& report, const Trace& trace);

// render_html()
//
// The page of render_html(trace, title) with `marks` drawn: the banner, the
// legend and the marked cells. With no failure (`!marks.failed()`) it is
// exactly render_html(trace, title). Marks past the end of the trace are
// ignored.
std::string render_html(const Trace& trace, std::string_view title, const FailureMarks& marks);

// render_report_html()
//
// The page of `report`: its trace with its failure marked. A report without a
// trace gives a page with an empty swimlane.
std::string render_report_html(const Report& report, std::string_view title);

}  // namespace braid::report

#endif  // BRAID_SCENARIOS_REPORT_TRACE_HTML_H_
