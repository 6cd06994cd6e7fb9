// The HTML rendering of a trace: a self-contained swimlane page, with the
// failing step(s) marked when there is a failure (report/trace_html.h).
#include <string>
#include <vector>

#include "report/trace.h"
#include "report/trace_html.h"
#include "report/trace_internal.h"

namespace braid::report {
namespace {

// Inline style: one tinted column per thread (8 tints, then they repeat), a
// sticky header, monospace cells, timeouts and spurious wake-ups highlighted.
// Each lane also has its own solid colour, a bar over its (sticky) header:
// lane k is #1f77b4, #2ca02c, #ff7f0e, #9467bd, #17becf,
// #d62728, #bcbd22, #e377c2 for k mod 8 = 0..7 (tests/browser counts them in
// a screenshot to check that every lane is drawn). A marked (failing) step's
// cell has a #c8102e outline and badge; the failure banner a #7a0019 border
// (tests/browser looks for the marker colour too): neither is a lane colour.
constexpr const char* kStyle = R"css(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.3em; margin: 0 0 .3em; }
p.summary { color: #555; margin: 0 0 1em; }
table.swimlane { border-collapse: collapse; font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; }
table.swimlane th, table.swimlane td { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; white-space: nowrap; }
table.swimlane thead th { position: sticky; top: 0; background: #f4f4f6; z-index: 1; }
td.n { text-align: right; color: #888; }
td.gap { text-align: center; color: #888; font-style: italic; }
.op { font-weight: 600; }
.obj { color: #2a5db0; }
.loc { color: #777; }
.wake { color: #b3261e; font-weight: 600; }
td.c0 { background: #eef4ff; } td.c1 { background: #eefaf0; } td.c2 { background: #fff6e8; }
td.c3 { background: #f8eefc; } td.c4 { background: #e9f8f8; } td.c5 { background: #fdeef0; }
td.c6 { background: #f3f6e6; } td.c7 { background: #eef0f4; }
thead th:nth-child(n+2) { border-top: 6px solid; }
thead th:nth-child(8n+2) { border-top-color: #1f77b4; }
thead th:nth-child(8n+3) { border-top-color: #2ca02c; }
thead th:nth-child(8n+4) { border-top-color: #ff7f0e; }
thead th:nth-child(8n+5) { border-top-color: #9467bd; }
thead th:nth-child(8n+6) { border-top-color: #17becf; }
thead th:nth-child(8n+7) { border-top-color: #d62728; }
thead th:nth-child(8n+8) { border-top-color: #bcbd22; }
thead th:nth-child(8n+9) { border-top-color: #e377c2; }
)css";

// Added to kStyle on a failure's page only: the banner, the legend and the
// marked cells.
constexpr const char* kFailureStyle = R"css(
div.failure { border: 2px solid #7a0019; border-left-width: 8px; background: #fff0f1;
              padding: .5em .9em; margin: 0 0 .8em; }
div.failure .head { font-weight: 600; color: #7a0019; }
div.failure pre { margin: .4em 0; white-space: pre-wrap;
                  font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
div.failure a { color: #7a0019; font-weight: 600; }
p.legend { color: #555; margin: 0 0 1em; font-size: .9em; }
span.swatch { display: inline-block; width: 1.6em; height: .9em; vertical-align: middle;
              border: 3px solid #c8102e; background: #fff; }
tr.failing-row { scroll-margin-top: 3em; }
td.failing-step { outline: 3px solid #c8102e; outline-offset: -3px; }
td.failing-step div.badge { display: block; margin: 2px 0 1px; padding: 1px 6px; background: #c8102e;
                            color: #fff; font-weight: 600; white-space: normal; max-width: 48em; }
)css";

const char* wake_name(std::uint8_t wake) {
  switch (wake) {
    case 0: return "";
    case 1: return "timeout";
    case 2: return "spurious";
    default: return "wake";
  }
}

// The cell of step `index` in lane `column`; `mark` is its badge, or null.
void cell(std::string& out, const Trace& trace, std::size_t index, std::size_t column, const StepMark* mark) {
  const TraceStep& step = trace.steps[index];
  out += "<td class=\"c" + std::to_string(column % 8);
  if (mark != nullptr) out += " failing-step\" data-step=\"" + std::to_string(index + 1);
  out += "\">";
  out += "<span class=\"op\">";
  out += html_escape(runtime::op_name(step.op));
  out += "</span>";
  if (step.wake != 0) {
    out += " <span class=\"wake\">(";
    out += wake_name(step.wake);
    out += ")</span>";
  }
  std::string obj = detail::object_label(trace, step.object);
  if (!obj.empty()) out += " <span class=\"obj\">" + html_escape(obj) + "</span>";
  const char* file = step.file ? step.file : "";
  const char* function = step.function ? step.function : "";
  if (*file != '\0' || step.line != 0) {
    std::string line = step.line ? ":" + std::to_string(step.line) : "";
    std::string tip = std::string(file) + line;
    if (*function != '\0') tip += " in " + std::string(function);
    out += " <span class=\"loc\" title=\"" + html_escape(tip) + "\">@ " +
           html_escape(file_basename(file, 2)) + html_escape(line) + "</span>";
  }
  if (mark != nullptr) out += "<div class=\"badge\">" + html_escape(mark->label) + "</div>";
  out += "</td>";
}

// The failure banner (kind, thread, location, message, links to the marked
// steps) and the legend.
void banner(std::string& out, const Trace& trace, const FailureMarks& marks,
            const std::vector<const StepMark*>& shown) {
  out += "<div class=\"failure\" id=\"failure\" role=\"alert\">\n<div class=\"head\">Failed: ";
  out += html_escape(failure_kind_name(marks.kind));
  if (!marks.thread.empty()) out += " in thread &#39;" + html_escape(marks.thread) + "&#39;";
  if (!marks.where.empty()) out += " at " + html_escape(marks.where);
  out += "</div>\n<pre>" + html_escape(marks.message) + "</pre>\n<div class=\"links\">";
  if (shown.empty()) {
    out += "No step of the trace is marked (the failure happened before the first step).";
  } else {
    out += shown.size() == 1 ? "Failing step: " : "Failing steps: ";
    for (std::size_t k = 0; k < shown.size(); ++k) {
      const std::string number = std::to_string(shown[k]->step + 1);
      if (k != 0) out += ", ";
      out += "<a href=\"#step-" + number + "\">step " + number + "</a> (" +
             html_escape(describe_step(trace, shown[k]->step)) + ")";
    }
  }
  out += "</div>\n</div>\n<p class=\"legend\"><span class=\"swatch\"></span> a failing step: the step the "
         "failure happened at or right after (a data race: both accesses; a deadlock: the last step of each "
         "blocked thread, which blocked in the operation after it)</p>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_html(const Trace& trace, std::string_view title) {
  return render_html(trace, title, FailureMarks{});
}

std::string render_html(const Trace& trace, std::string_view title, const FailureMarks& marks) {
  const std::size_t n = trace.steps.size();
  const std::size_t threads = detail::thread_count(trace);
  const detail::RowPlan plan = detail::plan_rows(n, kHtmlMaxRows);
  const std::string safe_title = html_escape(title);

  // mark_of[i]: the mark of step i, or null. Marked steps are drawn even in
  // the omitted middle of a long trace.
  std::vector<const StepMark*> mark_of;
  std::vector<const StepMark*> shown_marks;
  if (marks.failed()) {
    mark_of.assign(n, nullptr);
    for (const StepMark& m : marks.steps) {
      if (m.step >= n || mark_of[m.step] != nullptr) continue;
      mark_of[m.step] = &m;
      shown_marks.push_back(&m);
    }
  }
  auto mark_at = [&](std::size_t i) -> const StepMark* { return mark_of.empty() ? nullptr : mark_of[i]; };
  std::vector<std::size_t> middle;  // marked steps in the omitted middle, in order
  for (const StepMark* m : shown_marks)
    if (m->step >= plan.head && m->step < n - plan.tail) middle.push_back(m->step);
  const std::size_t omitted = plan.omitted - middle.size();

  std::string out;
  out.reserve(1024 + n * (threads * 12 + 120));
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += safe_title;
  out += "</title>\n<style>";
  out += kStyle;
  if (marks.failed()) out += kFailureStyle;
  out += "</style>\n</head>\n<body>\n<h1>";
  out += safe_title;
  out += "</h1>\n";
  if (marks.failed()) banner(out, trace, marks, shown_marks);
  out += "<p class=\"summary\">";
  out += std::to_string(n) + (n == 1 ? " step, " : " steps, ");
  out += std::to_string(threads) + (threads == 1 ? " thread" : " threads");
  if (omitted != 0) out += " (" + std::to_string(omitted) + " middle steps omitted)";
  out += "</p>\n<table class=\"swimlane\">\n<thead><tr><th>step</th>";
  for (std::size_t t = 0; t < threads; ++t) {
    out += "<th>" + html_escape(detail::thread_label(trace, static_cast<std::uint32_t>(t))) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  auto row = [&](std::size_t i) {
    const TraceStep& step = trace.steps[i];
    const StepMark* mark = mark_at(i);
    const std::string number = std::to_string(i + 1);
    if (mark != nullptr) out += "<tr id=\"step-" + number + "\" class=\"failing-row\">";
    else out += "<tr>";
    out += "<td class=\"n\">" + number + "</td>";
    for (std::size_t t = 0; t < threads; ++t) {
      if (t == step.thread) cell(out, trace, i, t, mark);
      else out += "<td></td>";
    }
    out += "</tr>\n";
  };
  auto gap = [&](std::size_t count) {
    out += "<tr><td class=\"gap\" colspan=\"" + std::to_string(threads + 1) + "\">" +
           detail::omitted_line(count) + "</td></tr>\n";
  };
  for (std::size_t i = 0; i < plan.head; ++i) row(i);
  if (plan.omitted != 0) {
    std::size_t cursor = plan.head;
    for (std::size_t k : middle) {
      if (k > cursor) gap(k - cursor);
      row(k);
      cursor = k + 1;
    }
    if (cursor < n - plan.tail) gap(n - plan.tail - cursor);
  }
  for (std::size_t i = n - plan.tail; i < n; ++i) row(i);
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace braid::report
