// braid/fuzz.h
// -----------------------------------------------------------------------------
// Schedule fuzzing: run one execution of a test body under the interleaving
// that a fuzzer's input bytes describe, and get the braid Report.
//
//   extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
//     braid::Report r = braid::run_bytes(braid::Options{}, {data, size}, [] {
//       ... the program under test, with BRAID_ASSERT invariants ...
//     });
//     if (!r.ok) { std::fputs(r.to_string().c_str(), stderr); std::abort(); }
//     return 0;
//   }
//
// The input is read as moves of two bytes (gap, pick): keep the running thread
// for `gap` decisions, then switch to alternative `pick` (modulo the number of
// runnable alternatives); when the moves run out the running thread keeps
// going. Every byte string is a valid schedule, and the empty one is the
// schedule without preemptions (strategies/bytes_scheduler.cc has the
// details).
//
// A failing execution is confirmed and shrunk like one explore() finds, and
// its report carries an ordinary replay token (strategy "fuzz"):
// `braid::replay(token, body)`, BRAID_REPLAY=<token> and `braid replay`
// reproduce it without the input file. `braid replay --from-fuzz FILE
// <scenario>` converts a libFuzzer crash file into that token for the
// tutorial's scenarios.
//
// Coverage of interleavings: pass `features` to receive hashes that describe
// the execution's interleaving rather than its code path, for a fuzzer's
// extra coverage counters (libFuzzer: `__libfuzzer_extra_counters`):
//   * reads-from pairs: for each read of a Shared<T> or Atomic<T>, the source
//     location of the write it saw (none: the initial value) and of the read,
//     and whether they ran on different threads;
//   * conflicting pairs: for two consecutive operations on the same object by
//     different threads, at least one of them not a pure read or query
//     (Shared/Atomic writes, lock acquire/release, queue put/get, set/clear,
//     notify/wait, ...), the two source locations and operations, in order.
// They are computed from the execution's step log after it ends: the engine
// pays nothing for them, and nothing at all when `features` is null.
//
// Python equivalence: none; this is the harness around Python-shaped programs.
// -----------------------------------------------------------------------------
#ifndef BRAID_FUZZ_H_
#define BRAID_FUZZ_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "braid/explore.h"

namespace braid {

// run_bytes()
//
// Runs `body` once, as the main logical thread of one execution, under the
// schedule `bytes` describe, and returns its report. When the execution fails,
// the report is that of explore(): the failure was replayed (nondeterminism
// otherwise), shrunk unless `options.shrink` is false, and `report.token`
// replays it. When it passes, the report has `ok`, `executions == 1` and the
// step count, and no trace (building one costs more than the execution).
//
// Of `options`, only `max_steps`, `spurious_wakeups`, `shrink`,
// `shrink_attempts` and `apply_environment` (BRAID_* variables for those
// fields) apply; the strategy, seed, executions and time budget do not.
// When `features` is not null it is cleared and filled with the execution's
// interleaving features (see above), also for a failing execution.
//
// Must not be called from inside a logical thread. Never throws for any
// input; throws braid::ValueError only for a malformed environment variable.
// Not reentrant across OS threads' shared state: each OS thread keeps its own
// engine, reused from call to call.
Report run_bytes(const Options& options, std::span<const std::uint8_t> bytes, std::function<void()> body,
                 std::vector<std::uint32_t>* features = nullptr);

// fuzz_token()
//
// The replay token of the execution `bytes` describe, failing or not: the
// schedule as the replay strategy reads it (every decision, made explicit).
// `braid::replay(fuzz_token(o, b, body), body)` runs the same execution as
// `run_bytes(o, b, body)`.
std::string fuzz_token(const Options& options, std::span<const std::uint8_t> bytes, std::function<void()> body);

}  // namespace braid

#endif  // BRAID_FUZZ_H_
