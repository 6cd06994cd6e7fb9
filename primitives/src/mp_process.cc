// mp_process.cc
// -----------------------------------------------------------------------------
// braid::mp::Process: the Python-visible checks and errors of every method,
// and the dispatch to the OS runtime (mp_process_os.cc: fork, sentinels,
// waitpid) or to the model (mp_process_model.cc). join(timeout) on the OS
// runtime waits for the sentinel, then reaps with waitpid.
// -----------------------------------------------------------------------------
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "braid/os.h"
#include "mp_process_internal.h"
#include "os_internal.h"
#include "runtime_internal.h"

namespace braid::mp {

using Core = Process::Core;
using braid::detail::FutexGuard;

namespace {

std::string join_identity(const std::vector<int>& identity) {
  std::string out;
  for (int i : identity) {
    if (!out.empty()) out += ':';
    out += std::to_string(i);
  }
  return out;
}

bool is_current(const Core& core) {
  if (runtime::Model* m = runtime::model()) return &core == detail::model_current_core(*m).get();
  return core.is_self;
}

void check_closed(const Core& core) {
  FutexGuard g(core.mu);
  if (core.closed) throw ValueError("process object is closed");
}

}  // namespace


// -- Process -------------------------------------------------------------------

Process::Process() : Process(TargetTag{}, ProcessOptions{}, std::function<void()>()) {}

Process::Process(TargetTag, ProcessOptions options, std::function<void()> target) {
  std::shared_ptr<Core> cur;
  int number;
  int my_pid;
  if (runtime::Model* m = runtime::model()) {
    cur = detail::model_current_core(*m);
    {
      FutexGuard g(cur->mu);  // the threads of a simulated process share its counter
      number = ++cur->counter;
    }
    my_pid = os::getpid();
  } else {
    cur = detail::os_current_core();
    FutexGuard g(cur->mu);
    number = ++cur->counter;
    my_pid = static_cast<int>(::getpid());
  }
  core_ = std::make_shared<Core>(Core::Kind::kChild, std::string());
  core_->identity = cur->identity;
  core_->identity.push_back(number);
  {
    FutexGuard g(core_->mu);
    core_->name = options.name ? std::move(*options.name) : "Process-" + join_identity(core_->identity);
  }
  core_->daemon = options.daemon ? *options.daemon : cur->daemon;
  core_->parent_pid = my_pid;
  {
    FutexGuard g(cur->mu);
    core_->parent_name = cur->name;
  }
  core_->target = std::move(target);
}

void Process::start(braid::source_location where) {
  Core& core = *core_;
  {
    FutexGuard g(core.mu);
    if (core.closed) throw ValueError("process object is closed");
    if (core.started || core.kind != Core::Kind::kChild) {
      throw misuse<AssertionError>("cannot start a process twice");
    }
  }
  runtime::Model* m = runtime::model();
  if (core.parent_pid != (m ? os::getpid() : static_cast<int>(::getpid()))) {
    throw misuse<AssertionError>("can only start a process object created by current process");
  }
  std::shared_ptr<Core> cur = m ? detail::model_current_core(*m) : detail::os_current_core();
  if (cur->kind == Core::Kind::kChild && cur->daemon) {
    throw misuse<AssertionError>("daemonic processes are not allowed to have children");
  }
  {
    FutexGuard g(core.mu);
    if (core.started) throw misuse<AssertionError>("cannot start a process twice");
    core.started = true;  // claimed; undone if the start fails
  }
  if (m != nullptr) {
    try {
      detail::model_start(*m, core_, where);
    } catch (...) {
      FutexGuard g(core.mu);
      core.started = false;
      throw;
    }
    return;
  }

  detail::os_start(core_);
}

void Process::join(Timeout timeout, braid::source_location where) {
  Core& core = *core_;
  check_closed(core);
  if (core.kind == Core::Kind::kParent) {  // _ParentProcess.join: wait for its sentinel
    int fd;
    {
      FutexGuard g(core.mu);
      fd = core.sentinel;
    }
    if (fd >= 0) {
      pollfd p{fd, POLLIN, 0};
      os::detail::poll_readable(&p, 1, os::detail::os_deadline(timeout));
    }
    return;
  }
  runtime::Model* m = runtime::model();
  if (is_current(core) || core.parent_pid != (m ? os::getpid() : static_cast<int>(::getpid()))) {
    throw misuse<AssertionError>("can only join a child process");
  }
  {
    FutexGuard g(core.mu);
    if (!core.started) throw misuse<AssertionError>("can only join a started process");
  }
  if (m != nullptr) {
    detail::model_join(*m, core, timeout, where);
    return;
  }
  if (timeout && *timeout < Duration::zero()) timeout = Duration::zero();
  if (timeout) {
    int fd;
    {
      FutexGuard g(core.mu);
      if (core.returncode) return detail::os_discard_child(&core);
      fd = core.sentinel;
    }
    pollfd p{fd, POLLIN, 0};
    if (os::detail::poll_readable(&p, 1, os::detail::os_deadline(timeout)) == 0) return;
  }
  const int options = timeout && *timeout == Duration::zero() ? WNOHANG : 0;
  if (detail::os_poll_child(core, options)) detail::os_discard_child(&core);
}

bool Process::is_alive(braid::source_location where) const {
  Core& core = *core_;
  check_closed(core);
  if (is_current(core)) return true;
  if (core.kind == Core::Kind::kParent) {
    FutexGuard g(core.mu);
    if (core.sentinel < 0) return false;
    pollfd p{core.sentinel, POLLIN, 0};
    return os::detail::poll_readable(&p, 1, Duration::zero()) == 0;
  }
  runtime::Model* m = runtime::model();
  if (core.parent_pid != (m ? os::getpid() : static_cast<int>(::getpid()))) {
    throw misuse<AssertionError>("can only test a child process");
  }
  {
    FutexGuard g(core.mu);
    if (!core.started) return false;
  }
  if (m != nullptr) return detail::model_is_alive(*m, core, where);
  if (!detail::os_poll_child(core, WNOHANG)) return true;
  detail::os_discard_child(&core);
  return false;
}

std::optional<int> Process::exitcode(braid::source_location where) const {
  Core& core = *core_;
  check_closed(core);
  {
    FutexGuard g(core.mu);
    if (!core.started || core.kind != Core::Kind::kChild || is_current(core)) return std::nullopt;
  }
  if (runtime::Model* m = runtime::model()) return detail::model_exitcode(*m, core, where);
  return detail::os_poll_child(core, WNOHANG);
}

std::optional<int> Process::pid() const {
  Core& core = *core_;
  check_closed(core);
  if (is_current(core)) return os::getpid();
  FutexGuard g(core.mu);
  if (!core.started) return std::nullopt;
  return core.pid;
}

std::string Process::name() const {
  FutexGuard g(core_->mu);
  return core_->name;
}

void Process::set_name(std::string name) {
  FutexGuard g(core_->mu);
  core_->name = std::move(name);
}

bool Process::daemon() const { return core_->daemon; }

void Process::set_daemon(bool daemon) {
  FutexGuard g(core_->mu);
  if (core_->started || core_->kind != Core::Kind::kChild) {
    throw misuse<AssertionError>("process has already started");
  }
  core_->daemon = daemon;
}

int Process::sentinel() const {
  check_closed(*core_);
  FutexGuard g(core_->mu);
  if (!core_->started || core_->sentinel < 0) throw ValueError("process not started");
  return core_->sentinel;
}

void Process::terminate(braid::source_location where) { send_signal(SIGTERM, where); }

void Process::kill(braid::source_location where) { send_signal(SIGKILL, where); }

void Process::send_signal(int sig, const braid::source_location& where) {
  Core& core = *core_;
  check_closed(core);
  {
    FutexGuard g(core.mu);
    if (!core.started || core.kind != Core::Kind::kChild) {
      throw misuse<AssertionError>(sig == SIGKILL ? "can only kill a started process"
                                                  : "can only terminate a started process");
    }
  }
  if (runtime::Model* m = runtime::model()) {
    detail::model_signal(*m, core, sig, where);
    return;
  }
  FutexGuard g(core.mu);
  if (core.returncode) return;
  if (::kill(core.pid, sig) != 0 && errno != ESRCH) os::raise_errno(errno);
}

void Process::close() {
  Core& core = *core_;
  {
    FutexGuard g(core.mu);
    if (core.closed) return;
  }
  bool started;
  {
    FutexGuard g(core.mu);
    started = core.started && core.kind == Core::Kind::kChild;
  }
  if (started) {
    std::optional<int> code;
    if (runtime::Model* m = runtime::model()) {
      code = detail::model_exitcode(*m, core, braid::source_location::current());
    } else {
      code = detail::os_poll_child(core, WNOHANG);
    }
    if (!code) {
      throw ValueError(
          "Cannot close a process while it is still running. You should first call join() or "
          "terminate().");
    }
    detail::os_discard_child(&core);
  }
  FutexGuard g(core.mu);
  if (core.sentinel >= 0) ::close(core.sentinel);
  if (core.parent_w >= 0) ::close(core.parent_w);
  core.sentinel = core.parent_w = -1;
  core.closed = true;
}

// -- Module functions ------------------------------------------------------------

Process current_process() {
  if (runtime::Model* m = runtime::model()) return Process(detail::model_current_core(*m));
  return Process(detail::os_current_core());
}

std::optional<Process> parent_process() {
  if (runtime::Model* m = runtime::model()) {
    if (auto p = detail::model_parent_core(*m)) return Process(std::move(p));
    return std::nullopt;
  }
  if (auto p = detail::os_parent_core()) return Process(std::move(p));
  return std::nullopt;
}

std::vector<Process> active_children(braid::source_location where) {
  if (runtime::Model* m = runtime::model()) return detail::model_active_children(*m, where);
  std::vector<Process> out;
  for (auto& c : detail::os_cleanup_children()) out.emplace_back(std::move(c));
  return out;
}

namespace detail {

void model_signal_point() {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      if (model_signal_pending(*m)) {
        throw ProcessKilled{model_current_core(*m)->pending_signal};
      }
    }
  }
}

const int* model_signal_word() {
  static const int zero = 0;
  if (runtime::Model* m = runtime::model()) {
    const std::shared_ptr<Core> cur = model_current_core(*m);
    if (cur->kind == Core::Kind::kChild) return &cur->pending_signal;
  }
  return &zero;
}

}  // namespace detail
}  // namespace braid::mp
