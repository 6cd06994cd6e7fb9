// mp_pool_workers.cc
// -----------------------------------------------------------------------------
// The OS-runtime workers of braid::mp::detail::PoolCore: forking them, the
// worker loop, finding dead workers (and the task each held), replacing them,
// terminate and join. See braid/mp/detail/pool_core.h for the protocol.
// -----------------------------------------------------------------------------
#include <cxxabi.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <typeinfo>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/mp/detail/pool_wire.h"
#include "braid/os.h"

namespace braid::mp::detail {
namespace {

// How long terminate() lets workers die of SIGTERM before SIGKILL.
constexpr Duration kTerminateGrace = std::chrono::milliseconds(500);
// How often an idle worker checks that its parent is still there.
constexpr Duration kParentCheck = std::chrono::seconds(1);

std::string demangle(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string s = (status == 0 && out != nullptr) ? out : name;
  std::free(out);
  return s;
}

// Python-style words for a wait status: "exitcode 3", "signal 9 (SIGKILL)".
std::string human_status(int status) {
  if (status == -1) return "exit status unknown";
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig);
    return "signal " + std::to_string(sig) + (abbrev != nullptr ? std::string(" (SIG") + abbrev + ")" : "");
  }
  return "exitcode " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status);
}

// waitpid(WNOHANG) for one worker: true with its status once it has exited
// (status -1 if somebody else reaped it).
bool reaped(int pid, int* status) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r == 0) return false;
    if (errno == EINTR) continue;
    *status = -1;
    return true;  // ECHILD: not ours any more
  }
}

}  // namespace

void error_result(std::string& out, std::uint64_t seq, std::string_view type, std::string_view message) {
  out.assign(kResultHeader, '\0');
  std::memcpy(out.data(), &seq, sizeof seq);
  out[8] = 1;
  codec::encode_to(out, std::pair<std::string, std::string>(std::string(type), std::string(message)));
}

std::uint64_t run_task(std::string_view task, std::string& out) {
  std::uint64_t seq = 0;
  std::uintptr_t invoker = 0;
  std::uintptr_t fn = 0;
  std::memcpy(&seq, task.data(), sizeof seq);
  if (task.size() < kTaskHeader) {
    error_result(out, seq, "ValueError", "malformed task message");
    return seq;
  }
  std::memcpy(&invoker, task.data() + 8, sizeof invoker);
  std::memcpy(&fn, task.data() + 16, sizeof fn);
  out.assign(kResultHeader, '\0');
  std::memcpy(out.data(), &seq, sizeof seq);
  try {
    reinterpret_cast<Invoker>(invoker)(fn, task.substr(kTaskHeader), out);
  } catch (const ::braid::Exception& e) {
    error_result(out, seq, e.type_name(), e.what());
  } catch (const std::exception& e) {
    error_result(out, seq, demangle(typeid(e).name()), e.what());
  }
  return seq;
}

void PoolCore::start_os() {
  tasks_ = std::make_unique<ShmRing>(0);
  results_ = std::make_unique<ShmRing>(0);
  const std::size_t bytes = sizeof(Slot) * static_cast<std::size_t>(processes_);
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw OSError(os::errno_message(errno));
  slots_ = static_cast<Slot*>(p);
  for (int i = 0; i < processes_; ++i) new (&slots_[i]) Slot();
  try {
    for (int i = 0; i < processes_; ++i) {
      const int pid = spawn_worker(static_cast<std::uint32_t>(i));
      braid::detail::FutexGuard g(mu_);
      workers_.push_back(Worker{pid, static_cast<std::uint32_t>(i)});
    }
  } catch (...) {
    terminate_os();
    ::munmap(slots_, bytes);
    slots_ = nullptr;
    throw;
  }
}

PoolCore::~PoolCore() {
  if (modelled_) {
    if (runtime::Model* m = runtime::model()) {
      m->forget(&model_tasks_);
      m->forget(&model_results_);
    }
    return;
  }
  terminate_os();
  if (slots_ != nullptr) ::munmap(slots_, sizeof(Slot) * static_cast<std::size_t>(processes_));
}

int PoolCore::spawn_worker(std::uint32_t slot) {
  // Buffered output would otherwise be written twice (Python flushes too).
  std::fflush(nullptr);
  const int pid = runtime::fork_process();
  if (pid == 0) worker_main(slot);
  return pid;
}

void PoolCore::worker_main(std::uint32_t slot) {
  const pid_t parent = ::getppid();
  std::atomic<std::uint64_t>& claim = slots_[slot].claim;
  std::string task;
  std::string out;
  for (;;) {
    if (!tasks_->pop(task, true, runtime::now() + kParentCheck, &claim)) {
      if (::getppid() != parent) ::_exit(1);  // orphaned: the pool is gone
      continue;
    }
    std::uint64_t seq = 0;
    if (task.size() >= sizeof seq) std::memcpy(&seq, task.data(), sizeof seq);
    if (seq == 0) break;  // close(): stop
    try {
      run_task(task, out);
    } catch (...) {
      error_result(out, seq, "Exception", "unknown C++ exception");
    }
    try {
      results_->push(out, true, std::nullopt);
    } catch (const std::exception& e) {
      error_result(out, seq, "ValueError", e.what());
      results_->push(out, true, std::nullopt);
    }
    // After the result is published: a dead worker with no claim held nothing.
    claim.store(0, std::memory_order_release);
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(0);
}

void PoolCore::check_workers(bool force) {
  braid::detail::FutexGuard wg(workers_mu_);
  std::vector<Worker> workers;
  {
    braid::detail::FutexGuard g(mu_);
    const Duration now = runtime::now();
    if (terminated_ || (!force && now - last_check_ < std::chrono::milliseconds(10))) return;
    last_check_ = now;
    workers = workers_;
  }
  struct Dead {
    Worker worker;
    int status;
  };
  std::vector<Dead> dead;
  for (const Worker& w : workers) {
    int status = 0;
    if (reaped(w.pid, &status)) dead.push_back(Dead{w, status});
  }
  if (dead.empty()) return;

  // (1) Every claim and every queued task id, in one critical section of the
  // task ring: no worker takes a task meanwhile.
  std::vector<std::uint64_t> claims(static_cast<std::size_t>(processes_));
  std::vector<std::uint64_t> queued;
  tasks_->scan_prefixes(
      [&] {
        for (int i = 0; i < processes_; ++i) claims[i] = slots_[i].claim.load(std::memory_order_acquire);
      },
      queued);
  // (2) Every result published so far.
  drain_results();
  // (3) What a dead worker claimed and nobody else can answer was lost with it.
  std::vector<std::uint32_t> respawn;
  {
    braid::detail::FutexGuard g(mu_);
    for (const Dead& d : dead) {
      workers_.erase(std::remove_if(workers_.begin(), workers_.end(),
                                    [&](const Worker& w) { return w.pid == d.worker.pid; }),
                     workers_.end());
      const std::uint64_t held = claims[d.worker.slot];
      bool claimed_by_live = false;
      for (const Worker& w : workers_) claimed_by_live |= w.slot != d.worker.slot && claims[w.slot] == held;
      const bool lost = held != 0 && pending_.count(held) != 0 && !claimed_by_live &&
                        std::find(queued.begin(), queued.end(), held) == queued.end();
      if (lost) {
        fail_task(held, "Worker process " + std::to_string(d.worker.pid) +
                            " exited prematurely: " + human_status(d.status) + ".");
      }
      slots_[d.worker.slot].claim.store(0, std::memory_order_relaxed);
      // A worker that took its stop message exits 0 holding nothing: normal.
      const bool normal = d.status != -1 && WIFEXITED(d.status) && WEXITSTATUS(d.status) == 0 && held == 0;
      const bool wanted = state_ == State::kRun || (state_ == State::kClose && !pending_.empty());
      if (!normal && wanted) respawn.push_back(d.worker.slot);
    }
  }
  wake_followers();
  for (std::uint32_t slot : respawn) {
    int pid;
    try {
      pid = spawn_worker(slot);
    } catch (const OSError&) {
      continue;  // no replacement now; the next check tries again if needed
    }
    braid::detail::FutexGuard g(mu_);
    workers_.push_back(Worker{pid, slot});
  }
}

void PoolCore::terminate_os() {
  braid::detail::FutexGuard wg(workers_mu_);
  std::vector<Worker> workers;
  {
    braid::detail::FutexGuard g(mu_);
    if (terminated_) return;
    state_ = State::kTerminate;
    workers = workers_;
  }
  for (const Worker& w : workers) ::kill(w.pid, SIGTERM);
  const Duration give_up = runtime::now() + kTerminateGrace;
  Duration nap = std::chrono::microseconds(50);
  std::vector<Worker> left = workers;
  while (!left.empty()) {
    int status;
    left.erase(std::remove_if(left.begin(), left.end(), [&](const Worker& w) { return reaped(w.pid, &status); }),
               left.end());
    if (left.empty()) break;
    if (runtime::now() >= give_up) {
      for (const Worker& w : left) {
        ::kill(w.pid, SIGKILL);
        while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
      break;
    }
    runtime::sleep(nap);
    nap = std::min<Duration>(nap * 2, std::chrono::milliseconds(5));
  }
  if (results_) drain_results();
  {
    braid::detail::FutexGuard g(mu_);
    workers_.clear();
    fail_pending("Pool was terminated before the task completed");
    terminated_ = true;
    progress_.fetch_add(1, std::memory_order_seq_cst);
  }
  wake_followers();
}

void PoolCore::join_os() {
  if (state() == State::kTerminate) {
    // terminate() reaps the workers; this waits for one running in another
    // thread to finish.
    braid::detail::FutexGuard wg(workers_mu_);
    return;
  }
  Duration nap = std::chrono::microseconds(100);
  for (;;) {
    drain_results();
    check_workers(true);
    {
      braid::detail::FutexGuard g(mu_);
      if (workers_.empty() || terminated_) break;
    }
    runtime::sleep(nap);
    nap = std::min<Duration>(nap * 2, std::chrono::milliseconds(10));
  }
  drain_results();
  braid::detail::FutexGuard g(mu_);
  if (!terminated_) fail_pending("the pool's workers exited before the task completed");
}

}  // namespace braid::mp::detail
