// mp_process_os.cc
// -----------------------------------------------------------------------------
// The OS-runtime half of braid::mp::Process (multiprocessing's popen_fork and
// BaseProcess._bootstrap): the registry of this process's children, start by
// fork(2) with two pipes (the child keeps the write end of the first, so the
// parent's sentinel reads EOF when the child is gone, and the read end of the
// second, its parent sentinel), the child's life until _exit(), reaping, and
// util._exit_function (terminate daemonic children, join the others) at exit.
// -----------------------------------------------------------------------------
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <new>

#include "braid/os.h"
#include "mp_process_internal.h"
#include "runtime_internal.h"

namespace braid::mp {

using Core = Process::Core;
using braid::detail::FutexGuard;
using braid::detail::FutexMutex;

Core::~Core() {
  FutexGuard g(mu);
  if (sentinel >= 0) ::close(sentinel);
  if (parent_w >= 0) ::close(parent_w);
}

namespace {


// A child being started: its pipe ends that only it may inherit.
struct InFlight {
  const Core* core;
  int child_r;
  int child_w;
};

struct OsState {
  FutexMutex mu;  // taken across fork(2) by fork_process (register_at_fork)
  std::shared_ptr<Core> current BRAID_GUARDED_BY(mu);
  std::shared_ptr<Core> parent BRAID_GUARDED_BY(mu);
  std::vector<std::shared_ptr<Core>> children BRAID_GUARDED_BY(mu);
  std::vector<InFlight> in_flight BRAID_GUARDED_BY(mu);
  bool atexit_registered BRAID_GUARDED_BY(mu) = false;
};

// The core a thread is forking for: its child keeps that core's in-flight ends.
thread_local const Core* tls_forking = nullptr;

OsState& os_state();

// In every forked child (mp's and a plain os::fork()'s): close the pipe ends
// of children other threads were starting, so that their sentinels still
// report those children's ends.
void close_foreign_in_flight() BRAID_NO_THREAD_SAFETY_ANALYSIS {
  OsState& s = os_state();
  for (const InFlight& f : s.in_flight) {
    if (f.core == tls_forking) continue;
    ::close(f.child_r);
    ::close(f.child_w);
  }
  s.in_flight.clear();
}

OsState& os_state() {
  static OsState* s = [] {
    auto* st = new OsState;  // leaked: children may be reaped during exit
    runtime::detail::register_at_fork(st->mu);
    runtime::detail::register_at_fork_child(&close_foreign_in_flight);
    return st;
  }();
  return *s;
}

// popen_fork.poll(): reaps the child if it has ended (blocking with `options`
// 0). Returns its exit code or nullopt.
std::optional<int> poll_child(Core& core, int options) {
  int pid;
  {
    FutexGuard g(core.mu);
    if (core.returncode || !core.started || core.pid <= 0) return core.returncode;
    pid = core.pid;
    if (options != 0) {
      // Reap under the lock: a kill() never reaches a reused pid.
      int status = 0;
      pid_t r;
      while ((r = ::waitpid(pid, &status, WNOHANG)) < 0 && errno == EINTR) {
      }
      if (r == pid) core.returncode = os::waitstatus_to_exitcode(status);
      return core.returncode;
    }
  }
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  FutexGuard g(core.mu);
  if (r == pid && !core.returncode) core.returncode = os::waitstatus_to_exitcode(status);
  return core.returncode;
}

void discard_child(const Core* core) {
  OsState& s = os_state();
  FutexGuard g(s.mu);
  auto it = std::find_if(s.children.begin(), s.children.end(),
                         [core](const std::shared_ptr<Core>& c) { return c.get() == core; });
  if (it != s.children.end()) s.children.erase(it);
}

// Python's _cleanup(): forget the children that have ended.
std::vector<std::shared_ptr<Core>> cleanup_children() {
  OsState& s = os_state();
  std::vector<std::shared_ptr<Core>> children;
  {
    FutexGuard g(s.mu);
    children = s.children;
  }
  std::vector<std::shared_ptr<Core>> alive;
  for (auto& c : children) {
    if (poll_child(*c, WNOHANG)) {
      discard_child(c.get());
    } else {
      alive.push_back(c);
    }
  }
  return alive;
}

// util._exit_function(): terminate the daemonic children, join the rest.
void exit_function() {
  for (auto& c : cleanup_children()) {
    if (c->daemon) Process(c).terminate();
  }
  for (auto& c : cleanup_children()) Process(c).join();
}

// threading._shutdown() in a child: wait for its non-daemon braid threads.
void wait_for_threads() {
  for (;;) {
    std::shared_ptr<runtime::ThreadContext> pending;
    for (const auto& ctx : runtime::detail::os_live_threads()) {
      if (!ctx->daemon && !ctx->is_main && !ctx->is_dummy) {
        pending = ctx;
        break;
      }
    }
    if (!pending) return;
    std::uint32_t st;
    while ((st = pending->state.load(std::memory_order_acquire)) != runtime::ThreadContext::kFinished) {
      runtime::futex_wait(pending->state, st, std::nullopt);
    }
  }
}

void write_stderr(const std::string& text) {
  std::cerr.flush();
  std::fflush(stderr);
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(2, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

// BaseProcess._bootstrap() after fork: never returns.
[[noreturn]] void run_child(const std::shared_ptr<Core>& core, int child_r) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  OsState& s = os_state();
  // Another parent thread may have held the core's lock at fork(2) (a name()
  // or is_alive() call): that thread does not exist here.
  new (&core->mu) FutexMutex();
  ::close(core->sentinel);  // the parent's ends (copied into the core before fork)
  ::close(core->parent_w);
  core->sentinel = core->parent_w = -1;
  auto parent = std::make_shared<Core>(Core::Kind::kParent, core->parent_name);
  parent->pid = static_cast<int>(::getppid());
  parent->sentinel = child_r;
  parent->started = true;
  s.parent = parent;
  s.children.clear();
  s.current = core;
  core->is_self = true;
  core->pid = static_cast<int>(::getpid());
  tls_forking = nullptr;

  int code = 0;
  std::function<void()> target = std::move(core->target);
  try {
    if (target) target();
  } catch (const SystemExit& e) {
    code = e.code();
    if (!e.message().empty()) write_stderr(e.message() + "\n");
  } catch (...) {
    code = 1;
    write_stderr("Process " + core->name + ":\n" + runtime::detail::describe_current_exception() + "\n");
  }
  try {
    target = nullptr;
    exit_function();
    wait_for_threads();
  } catch (...) {
    write_stderr("Process " + core->name + ":\n" + runtime::detail::describe_current_exception() + "\n");
    if (code == 0) code = 1;
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

void close_pair(int a, int b) {
  if (a >= 0) ::close(a);
  if (b >= 0) ::close(b);
}

}  // namespace

namespace detail {

std::shared_ptr<Core> os_current_core() {
  OsState& s = os_state();
  FutexGuard g(s.mu);
  if (!s.current) {
    s.current = std::make_shared<Core>(Core::Kind::kMain, "MainProcess");
    s.current->is_self = true;
  }
  return s.current;
}

std::shared_ptr<Core> os_parent_core() {
  OsState& s = os_state();
  FutexGuard g(s.mu);
  return s.parent;
}

std::optional<int> os_poll_child(Core& core, int options) { return poll_child(core, options); }

void os_discard_child(const Core* core) { discard_child(core); }

std::vector<std::shared_ptr<Core>> os_cleanup_children() { return cleanup_children(); }

void os_start(const std::shared_ptr<Core>& handle) {
  Core& core = *handle;
  cleanup_children();
  OsState& s = os_state();
  int fds1[2] = {-1, -1};  // parent_r (sentinel), child_w
  int fds2[2] = {-1, -1};  // child_r (parent sentinel), parent_w
  {
    FutexGuard g(s.mu);
    if (::pipe2(fds1, O_CLOEXEC) != 0 || ::pipe2(fds2, O_CLOEXEC) != 0) {
      int err = errno;
      close_pair(fds1[0], fds1[1]);
      {
        FutexGuard cg(core.mu);
        core.started = false;
      }
      os::raise_errno(err);
    }
    s.in_flight.push_back(InFlight{&core, fds2[0], fds1[1]});
    if (!s.atexit_registered) {
      s.atexit_registered = true;
      std::atexit([] { exit_function(); });
    }
  }
  {
    FutexGuard g(core.mu);
    core.sentinel = fds1[0];
    core.parent_w = fds2[1];
  }
  auto forget_in_flight = [&] {
    FutexGuard g(s.mu);
    auto it = std::find_if(s.in_flight.begin(), s.in_flight.end(),
                           [&](const InFlight& f) { return f.core == &core; });
    if (it != s.in_flight.end()) s.in_flight.erase(it);
    close_pair(fds2[0], fds1[1]);
  };
  tls_forking = &core;
  int pid;
  try {
    pid = runtime::fork_process();
  } catch (...) {
    tls_forking = nullptr;
    forget_in_flight();
    FutexGuard g(core.mu);
    close_pair(core.sentinel, core.parent_w);
    core.sentinel = core.parent_w = -1;
    core.started = false;
    throw;
  }
  if (pid == 0) run_child(handle, fds2[0]);
  tls_forking = nullptr;
  forget_in_flight();
  {
    FutexGuard g(s.mu);
    s.children.push_back(handle);
  }
  {
    FutexGuard g(core.mu);
    core.pid = pid;
  }
  core.target = nullptr;  // Python deletes _target and _args after start
}

}  // namespace detail
}  // namespace braid::mp
