// braid/errors.h
// -----------------------------------------------------------------------------
// Typed C++ exceptions for the errors CPython raises from the modules braid
// re-implements. Each carries the Python type name (`type_name()`), so reports
// and excepthook-style messages read as Python's do ("RuntimeError: release
// unlocked lock").
//
// Misuse of a primitive (releasing an unheld lock, joining an unstarted thread,
// over-releasing a BoundedSemaphore, ...) raises the error Python raises, built
// with `misuse<E>(message)`; such an exception answers `is_misuse()` with true,
// so the model runtime can report it as the failure kind "misuse" rather than
// as an ordinary uncaught exception.
//
// Python equivalence: RuntimeError, ValueError, TimeoutError,
// threading.BrokenBarrierError, queue.Empty, queue.Full.
// -----------------------------------------------------------------------------
#ifndef BRAID_ERRORS_H_
#define BRAID_ERRORS_H_

#include <stdexcept>
#include <string>
#include <utility>

namespace braid {

// Exception
//
// The base of every braid error. `what()` is the Python message; `type_name()`
// the Python class name.
class Exception : public std::runtime_error {
 public:
  explicit Exception(const std::string& message) : std::runtime_error(message) {}
  virtual const char* type_name() const noexcept { return "Exception"; }
  bool is_misuse() const noexcept { return misuse_; }
  void mark_misuse() noexcept { misuse_ = true; }

 private:
  bool misuse_ = false;
};

#define BRAID_DEFINE_ERROR(Name, Base, PyName)                       \
  class Name : public Base {                                         \
   public:                                                           \
    explicit Name(const std::string& message) : Base(message) {}     \
    const char* type_name() const noexcept override { return PyName; } \
  }

// Python's RuntimeError: misuse of locks and threads.
BRAID_DEFINE_ERROR(RuntimeError, Exception, "RuntimeError");
// Python's ValueError: bad arguments (negative timeouts, semaphore values).
BRAID_DEFINE_ERROR(ValueError, Exception, "ValueError");
// Python's TimeoutError.
BRAID_DEFINE_ERROR(TimeoutError, Exception, "TimeoutError");
// Python's OSError: a failing system call (message names the call and errno).
BRAID_DEFINE_ERROR(OSError, Exception, "OSError");
// Python's FileNotFoundError (an OSError, errno ENOENT): a program or
// directory that does not exist ("[Errno 2] No such file or directory: 'x'").
BRAID_DEFINE_ERROR(FileNotFoundError, OSError, "FileNotFoundError");
// Python's EOFError: the peer of a pipe has closed.
BRAID_DEFINE_ERROR(EOFError, Exception, "EOFError");
// Python's threading.BrokenBarrierError (a RuntimeError subclass).
BRAID_DEFINE_ERROR(BrokenBarrierError, RuntimeError, "BrokenBarrierError");

namespace queue {
// Python's queue.Empty: get_nowait() or a timed-out get() on an empty queue.
BRAID_DEFINE_ERROR(Empty, ::braid::Exception, "Empty");
// Python's queue.Full: put_nowait() or a timed-out put() on a full queue.
BRAID_DEFINE_ERROR(Full, ::braid::Exception, "Full");
}  // namespace queue

// misuse<E>(message)
//
// Builds the error E that Python raises for a misuse of a primitive, marked as
// misuse. Use as `throw misuse<RuntimeError>("release unlocked lock");`.
template <typename E>
E misuse(const std::string& message) {
  E e(message);
  e.mark_misuse();
  return e;
}

}  // namespace braid

#endif  // BRAID_ERRORS_H_
