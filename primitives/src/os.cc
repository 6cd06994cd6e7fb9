// os.cc
// -----------------------------------------------------------------------------
// braid/os.h: Python's os process calls over the POSIX ones, with Python's
// errors (OSError "[Errno N] text", ChildProcessError, ProcessLookupError),
// EINTR retries, and the model runtime's simulated pids.
// -----------------------------------------------------------------------------
#include "braid/os.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "braid/detail/model_bookkeeping.h"
#include "braid/runtime.h"
#include "os_internal.h"

namespace braid::os {
namespace {

struct ModelledPid {
  int pid = 0;
  int ppid = 0;
};

// Per exploring OS thread: every logical thread of an execution runs there.
thread_local std::vector<ModelledPid> tls_modelled_pids;

ModelledPid modelled_pid(runtime::Model& m) {
  unsigned process = m.process_id();
  braid::detail::ModelBookkeeping bookkeeping;  // the table is shared by every simulated process
  if (process < tls_modelled_pids.size() && tls_modelled_pids[process].pid != 0) {
    return tls_modelled_pids[process];
  }
  ModelledPid p;
  p.pid = static_cast<int>(process) + 1;
  p.ppid = process == 0 ? 0 : 1;
  return p;
}

}  // namespace

namespace detail {
void set_modelled_pid(unsigned process, int pid, int ppid) {
  braid::detail::ModelBookkeeping bookkeeping;
  if (process >= tls_modelled_pids.size()) tls_modelled_pids.resize(process + 1);
  tls_modelled_pids[process] = ModelledPid{pid, ppid};
}
}  // namespace detail

std::string errno_message(int err) {
  return "[Errno " + std::to_string(err) + "] " + std::strerror(err);
}

void raise_errno(int err) {
  switch (err) {
    case ECHILD: throw ChildProcessError(errno_message(err));
    case ESRCH: throw ProcessLookupError(errno_message(err));
    default: throw OSError(errno_message(err));
  }
}

int fork() { return runtime::fork_process(); }

int getpid() {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return modelled_pid(*m).pid;
  }
  return static_cast<int>(::getpid());
}

int getppid() {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return modelled_pid(*m).ppid;
  }
  return static_cast<int>(::getppid());
}

void _exit(int status) {
  if (runtime::model() != nullptr) {
    throw misuse<RuntimeError>(
        "os._exit() cannot be modelled; return from the process target or call mp::exit()");
  }
  ::_exit(status);
}

void kill(int pid, int sig) {
  if (::kill(static_cast<pid_t>(pid), sig) != 0) raise_errno(errno);
}

std::pair<int, int> waitpid(int pid, int options) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(static_cast<pid_t>(pid), &status, options);
    if (r >= 0) return {static_cast<int>(r), r == 0 ? 0 : status};
    if (errno != EINTR) raise_errno(errno);
  }
}

int waitstatus_to_exitcode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  if (WIFSTOPPED(status)) {
    throw ValueError("process stopped by delivery of signal " + std::to_string(WSTOPSIG(status)));
  }
  throw ValueError("invalid wait status: " + std::to_string(status));
}

std::pair<int, int> pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) raise_errno(errno);
  return {fds[0], fds[1]};
}

void close(int fd) {
  // Linux frees the descriptor even when close() reports EINTR: never retry.
  if (::close(fd) != 0 && errno != EINTR) raise_errno(errno);
}

namespace detail {

std::optional<Duration> os_deadline(const Timeout& timeout) {
  if (!timeout) return std::nullopt;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  Duration now(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
  return now + std::max(*timeout, Duration::zero());
}

int poll_readable(pollfd* fds, std::size_t n, const std::optional<Duration>& deadline) {
  for (std::size_t i = 0; i < n; ++i) {
    fds[i].events = POLLIN;
    fds[i].revents = 0;
  }
  for (;;) {
    timespec rel;
    timespec* relp = nullptr;
    if (deadline) {
      timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      std::int64_t left = deadline->count() - (static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
      if (left < 0) left = 0;
      rel.tv_sec = static_cast<time_t>(left / 1'000'000'000);
      rel.tv_nsec = static_cast<long>(left % 1'000'000'000);
      relp = &rel;
    }
    int rc = ::ppoll(fds, static_cast<nfds_t>(n), relp, nullptr);
    if (rc >= 0) return rc;
    if (errno != EINTR) raise_errno(errno);
  }
}

}  // namespace detail
}  // namespace braid::os
