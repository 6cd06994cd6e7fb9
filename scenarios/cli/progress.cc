// The progress bar of `braid explore` (see progress.h).
#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace braid::cli {

std::string group_digits(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string render_progress(const std::string& label, const Progress& p, std::size_t width) {
  const double seconds = std::chrono::duration<double>(p.elapsed).count();
  const auto rate = seconds > 0 ? static_cast<std::uint64_t>(static_cast<double>(p.executions) / seconds) : 0;
  std::string tail;
  if (p.planned != 0) {
    constexpr int kCells = 20;
    const double done = std::min(1.0, static_cast<double>(p.executions) / static_cast<double>(p.planned));
    const int filled = static_cast<int>(done * kCells);
    tail += "[" + std::string(filled, '#') + std::string(kCells - filled, '.') + "] ";
    char pct[8];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(done * 100));
    tail += pct;
    tail += "  " + group_digits(p.executions) + "/" + group_digits(p.planned) + " executions";
  } else {
    tail += group_digits(p.executions) + " executions";
  }
  tail += "  " + group_digits(rate) + "/s";
  tail += "  " + group_digits(p.failures) + (p.failures == 1 ? " failure" : " failures");
  char secs[32];
  std::snprintf(secs, sizeof secs, "  %.1fs", seconds);
  tail += secs;
  std::string head = label;
  const std::size_t room = width > tail.size() + 2 ? width - tail.size() - 2 : 0;
  if (head.size() > room) head.resize(room);
  return head + "  " + tail;
}

ProgressBar::ProgressBar(std::string label, bool enabled, std::FILE* out, std::chrono::milliseconds delay)
    : label_(std::move(label)), enabled_(enabled), out_(out), delay_(delay) {}

void ProgressBar::update(const Progress& p) {
  if (!enabled_ || p.elapsed < delay_) return;
  std::fprintf(out_, "\r\033[K%s", render_progress(label_, p).c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace braid::cli
