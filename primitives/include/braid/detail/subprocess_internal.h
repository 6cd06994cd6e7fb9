// braid/detail/subprocess_internal.h
// -----------------------------------------------------------------------------
// Internals of braid::subprocess shared by its source files: Python's message
// formats, the owning file descriptor, the SIGPIPE guard, non-blocking I/O
// helpers and the spawn step. Not part of the public API.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_SUBPROCESS_INTERNAL_H_
#define BRAID_DETAIL_SUBPROCESS_INTERNAL_H_

#include <signal.h>

#include <atomic>
#include <climits>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "braid/detail/futex_mutex.h"
#include "braid/subprocess.h"

namespace braid::subprocess::detail {

// -- Python's texts ---------------------------------------------------------------

// repr() of a str: 'it' or "it's", with \\, \n, \r, \t and \xNN escapes.
std::string py_repr(std::string_view s);
// repr() of bytes: b'...' (Python escapes every byte >= 0x7f).
std::string py_bytes_repr(std::string_view s);
// A duration in seconds as Python prints the number: "2", "0.05", "1e-05".
std::string format_seconds(Duration d);
// "<Signals.SIGKILL: 9>", or nullopt for a number Signals does not name.
std::optional<std::string> signal_repr(int sig);
// "[Errno 2] No such file or directory".
std::string errno_message(int err);
// Throws what Python raises for errno `err`: FileNotFoundError for ENOENT,
// OSError otherwise; with a filename, "...: 'name'" is appended.
[[noreturn]] void raise_os_error(int err, const std::string* filename = nullptr);

// -- Descriptors ------------------------------------------------------------------

// An owned file descriptor, closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// Sets or clears O_NONBLOCK. Throws OSError.
void set_nonblocking(int fd, bool on);

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT), retrying on EINTR.
void wait_fd(int fd, short events);

// SigpipeBlock
//
// Blocks SIGPIPE in the calling thread for its lifetime, so that writing to a
// pipe whose reader has gone fails with EPIPE instead of killing the process.
// If a write raised SIGPIPE (note_epipe()), the signal it left pending is
// consumed before SIGPIPE is unblocked, unless one was pending already. Does
// nothing if the thread had SIGPIPE blocked.
class SigpipeBlock {
 public:
  SigpipeBlock() noexcept;
  ~SigpipeBlock();
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;
  void note_epipe() noexcept { epipe_ = true; }

 private:
  bool was_blocked_ = false;
  bool was_pending_ = false;
  bool epipe_ = false;
};

// -- Spawning ---------------------------------------------------------------------

// Spawned
//
// A child started by spawn(): its pid, a pidfd for it (-1 if the kernel has
// none) and the parent's ends of the pipes requested (-1 where none).
struct Spawned {
  int pid = -1;
  int pidfd = -1;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Validates `options`, finds the program, creates the pipes and starts the
// child with posix_spawn. On failure nothing is left open or running. Throws
// what Popen() documents.
Spawned spawn(const Args& args, const Options& options);

// Collected
//
// Output read from one pipe by communicate(). `len` is data.size().
struct Collected {
  std::string data;
  std::size_t len = 0;

  // One read(2) from `fd` appended, sized by FIONREAD. Returns the bytes
  // read, 0 at end of file, -1 when nothing was available (EAGAIN, EINTR).
  // Throws OSError.
  long read_from(int fd);
  // Everything read so far (empties the buffer).
  std::string take();
};

}  // namespace braid::subprocess::detail

namespace braid::subprocess {

// The state of one child, shared by the Popen source files. Lives on the
// heap so that a Popen can move while streams are referenced.
struct Popen::State {
  static constexpr int kRunning = INT_MIN;

  Args args;
  int pid = -1;
  int pidfd = -1;  // -1 if the kernel has no pidfd_open
  // Held (never across a blocking call) by whoever calls waitpid, so that
  // exactly one thread reaps and no signal is sent to a reaped pid.
  braid::detail::FutexMutex wait_mu;
  std::atomic<int> returncode{kRunning};
  Stream in, out, err;

  // communicate(): Python's _communication_started, _input, _input_offset and
  // the output collected so far, kept across a TimeoutExpired.
  bool communication_started = false;
  bool nonblocking = false;
  std::string_view input;   // the caller's input during a call, else input_copy
  std::string input_copy;   // what remained to send when a call ended early
  std::size_t input_offset = 0;
  detail::Collected out_buf, err_buf;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State();

  // Reaps the child if it has ended (waitpid WNOHANG); true once reaped, by
  // this call or an earlier one. Requires wait_mu.
  bool try_reap();
};

}  // namespace braid::subprocess

#endif  // BRAID_DETAIL_SUBPROCESS_INTERNAL_H_
