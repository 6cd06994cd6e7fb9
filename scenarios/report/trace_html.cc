// The HTML rendering of a trace: a self-contained swimlane page.
#include <string>

#include "report/trace.h"
#include "report/trace_internal.h"

namespace braid::report {
namespace {

// Inline style: one tinted column per thread (8 tints, then they repeat), a
// sticky header, monospace cells, timeouts and spurious wake-ups highlighted.
// Each lane also has its own solid colour, a bar over its (sticky) header:
// lane k is #1f77b4, #2ca02c, #ff7f0e, #9467bd, #17becf,
// #d62728, #bcbd22, #e377c2 for k mod 8 = 0..7 (tests/browser counts them in
// a screenshot to check that every lane is drawn).
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

const char* wake_name(std::uint8_t wake) {
  switch (wake) {
    case 0: return "";
    case 1: return "timeout";
    case 2: return "spurious";
    default: return "wake";
  }
}

void cell(std::string& out, const Trace& trace, const TraceStep& step, std::size_t column) {
  out += "<td class=\"c" + std::to_string(column % 8) + "\">";
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
  out += "</td>";
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
  const std::size_t n = trace.steps.size();
  const std::size_t threads = detail::thread_count(trace);
  const detail::RowPlan plan = detail::plan_rows(n, kHtmlMaxRows);
  const std::string safe_title = html_escape(title);

  std::string out;
  out.reserve(1024 + n * (threads * 12 + 120));
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  out += safe_title;
  out += "</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>";
  out += safe_title;
  out += "</h1>\n<p class=\"summary\">";
  out += std::to_string(n) + (n == 1 ? " step, " : " steps, ");
  out += std::to_string(threads) + (threads == 1 ? " thread" : " threads");
  if (plan.omitted != 0) out += " (" + std::to_string(plan.omitted) + " middle steps omitted)";
  out += "</p>\n<table class=\"swimlane\">\n<thead><tr><th>step</th>";
  for (std::size_t t = 0; t < threads; ++t) {
    out += "<th>" + html_escape(detail::thread_label(trace, static_cast<std::uint32_t>(t))) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  detail::for_each_row(
      plan, n,
      [&](std::size_t i) {
        const TraceStep& step = trace.steps[i];
        out += "<tr><td class=\"n\">" + std::to_string(i + 1) + "</td>";
        for (std::size_t t = 0; t < threads; ++t) {
          if (t == step.thread) cell(out, trace, step, t);
          else out += "<td></td>";
        }
        out += "</tr>\n";
      },
      [&] {
        out += "<tr><td class=\"gap\" colspan=\"" + std::to_string(threads + 1) + "\">" +
               detail::omitted_line(plan.omitted) + "</td></tr>\n";
      });
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace braid::report
