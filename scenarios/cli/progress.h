// scenarios/cli/progress.h
// -----------------------------------------------------------------------------
// The progress bar `braid explore` draws on stderr while a scenario explores:
//
//   balance-lock  [##########..........]  50%  5,000/10,000 executions  41,200/s  0 failures  1.2s
//
// It appears only once an exploration has run for a second, only when stderr
// is a terminal (unless forced), is redrawn in place with '\r' at most every
// ~100 ms (braid::Options::on_progress), and is erased when the scenario ends,
// so the result table below it stays clean. dfs explorations, whose size is
// unknown in advance, show the counts without a bar.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_CLI_PROGRESS_H_
#define BRAID_SCENARIOS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "braid/explore.h"

namespace braid::cli {

// 1234567 -> "1,234,567".
std::string group_digits(std::uint64_t n);

// One line of the bar for `label` (no '\r', no newline), at most `width`
// characters (the label is cut to fit).
std::string render_progress(const std::string& label, const Progress& p, std::size_t width = 120);

// ProgressBar
//
// Draws render_progress() lines on `out` for one scenario. Inactive (draws
// nothing) when `enabled` is false. Not thread-safe: update() and finish()
// are called from the exploring thread.
class ProgressBar {
 public:
  ProgressBar(std::string label, bool enabled, std::FILE* out = stderr,
              std::chrono::milliseconds delay = std::chrono::seconds(1));
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws the bar, once the exploration has run for `delay`.
  void update(const Progress& p);
  // Erases the bar if it was drawn.
  void finish();

 private:
  std::string label_;
  bool enabled_;
  std::FILE* out_;
  std::chrono::milliseconds delay_;
  bool drawn_ = false;
};

// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace braid::cli

#endif  // BRAID_SCENARIOS_CLI_PROGRESS_H_
