// Which steps of a failing execution's trace the HTML page marks (the rules are
// in report/trace_html.h).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "report/trace.h"
#include "report/trace_html.h"
#include "report/trace_internal.h"

namespace braid::report {
namespace {

using runtime::Op;

constexpr std::size_t kMaxBadge = 160;  // longest message text in a badge

bool is_access(Op op) noexcept { return op == Op::kSharedRead || op == Op::kSharedWrite; }

// "dir/file.cc:12" as the engine's messages write locations; "" when unknown.
std::string short_location(const char* file, std::uint32_t line) {
  if (file == nullptr || *file == '\0') return "";
  return std::string(file_basename(file, 2)) + ":" + std::to_string(line);
}

// The first line of `text`, cut to kMaxBadge characters.
std::string headline(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  if (first.size() <= kMaxBadge) return std::string(first);
  return std::string(first.substr(0, kMaxBadge - 3)) + "...";
}

// last[t] = index of thread t's last step, if it has one.
std::vector<std::optional<std::size_t>> last_steps(const Trace& trace) {
  std::vector<std::optional<std::size_t>> last(detail::thread_count(trace));
  for (std::size_t i = 0; i < trace.steps.size(); ++i) last[trace.steps[i].thread] = i;
  return last;
}

// The failing thread's last step: among the threads named `name`, the one that
// stepped last (it was running when the failure was detected).
std::optional<std::size_t> failing_step(const Trace& trace, const std::string& name,
                                        const std::vector<std::optional<std::size_t>>& last) {
  if (name.empty()) return std::nullopt;
  std::optional<std::size_t> best;
  for (std::size_t t = 0; t < last.size(); ++t) {
    if (!last[t] || detail::thread_label(trace, static_cast<std::uint32_t>(t)) != name) continue;
    if (!best || *last[t] > *best) best = last[t];
  }
  return best;
}

// The deadlock message's words about thread `name`: the rest of its line
// "  '<name>' blocked in lock.acquire on Lock#1 at x.cc:5; held by 'T'".
std::string blocked_detail(const std::string& message, const std::string& name) {
  const std::string key = "'" + name + "' blocked in ";
  const std::size_t at = message.find(key);
  if (at == std::string::npos) return "";
  const std::size_t from = at + key.size();
  const std::size_t end = message.find('\n', from);
  return message.substr(from, end == std::string::npos ? std::string::npos : end - from);
}

void mark_deadlock(const Trace& trace, const Report& report, const std::vector<std::optional<std::size_t>>& last,
                   FailureMarks& marks) {
  for (std::size_t t = 0; t < last.size(); ++t) {
    if (!last[t] || trace.steps[*last[t]].op == Op::kThreadEnd) continue;
    const std::string name = detail::thread_label(trace, static_cast<std::uint32_t>(t));
    const std::string next = blocked_detail(report.message, name);
    std::string label = "failed here: deadlock: '" + name + "' blocked after this step";
    if (!next.empty()) label += ", in " + headline(next);
    marks.steps.push_back({*last[t], std::move(label)});
  }
}

// The access the failing access `f` races with, or nullopt.
std::optional<std::size_t> racing_access(const Trace& trace, const std::string& message, std::size_t f) {
  const TraceStep& failing = trace.steps[f];
  if (!is_access(failing.op)) return std::nullopt;
  const bool write = failing.op == Op::kSharedWrite;
  std::optional<std::size_t> latest;
  for (std::size_t j = f; j-- > 0;) {
    const TraceStep& s = trace.steps[j];
    if (s.object != failing.object || s.thread == failing.thread || !is_access(s.op)) continue;
    const bool other_write = s.op == Op::kSharedWrite;
    if (!write && !other_write) continue;
    // The race message says "unordered with '<thread>''s write at dir/file.cc:12".
    const std::string named = "'" + detail::thread_label(trace, s.thread) + "''s " +
                              (other_write ? "write" : "read") + " at " + short_location(s.file, s.line);
    if (message.find(named) != std::string::npos) return j;
    if (!latest) latest = j;
  }
  return latest;
}

}  // namespace

FailureMarks failure_marks(const Report& report, const Trace& trace) {
  FailureMarks marks;
  if (report.ok || report.kind == FailureKind::kNone) return marks;
  marks.kind = report.kind;
  marks.message = report.message;
  marks.thread = report.thread;
  marks.where = short_location(report.where.file_name(), report.where.line());
  if (trace.steps.empty()) return marks;

  const auto last = last_steps(trace);
  const std::string kind = failure_kind_name(report.kind);
  const std::optional<std::size_t> failing = failing_step(trace, report.thread, last);
  if (report.kind == FailureKind::kDeadlock) mark_deadlock(trace, report, last, marks);
  if (marks.steps.empty()) {
    const std::size_t f = failing.value_or(trace.steps.size() - 1);
    marks.steps.push_back({f, "failed here: " + kind + ": " + headline(report.message)});
    if (report.kind == FailureKind::kDataRace) {
      if (const auto other = racing_access(trace, report.message, f)) {
        const TraceStep& s = trace.steps[*other];
        marks.steps.push_back({*other, "failed here: data_race: the " +
                                           std::string(s.op == Op::kSharedWrite ? "write" : "read") +
                                           " it races with (step " + std::to_string(f + 1) + ")"});
      }
    }
  }
  std::sort(marks.steps.begin(), marks.steps.end(),
            [](const StepMark& a, const StepMark& b) { return a.step < b.step; });
  marks.steps.erase(std::unique(marks.steps.begin(), marks.steps.end(),
                                [](const StepMark& a, const StepMark& b) { return a.step == b.step; }),
                    marks.steps.end());
  return marks;
}

std::string render_report_html(const Report& report, std::string_view title) {
  if (!report.trace) {
    const Trace empty;
    return render_html(empty, title, failure_marks(report, empty));
  }
  return render_html(*report.trace, title, failure_marks(report, *report.trace));
}

}  // namespace braid::report
