// Plain-text renderings of a trace: the step table and the swimlane.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "report/trace.h"
#include "report/trace_internal.h"

namespace braid::report {
namespace detail {

std::size_t thread_count(const Trace& trace) noexcept {
  std::size_t n = std::max<std::size_t>(trace.thread_names.size(), 1);
  for (const TraceStep& s : trace.steps) n = std::max<std::size_t>(n, std::size_t{s.thread} + 1);
  return n;
}

std::string thread_label(const Trace& trace, std::uint32_t id) {
  if (id < trace.thread_names.size() && !trace.thread_names[id].empty()) return trace.thread_names[id];
  return "#" + std::to_string(id);
}

std::string object_label(const Trace& trace, std::uint32_t id) {
  if (id == 0) return "";
  if (id < trace.object_names.size() && !trace.object_names[id].empty()) return trace.object_names[id];
  return "#" + std::to_string(id);
}

std::string op_label(const TraceStep& step) {
  std::string s = runtime::op_name(step.op);
  if (step.wake == 1) s += " (timeout)";
  else if (step.wake == 2) s += " (spurious)";
  else if (step.wake != 0) s += " (wake " + std::to_string(step.wake) + ")";
  return s;
}

RowPlan plan_rows(std::size_t steps, std::size_t max_rows) noexcept {
  if (max_rows == 0 || steps <= max_rows) return {steps, 0, 0};
  RowPlan plan;
  plan.head = (max_rows + 1) / 2;
  plan.tail = max_rows - plan.head;
  plan.omitted = steps - plan.head - plan.tail;
  return plan;
}

std::string omitted_line(std::size_t omitted) {
  return "... " + std::to_string(omitted) + (omitted == 1 ? " step" : " steps") + " omitted ...";
}

}  // namespace detail

namespace {

using detail::object_label;
using detail::op_label;
using detail::thread_label;

constexpr std::size_t kMaxCell = 40;     // widest swimlane column
constexpr std::size_t kMinCell = 16;     // narrowest swimlane column
constexpr std::size_t kTargetWidth = 150;  // swimlane width aimed for with many threads
constexpr std::size_t kMaxTableName = 32;  // widest thread or object name in the table

std::string location(const TraceStep& step) {
  const char* file = step.file ? step.file : "";
  if (*file == '\0') return step.line ? ":" + std::to_string(step.line) : "";
  std::string s(file_basename(file));
  if (step.line) s += ":" + std::to_string(step.line);
  return s;
}

// `text` cut to `width` characters, marking the cut with "..".
std::string clip(std::string text, std::size_t width) {
  if (text.size() <= width) return text;
  if (width <= 2) return text.substr(0, width);
  return text.substr(0, width - 2) + "..";
}

void pad(std::string& out, const std::string& cell, std::size_t width) {
  out += cell;
  if (cell.size() < width) out.append(width - cell.size(), ' ');
}

void end_line(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

std::string step_number(std::size_t index, std::size_t width) {
  std::string n = std::to_string(index + 1);
  return std::string(width > n.size() ? width - n.size() : 0, ' ') + n;
}

// "op object @ file:line", dropping the location, then the tail, to fit.
std::string swimlane_cell(const Trace& trace, const TraceStep& step, std::size_t width) {
  std::string head = op_label(step);
  std::string obj = object_label(trace, step.object);
  if (!obj.empty()) head += " " + obj;
  std::string loc = location(step);
  if (!loc.empty()) {
    std::string full = head + " @ " + loc;
    if (full.size() <= width) return full;
  }
  return clip(head, width);
}

}  // namespace

std::string_view file_basename(std::string_view path, int components) noexcept {
  std::size_t start = path.size();
  for (int k = 0; k < std::max(components, 1); ++k) {
    if (start == 0) return path;
    std::size_t cut = path.find_last_of("/\\", start - 1);
    if (cut == std::string_view::npos) return path;
    start = cut;
  }
  return path.substr(start + 1);
}

std::string describe_step(const Trace& trace, std::size_t index) {
  if (index >= trace.steps.size()) return "";
  const TraceStep& step = trace.steps[index];
  std::string s = thread_label(trace, step.thread) + ": " + op_label(step);
  std::string obj = object_label(trace, step.object);
  if (!obj.empty()) s += " " + obj;
  std::string loc = location(step);
  if (!loc.empty()) s += " @ " + loc;
  return s;
}

std::string render_table(const Trace& trace, std::size_t max_rows) {
  const std::size_t n = trace.steps.size();
  const detail::RowPlan plan = detail::plan_rows(n, max_rows);
  std::vector<std::array<std::string, 5>> rows;
  const std::size_t number_width = std::max<std::size_t>(4, std::to_string(n).size());
  rows.push_back({std::string(number_width - 4, ' ') + "step", "thread", "operation", "object", "location"});
  std::size_t gap_at = 0;
  detail::for_each_row(
      plan, n,
      [&](std::size_t i) {
        const TraceStep& s = trace.steps[i];
        rows.push_back({step_number(i, number_width), clip(thread_label(trace, s.thread), kMaxTableName),
                        op_label(s), clip(object_label(trace, s.object), kMaxTableName), location(s)});
      },
      [&] { gap_at = rows.size(); });

  std::array<std::size_t, 5> width{};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < 5; ++c) width[c] = std::max(width[c], row[c].size());

  std::string out;
  auto gap = [&] {
    out += std::string(number_width, ' ') + "  " + detail::omitted_line(plan.omitted);
    end_line(out);
  };
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (plan.omitted != 0 && r == gap_at) gap();
    for (std::size_t c = 0; c < 5; ++c) {
      if (c) out += "  ";
      pad(out, rows[r][c], width[c]);
    }
    end_line(out);
  }
  if (plan.omitted != 0 && gap_at == rows.size()) gap();
  return out;
}

std::string render_swimlane(const Trace& trace, std::size_t max_rows) {
  const std::size_t n = trace.steps.size();
  const std::size_t threads = detail::thread_count(trace);
  const detail::RowPlan plan = detail::plan_rows(n, max_rows);
  const std::size_t cap = std::clamp(kTargetWidth / threads, kMinCell, kMaxCell);
  const std::size_t number_width = std::max<std::size_t>(4, std::to_string(n).size());

  // Cells of the shown rows, then each column as wide as its widest cell.
  std::vector<std::size_t> shown;
  std::vector<std::string> cells;
  std::vector<std::size_t> width(threads, 0);
  for (std::size_t t = 0; t < threads; ++t)
    width[t] = std::min(cap, thread_label(trace, static_cast<std::uint32_t>(t)).size());
  std::size_t gap_at = 0;
  detail::for_each_row(
      plan, n,
      [&](std::size_t i) {
        const TraceStep& s = trace.steps[i];
        shown.push_back(i);
        cells.push_back(swimlane_cell(trace, s, cap));
        width[s.thread] = std::max(width[s.thread], cells.back().size());
      },
      [&] { gap_at = shown.size(); });

  std::string out;
  auto row = [&](const std::string& number, std::size_t column, const std::string& cell) {
    out += number;
    for (std::size_t t = 0; t < threads; ++t) {
      out += " | ";
      pad(out, t == column ? cell : std::string(), width[t]);
    }
    end_line(out);
  };
  // Header: thread names, then a rule.
  out += std::string(number_width - 4, ' ') + "step";
  for (std::size_t t = 0; t < threads; ++t) {
    out += " | ";
    pad(out, clip(thread_label(trace, static_cast<std::uint32_t>(t)), width[t]), width[t]);
  }
  end_line(out);
  out += std::string(number_width + 1, '-');
  for (std::size_t t = 0; t < threads; ++t) out += "+" + std::string(width[t] + 2, '-');
  end_line(out);
  auto gap = [&] {
    out += std::string(number_width, ' ') + "   " + detail::omitted_line(plan.omitted);
    end_line(out);
  };
  for (std::size_t r = 0; r < shown.size(); ++r) {
    if (plan.omitted != 0 && r == gap_at) gap();
    row(step_number(shown[r], number_width), trace.steps[shown[r]].thread, cells[r]);
  }
  if (plan.omitted != 0 && gap_at == shown.size()) gap();
  return out;
}

}  // namespace braid::report
