// leak_check.h
// -----------------------------------------------------------------------------
// Helpers for tests that fork, pipe or spawn: did the test leave a file
// descriptor open or a child process behind?
//
//   TEST(Pipe, Something) {
//     braid_test::LeakCheck leaks;   // counts /proc/self/fd now
//     ...
//   }                                // ~LeakCheck: EXPECTs the same fd count and
//                                    // no child left (reaped or never started)
//
// `open_fd_count()` counts the entries of /proc/self/fd (without the
// descriptor used to read it); `has_children()` asks waitid(WNOWAIT) whether
// the process has any child, running or a zombie, without reaping it.
// -----------------------------------------------------------------------------
#ifndef BRAID_TESTS_PRIMITIVES_LEAK_CHECK_H_
#define BRAID_TESTS_PRIMITIVES_LEAK_CHECK_H_

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

namespace braid_test {

// The number of open file descriptors of the calling process.
inline int open_fd_count() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the descriptor of `dir` itself
}

// True when the process has a child (running, stopped or not yet reaped).
inline bool has_children() {
  siginfo_t info{};
  for (;;) {
    int rc = ::waitid(P_ALL, 0, &info, WEXITED | WSTOPPED | WNOHANG | WNOWAIT);
    if (rc == 0) return true;  // a child exists (info.si_pid == 0: none has changed state yet)
    if (errno == EINTR) continue;
    return errno != ECHILD;
  }
}

// Expects, when it goes out of scope, as many open descriptors as when it was
// made and no child process left.
class LeakCheck {
 public:
  LeakCheck() : fds_(open_fd_count()) {}
  LeakCheck(const LeakCheck&) = delete;
  LeakCheck& operator=(const LeakCheck&) = delete;
  ~LeakCheck() { verify(); }

  // Checks now (also done by the destructor).
  void verify() const {
    EXPECT_EQ(open_fd_count(), fds_) << "file descriptors leaked";
    EXPECT_FALSE(has_children()) << "a child process was left behind";
  }

 private:
  int fds_;
};

}  // namespace braid_test

#endif  // BRAID_TESTS_PRIMITIVES_LEAK_CHECK_H_
