// report/trace.h
// -----------------------------------------------------------------------------
// The trace of one model execution and its renderings.
//
// The engine records every step of an execution (which logical thread ran,
// which operation on which object, why a blocking step proceeded, where in the
// source) into a `Trace`. A failure report shows it in one of three forms:
//
//   * render_table()    one row per step, for logs and quick reading:
//
//       step  thread      operation                 object       location
//          1  MainThread  thread.start                           demo_test.cc:10
//          2  Thread-1    lock.acquire              Lock#1       demo_test.cc:4
//          3  Thread-1    condition.wait (timeout)  Condition#2  demo_test.cc:5
//
//   * render_swimlane() one column per thread, so that the interleaving reads
//     top to bottom and the thread doing each step reads left to right:
//
//       step | MainThread                     | Thread-1
//       -----+--------------------------------+--------------------------------------
//          1 | thread.start @ demo_test.cc:10 |
//          2 |                                | lock.acquire Lock#1 @ demo_test.cc:4
//          3 |                                | condition.wait (timeout) Condition#2
//
//   * render_html()     the swimlane as a self-contained HTML page (inline CSS,
//     no scripts), for `braid replay --html` and CI artifacts.
//
// All renderings are pure functions of the trace: deterministic, no I/O, safe
// to call from any thread. Text renderings are plain ASCII-aligned (names are
// printed as given) with no trailing spaces. Step numbers are 1-based: the
// first step of an execution is step 1. File names are shortened to their
// basename in the text renderings and to their last two components in HTML
// (where the full path and function are in the cell's tooltip).
//
// A trace that refers to a thread or object id with no name (an index past the
// end of the name vectors) is rendered with a placeholder "#<id>" rather than
// rejected.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_REPORT_TRACE_H_
#define BRAID_SCENARIOS_REPORT_TRACE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "braid/runtime.h"

namespace braid::report {

// TraceStep
//
// One visible operation of one logical thread.
// Fields are ordered to pack into 32 bytes: the engine appends one per step.
struct TraceStep {
  std::uint32_t thread = 0;     // logical thread id, 0 = main
  runtime::Op op = runtime::Op::kUser;
  std::uint8_t wake = 0;        // runtime::Wake as integer: 0 ready, 1 timeout, 2 spurious
  std::uint8_t guarded = 0;     // 1: the step had a non-always guard (it could block), for DPOR
  std::uint32_t object = 0;     // object id within the execution, 0 = none
  std::uint32_t line = 0;       // from braid::source_location
  const char* file = "";
  const char* function = "";
};
static_assert(sizeof(TraceStep) <= 32, "TraceStep is appended on every step: keep it small");

// Trace
//
// The steps of one execution in execution order, with the names of the threads
// and objects they mention. The `file` and `function` pointers of the steps
// point at string literals from braid::source_location and stay valid for the
// life of the program.
struct Trace {
  std::vector<std::string> thread_names;  // index = thread id
  std::vector<std::string> object_names;  // index = object id; [0] is ""; e.g. "Lock#1"
  std::vector<TraceStep> steps;
};

// render_table()
//
// One row per step: step number, thread name, operation (op_name, with
// "(timeout)" or "(spurious)" when the step proceeded for that reason), object
// and file:line. A trace longer than `max_rows` keeps its first and last rows
// around one line "... N steps omitted ..."; `max_rows == 0` means no limit.
std::string render_table(const Trace& trace, std::size_t max_rows = 200);

// render_swimlane()
//
// One column per thread; each step in its thread's column ("lock.acquire Lock#1
// @ file.cc:12", the location and then the tail dropped to fit the column),
// rows in execution order. Columns are at most 40 characters wide, narrower
// when there are many threads. Long traces are elided as in render_table.
std::string render_swimlane(const Trace& trace, std::size_t max_rows = 200);

// render_html()
//
// A self-contained HTML page (inline CSS, no scripts, no external resources) of
// the swimlane, titled `title`. Every name, path and the title are escaped.
// Traces longer than kHtmlMaxRows steps keep their first and last steps.
std::string render_html(const Trace& trace, std::string_view title);

// The row limit of render_html.
inline constexpr std::size_t kHtmlMaxRows = 20'000;

// describe_step()
//
// One step as a single line, e.g. "Thread-1: lock.acquire Lock#1 @ demo.cc:4",
// for failure messages that point at a step. `index` is 0-based; an index past
// the end gives "".
std::string describe_step(const Trace& trace, std::size_t index);

// file_basename()
//
// The last component of `path` ("a/b/c.cc" -> "c.cc"), splitting on '/' and '\\'.
// With `components == 2`, the last two ("b/c.cc").
std::string_view file_basename(std::string_view path, int components = 1) noexcept;

// html_escape()
//
// `text` with &, <, >, " and ' replaced by character references, safe both as
// element text and inside a quoted attribute.
std::string html_escape(std::string_view text);

}  // namespace braid::report

#endif  // BRAID_SCENARIOS_REPORT_TRACE_H_
