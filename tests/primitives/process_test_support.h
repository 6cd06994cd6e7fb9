// tests/primitives/process_test_support.h
// Helpers shared by the process tests: the message of the error a call throws,
// and forking a child that runs a function and never returns into the test
// framework.
#ifndef BRAID_TESTS_PRIMITIVES_PROCESS_TEST_SUPPORT_H_
#define BRAID_TESTS_PRIMITIVES_PROCESS_TEST_SUPPORT_H_

#include <string>

#include "braid/os.h"

namespace braid::testing_support {

// The what() of the E that `f()` throws, or "<no error>".
template <typename E, typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no error>";
}

// Forks a child that runs `body` and exits with its return value (1 if it
// throws); it never returns into the test framework.
template <typename F>
int fork_child(F body) {
  const int pid = braid::os::fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {
    }
    braid::os::_exit(code);
  }
  return pid;
}

// Reaps `pid` and returns its exit code (minus the signal if killed).
inline int wait_child(int pid) { return braid::os::waitstatus_to_exitcode(braid::os::waitpid(pid, 0).second); }

}  // namespace braid::testing_support

#endif  // BRAID_TESTS_PRIMITIVES_PROCESS_TEST_SUPPORT_H_
