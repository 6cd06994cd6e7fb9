// mp_process_internal.h
// -----------------------------------------------------------------------------
// Private declarations shared by mp_process.cc (OS runtime), mp_process_model.cc
// (model runtime) and mp_connection*.cc: the state behind a Process handle and
// the per-execution bookkeeping of modelled processes. Not installed.
// -----------------------------------------------------------------------------
#ifndef BRAID_SRC_MP_PROCESS_INTERNAL_H_
#define BRAID_SRC_MP_PROCESS_INTERNAL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/mp/process.h"
#include "braid/runtime.h"

namespace braid::mp {

struct Process::Core {
  enum class Kind : std::uint8_t {
    kChild,   // a process this process may start (or has started)
    kMain,    // the program's own process ("MainProcess")
    kParent,  // the parent of a child, seen from the child
  };

  Core(Kind k, std::string n) : kind(k), name(std::move(n)) {}
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  Kind kind;
  // Set in the process the core describes (the main process, or a child's
  // copy of its own core after fork): is_alive() is true, join() refused.
  bool is_self = false;

  mutable braid::detail::FutexMutex mu;
  std::string name BRAID_GUARDED_BY(mu);
  bool daemon = false;
  std::vector<int> identity;  // ":"-joined in the default name
  int counter = 0;            // children numbered so far (Python's _process_counter)
  int parent_pid = 0;         // the process that created this object
  std::string parent_name;    // its name

  std::function<void()> target;  // moved out by start()
  bool started BRAID_GUARDED_BY(mu) = false;
  bool closed BRAID_GUARDED_BY(mu) = false;
  int pid BRAID_GUARDED_BY(mu) = 0;
  std::optional<int> returncode BRAID_GUARDED_BY(mu);

  // OS runtime descriptors. kChild in the parent: `sentinel` reads EOF when
  // the child ends, `parent_w` keeps the child's parent sentinel open.
  // kParent in the child: `sentinel` reads EOF when the parent ends.
  int sentinel BRAID_GUARDED_BY(mu) = -1;
  int parent_w BRAID_GUARDED_BY(mu) = -1;

  // Model runtime.
  std::shared_ptr<runtime::ThreadContext> ctx;  // the child's logical thread
  std::shared_ptr<Core> model_parent;           // the creating process's core
  int pending_signal = 0;                       // terminate()/kill() not yet delivered
  bool modelled = false;
};

namespace detail {

// Thrown inside a modelled child to unwind it after terminate()/kill(). Not a
// std::exception, like SystemExit.
struct ProcessKilled {
  int sig;
};

// -- OS runtime (mp_process.cc) ---------------------------------------------------

// The calling process's own core (the main process's, or a child's).
std::shared_ptr<Process::Core> os_current_core();
// The parent's core in a child, null in the main process.
std::shared_ptr<Process::Core> os_parent_core();
// popen_fork.poll(): reaps the child if it has ended (blocking when
// `options` is 0) and returns its exit code, or nullopt.
std::optional<int> os_poll_child(Process::Core& core, int options);
// Forgets an ended child (Python's _children.discard).
void os_discard_child(const Process::Core* core);
// Python's _cleanup(): forgets the children that have ended; returns the rest.
std::vector<std::shared_ptr<Process::Core>> os_cleanup_children();
// Forks the child of `core` (its checks done and `started` claimed; undone
// when this throws). Returns in the parent only.
void os_start(const std::shared_ptr<Process::Core>& core);

// -- Model runtime (mp_process_model.cc) -------------------------------------------

// The current execution's core of the calling simulated process (the
// execution's "MainProcess" for process 0).
std::shared_ptr<Process::Core> model_current_core(runtime::Model& m);
// The parent of the calling simulated process, or null in process 0.
std::shared_ptr<Process::Core> model_parent_core(runtime::Model& m);
// A new child number in the calling simulated process.
int model_next_child_number(runtime::Model& m);

void model_start(runtime::Model& m, const std::shared_ptr<Process::Core>& core,
                 const braid::source_location& where);
void model_join(runtime::Model& m, Process::Core& core, const Timeout& timeout,
                const braid::source_location& where);
bool model_is_alive(runtime::Model& m, Process::Core& core, const braid::source_location& where);
std::optional<int> model_exitcode(runtime::Model& m, Process::Core& core,
                                  const braid::source_location& where);
void model_signal(runtime::Model& m, Process::Core& core, int sig,
                  const braid::source_location& where);
std::vector<Process> model_active_children(runtime::Model& m, const braid::source_location& where);

// The key of the calling simulated process for channel ownership (which
// processes hold an end of a pipe open): its core.
const void* model_process_key(runtime::Model& m);
// True when the calling simulated process has a signal pending.
bool model_signal_pending(runtime::Model& m);

// -- Channel ownership hooks (mp_connection_model.cc) ---------------------------------

// At a modelled start(): the child process `child` holds open every channel
// end its parent `parent` holds open (fork duplicates descriptors).
void model_channels_inherit(const void* parent, const void* child);
// At the end of a modelled process: it holds no channel end any more.
void model_channels_release(const void* process);

}  // namespace detail
}  // namespace braid::mp

#endif  // BRAID_SRC_MP_PROCESS_INTERNAL_H_
