// src/report.cc
// -----------------------------------------------------------------------------
// Report::to_string() and the names of failure kinds: the text a person reads
// when an exploration fails, ending with the line that reproduces it.
// -----------------------------------------------------------------------------
#include <cstdio>
#include <string>

#include "braid/explore.h"
#include "report/trace.h"

namespace braid {

const char* failure_kind_name(FailureKind kind) noexcept {
  switch (kind) {
    case FailureKind::kNone: return "ok";
    case FailureKind::kAssertion: return "assertion";
    case FailureKind::kUncaughtException: return "uncaught_exception";
    case FailureKind::kDeadlock: return "deadlock";
    case FailureKind::kMisuse: return "misuse";
    case FailureKind::kDataRace: return "data_race";
    case FailureKind::kStepLimit: return "step_limit";
    case FailureKind::kNondeterminism: return "nondeterminism";
  }
  return "unknown";
}

std::string Report::replay_line() const {
  if (token.empty()) return "";
  if (!replay_command.empty()) return replay_command;
  std::string line = "BRAID_REPLAY=" + token;
  if (!test_name.empty()) {
    line += " ctest --test-dir " + (build_dir.empty() ? std::string("build") : build_dir) + " -R '^" + test_name +
            "$' --output-on-failure";
  } else {
    line += " <the command that ran this exploration>";
  }
  return line;
}

std::string Report::to_string() const {
  const double ms = static_cast<double>(wall_time.count()) / 1e6;
  char counts[256];
  if (ok && !summary.empty()) {
    std::snprintf(counts, sizeof counts, " (%llu steps, %.1f ms)\n", static_cast<unsigned long long>(steps), ms);
    return "braid: ok: " + summary + counts;
  }
  if (ok) {
    std::snprintf(counts, sizeof counts, "braid: ok: %llu executions, %llu steps, %.1f ms, no failure\n",
                  static_cast<unsigned long long>(executions), static_cast<unsigned long long>(steps), ms);
    return counts;
  }
  std::string out = std::string("braid: ") + failure_kind_name(kind) + " found after " + std::to_string(executions) +
                    " execution(s)\n";
  out += message + "\n";
  if (!thread.empty() || where.line() != 0) {
    out += "  in thread '" + thread + "'";
    if (op) out += std::string(" during ") + runtime::op_name(*op);
    if (where.line() != 0) {
      out += " at " + std::string(report::file_basename(where.file_name(), 2)) + ":" + std::to_string(where.line());
      if (where.function_name() != nullptr && where.function_name()[0] != '\0') {
        out += std::string(" (") + where.function_name() + ")";
      }
    }
    out += "\n";
  }
  if (!swimlane.empty()) out += "\ntrace:\n" + swimlane + "\n";
  std::snprintf(counts, sizeof counts,
                "schedule: %llu steps, %llu preemptions (found with %llu steps, %llu preemptions; %llu shrink "
                "runs); %.1f ms\n",
                static_cast<unsigned long long>(steps), static_cast<unsigned long long>(preemptions),
                static_cast<unsigned long long>(steps_before_shrink),
                static_cast<unsigned long long>(preemptions_before_shrink), static_cast<unsigned long long>(shrink_runs),
                ms);
  out += counts;
  if (!summary.empty()) out += summary + "\n";
  out += replay_line();
  return out;
}

}  // namespace braid
