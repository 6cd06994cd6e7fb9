// tests/helpers/subprocess_test_support.h
// -----------------------------------------------------------------------------
// A gtest fixture for tests that start processes: it counts the open file
// descriptors (/proc/self/fd) before and after each test and checks that no
// child is left (waitpid(-1, WNOHANG) fails with ECHILD). Also the path of
// the braid_chatter helper (the BRAID_CHATTER compile definition).
// -----------------------------------------------------------------------------
#ifndef BRAID_TESTS_HELPERS_SUBPROCESS_TEST_SUPPORT_H_
#define BRAID_TESTS_HELPERS_SUBPROCESS_TEST_SUPPORT_H_

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <string>

namespace braid::testing_support {

#ifdef BRAID_CHATTER
inline const std::string kChatter = BRAID_CHATTER;
#endif

// The number of open descriptors of this process.
inline int count_open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory's own descriptor
}

// True when this process has no child at all (reaped or not).
inline bool no_children() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override { fds_before_ = count_open_fds(); }
  void TearDown() override {
    EXPECT_EQ(count_open_fds(), fds_before_) << "a file descriptor was left open";
    EXPECT_TRUE(no_children()) << "a child process was left";
  }

 private:
  int fds_before_ = 0;
};

}  // namespace braid::testing_support

#endif  // BRAID_TESTS_HELPERS_SUBPROCESS_TEST_SUPPORT_H_
