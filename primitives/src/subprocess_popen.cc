// braid::subprocess::Popen: construction, reaping (poll/wait), signals and
// disposal. communicate() lives in subprocess_communicate.cc.
//
// Reaping: waitpid is only ever called with WNOHANG, under State::wait_mu.
// A blocking wait() sleeps on the child's pidfd (poll(2) readable once the
// child has ended) without the mutex, so kill() from another thread is never
// held up, and the pid cannot be recycled while a signal is being sent
// (the mutex is held from the reap check to kill(2)). Without pidfds (old
// kernels) a blocking wait uses waitid(WNOWAIT) and a timed wait sleeps in
// growing steps, as Python does.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "braid/detail/subprocess_internal.h"
#include "braid/subprocess.h"

namespace braid::subprocess {
namespace {

using Clock = std::chrono::steady_clock;
using braid::detail::FutexGuard;

int exit_code(int status) {
  if (WIFSTOPPED(status)) return -WSTOPSIG(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return WEXITSTATUS(status);
}

timespec to_timespec(Duration d) {
  if (d < Duration::zero()) d = Duration::zero();
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
  return timespec{static_cast<time_t>(s.count()), static_cast<long>((d - s).count())};
}

// Blocks until the child may have ended, at most `remaining` (nullopt:
// forever). Returns early on signals; the caller re-checks.
void block_until_exit(int pid, int pidfd, const std::optional<Duration>& remaining) {
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    timespec ts{};
    if (remaining) ts = to_timespec(*remaining);
    if (::ppoll(&p, 1, remaining ? &ts : nullptr, nullptr) < 0 && errno != EINTR) {
      detail::raise_os_error(errno);
    }
    return;
  }
  if (!remaining) {
    siginfo_t info;
    ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);  // ECHILD: reaped elsewhere
    return;
  }
  // Python's polling loop, in steps of at most 5 ms.
  const Duration step = std::min<Duration>(*remaining, std::chrono::milliseconds(5));
  const timespec ts = to_timespec(step);
  ::nanosleep(&ts, nullptr);
}

}  // namespace

Popen::State::~State() {
  if (pidfd >= 0) ::close(pidfd);
}

bool Popen::State::try_reap() {
  if (returncode.load(std::memory_order_acquire) != kRunning) return true;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid) {
    returncode.store(exit_code(status), std::memory_order_release);
    return true;
  }
  if (r < 0 && errno == ECHILD) {
    // Reaped by someone else (or SIGCHLD ignored): Python reports 0.
    returncode.store(0, std::memory_order_release);
    return true;
  }
  return false;
}

Popen::Popen(Args args, const Options& o) {
  auto reject = [](bool set, const char* name) {
    if (set) throw ValueError(std::string("Popen() got an unexpected keyword argument '") + name + "'");
  };
  reject(o.input.has_value(), "input");
  reject(o.capture_output, "capture_output");
  reject(o.timeout.has_value(), "timeout");
  reject(o.check, "check");
  auto state = std::make_unique<State>();
  const detail::Spawned child = detail::spawn(args, o);
  state->args = std::move(args);
  state->pid = child.pid;
  state->pidfd = child.pidfd;
  if (child.stdin_fd >= 0) state->in = Stream(child.stdin_fd);
  if (child.stdout_fd >= 0) state->out = Stream(child.stdout_fd);
  if (child.stderr_fd >= 0) state->err = Stream(child.stderr_fd);
  state_ = std::move(state);
}

Popen::~Popen() { dispose(); }

Popen::Popen(Popen&& other) noexcept = default;

Popen& Popen::operator=(Popen&& other) noexcept {
  if (this != &other) {
    dispose();
    state_ = std::move(other.state_);
  }
  return *this;
}

void Popen::dispose() noexcept {
  if (!state_) return;
  State& s = *state_;
  s.in.close();
  s.out.close();
  s.err.close();
  if (s.returncode.load(std::memory_order_acquire) == State::kRunning) {
    {
      FutexGuard g(s.wait_mu);
      if (!s.try_reap()) ::kill(s.pid, SIGKILL);
    }
    try {
      wait();
    } catch (...) {
      // wait() without a timeout fails only if poll(2) does; nothing to do.
    }
  }
  state_.reset();
}

const Args& Popen::args() const noexcept { return state_->args; }

int Popen::pid() const noexcept { return state_->pid; }

std::optional<int> Popen::returncode() const noexcept {
  const int rc = state_->returncode.load(std::memory_order_acquire);
  if (rc == State::kRunning) return std::nullopt;
  return rc;
}

std::optional<int> Popen::poll() {
  State& s = *state_;
  if (s.returncode.load(std::memory_order_acquire) == State::kRunning && s.wait_mu.try_lock()) {
    s.try_reap();
    s.wait_mu.unlock();
  }
  return returncode();
}

int Popen::wait(Timeout timeout) {
  State& s = *state_;
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  for (;;) {
    {
      FutexGuard g(s.wait_mu);
      if (s.try_reap()) return s.returncode.load(std::memory_order_acquire);
    }
    std::optional<Duration> remaining;
    if (deadline) {
      remaining = std::chrono::duration_cast<Duration>(*deadline - Clock::now());
      if (*remaining <= Duration::zero()) throw TimeoutExpired(s.args, *timeout);
    }
    block_until_exit(s.pid, s.pidfd, remaining);
  }
}

void Popen::send_signal(int sig) {
  State& s = *state_;
  FutexGuard g(s.wait_mu);
  if (s.try_reap()) return;  // never signal a pid that may have been recycled
  if (::kill(s.pid, sig) < 0 && errno != ESRCH) detail::raise_os_error(errno);
}

void Popen::terminate() { send_signal(SIGTERM); }

void Popen::kill() { send_signal(SIGKILL); }

Stream& Popen::stdin_pipe() noexcept { return state_->in; }
Stream& Popen::stdout_pipe() noexcept { return state_->out; }
Stream& Popen::stderr_pipe() noexcept { return state_->err; }

std::string Popen::repr() const {
  const auto rc = returncode();
  std::string out = "<Popen: returncode: " + (rc ? std::to_string(*rc) : std::string("None")) +
                    " args: " + state_->args.repr() + ">";
  if (out.size() > 80) out = out.substr(0, 76) + "...>";
  return out;
}

}  // namespace braid::subprocess
