// braid/os.h
// -----------------------------------------------------------------------------
// The process calls of Python's `os` module that braid's multiprocessing is
// built on: fork, getpid, getppid, _exit, kill, waitpid and the wait-status
// helpers, with Python's behaviour:
//
//   * waitpid() retries on EINTR (PEP 475) and raises ChildProcessError
//     ("[Errno 10] No child processes") when there is no such child;
//   * failures raise OSError with Python's message "[Errno N] <strerror>";
//   * fork() runs braid's at-fork handling (runtime::fork_process): in the
//     child only the calling thread remains and it is the main thread.
//
//   int pid = braid::os::fork();
//   if (pid == 0) braid::os::_exit(3);          // the child never returns
//   auto [p, status] = braid::os::waitpid(pid, 0);
//   braid::os::waitstatus_to_exitcode(status);  // 3
//
// A forked child must end with _exit(): returning into the caller's stack
// (a test framework, destructors of the parent's objects) is never right.
// TSan's rule applies to forked children of a multithreaded parent: they must
// not start threads.
//
// The wait-status macros: <sys/wait.h> and <stdlib.h> define WIFEXITED and
// friends as macros, which would break `os::WIFEXITED(s)`. This header includes
// both, removes those macros and provides functions in their place, in
// braid::os (Python's names) and in the global namespace (so code that used
// the macros keeps compiling).
//
// Under braid's model runtime, fork() throws RuntimeError("os.fork() cannot
// be modelled; use mp::Process") and _exit() throws RuntimeError too (end a
// modelled process by returning from its target or with mp::exit()).
// getpid()/getppid() return the simulated process's pid there (see
// detail::set_modelled_pid).
//
// Python equivalence: os.fork, os.getpid, os.getppid, os._exit, os.kill,
// os.waitpid, os.WNOHANG, os.WIFEXITED, os.WEXITSTATUS, os.WIFSIGNALED,
// os.WTERMSIG, os.WIFSTOPPED, os.WSTOPSIG, os.waitstatus_to_exitcode,
// os.pipe, os.close, ChildProcessError, ProcessLookupError.
// -----------------------------------------------------------------------------
#ifndef BRAID_OS_H_
#define BRAID_OS_H_

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "braid/errors.h"

#undef WIFEXITED
#undef WEXITSTATUS
#undef WIFSIGNALED
#undef WTERMSIG
#undef WIFSTOPPED
#undef WSTOPSIG
#undef WCOREDUMP
#undef WNOHANG
#undef WUNTRACED

namespace braid {

// Python's ChildProcessError (an OSError): waitpid() on a process that is not
// a child of the caller, or with no children at all.
BRAID_DEFINE_ERROR(ChildProcessError, OSError, "ChildProcessError");
// Python's ProcessLookupError (an OSError): kill() of a process that does not
// exist.
BRAID_DEFINE_ERROR(ProcessLookupError, OSError, "ProcessLookupError");

namespace os {

// errno_message(err)
//
// Python's text for an OSError with errno `err`: "[Errno 10] No child processes".
std::string errno_message(int err);

// raise_errno(err)
//
// Throws the OSError Python raises for errno `err` (ChildProcessError for
// ECHILD, ProcessLookupError for ESRCH), with errno_message(err) as its
// message.
[[noreturn]] void raise_errno(int err);

// fork()
//
// fork(2) with braid's at-fork handling (see runtime::fork_process). Returns
// the child's pid in the parent and 0 in the child. Throws OSError when the
// OS refuses, RuntimeError under the model.
//
// Python equivalence: os.fork().
int fork();

// getpid() / getppid()
//
// The calling process's pid and its parent's pid (the simulated process's
// under the model).
//
// Python equivalence: os.getpid(), os.getppid().
int getpid();
int getppid();

// _exit(status)
//
// Ends the process at once with exit status `status`: no atexit handlers, no
// destructors of static or stack objects, no flush of C++ streams (flush them
// first). Under the model it throws RuntimeError instead.
//
// Python equivalence: os._exit(n).
[[noreturn]] void _exit(int status);

// kill(pid, sig)
//
// Sends signal `sig` to `pid`. Throws ProcessLookupError ("[Errno 3] No such
// process") when there is no such process, OSError otherwise.
//
// Python equivalence: os.kill(pid, sig).
void kill(int pid, int sig);

// The options of waitpid().
inline constexpr int WNOHANG = 1;
inline constexpr int WUNTRACED = 2;

// waitpid(pid, options)
//
// Waits for the child `pid` (-1: any child) to change state and returns
// {pid, status}; with WNOHANG returns {0, 0} when no child is ready. Blocks
// until then otherwise, retrying when a signal interrupts it. Throws
// ChildProcessError when the caller has no such child, OSError otherwise.
//
// Python equivalence: os.waitpid(pid, options).
std::pair<int, int> waitpid(int pid, int options);

// The wait-status decoders (Linux encoding), as Python's os module offers.
//
// Python equivalence: os.WIFEXITED, os.WEXITSTATUS, os.WIFSIGNALED,
// os.WTERMSIG, os.WIFSTOPPED, os.WSTOPSIG.
constexpr bool WIFEXITED(int status) noexcept { return (status & 0x7f) == 0; }
constexpr int WEXITSTATUS(int status) noexcept { return (status >> 8) & 0xff; }
constexpr bool WIFSIGNALED(int status) noexcept {
  return (status & 0x7f) != 0 && (status & 0x7f) != 0x7f;
}
constexpr int WTERMSIG(int status) noexcept { return status & 0x7f; }
constexpr bool WIFSTOPPED(int status) noexcept { return (status & 0xff) == 0x7f; }
constexpr int WSTOPSIG(int status) noexcept { return (status >> 8) & 0xff; }
constexpr bool WCOREDUMP(int status) noexcept { return (status & 0x80) != 0; }

// waitstatus_to_exitcode(status)
//
// The exit code of a process that exited (WEXITSTATUS), or minus the signal
// number that killed it. Throws ValueError("process stopped by delivery of
// signal N") for a stopped process and ValueError("invalid wait status: N")
// otherwise.
//
// Python equivalence: os.waitstatus_to_exitcode(status).
int waitstatus_to_exitcode(int status);

// pipe() / close(fd)
//
// A new pipe {read end, write end}, both close-on-exec (Python's fds are
// non-inheritable); close() closes a file descriptor. OSError on failure
// ("[Errno 9] Bad file descriptor" for a bad fd).
//
// Python equivalence: os.pipe(), os.close(fd).
std::pair<int, int> pipe();
void close(int fd);

namespace detail {
// Under the model: records that simulated process `process` (Model::
// process_id()) has pid `pid` and parent pid `ppid` in the running execution.
// mp::Process calls it as the child's body starts. Unrecorded processes get
// 1 + process id.
void set_modelled_pid(unsigned process, int pid, int ppid);
}  // namespace detail

}  // namespace os
}  // namespace braid

// The wait-status decoders and waitpid options under their usual global
// names (the same entities), for code that used the <sys/wait.h> macros this
// header removed.
using braid::os::WCOREDUMP;
using braid::os::WEXITSTATUS;
using braid::os::WIFEXITED;
using braid::os::WIFSIGNALED;
using braid::os::WIFSTOPPED;
using braid::os::WNOHANG;
using braid::os::WSTOPSIG;
using braid::os::WTERMSIG;
using braid::os::WUNTRACED;

#endif  // BRAID_OS_H_
