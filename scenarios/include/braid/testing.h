// braid/testing.h
// -----------------------------------------------------------------------------
// GoogleTest integration: one line around a test body.
//
//   TEST(Bank, DepositsAreAtomic) {
//     BRAID_EXPECT_OK(braid::Options{}, [] {
//       braid::Shared<int> balance{0};
//       braid::Lock lock;
//       ...
//       BRAID_ASSERT(balance == 2, "lost update");   // or EXPECT_EQ(balance, 2)
//     });
//   }
//
// On failure the test fails with the whole report (kind, message, swimlane
// trace, counts) and, as its last line, the command that reproduces it:
//
//   BRAID_REPLAY=<token> ctest --test-dir <build dir> -R '^Bank.DepositsAreAtomic$' --output-on-failure
//
// With BRAID_REPLAY set in the environment, BRAID_EXPECT_OK runs just that
// execution (see docs/options.md).
//
// GoogleTest assertions (EXPECT_*, ASSERT_*) inside logical threads work: while
// an exploration runs, their failures are intercepted and fail the current
// execution (at its next scheduling point) instead of the test; the report then
// fails the test once, with the failing execution's trace and token.
//
// For seeded-bug tests, BRAID_EXPECT_FAILURE(kind, options, body) asserts that
// exploration finds a failure of that kind and that its token replays to the
// same kind; it returns nothing, braid::testing::expect_failure returns the
// Report for further checks.
// -----------------------------------------------------------------------------
#ifndef BRAID_TESTING_H_
#define BRAID_TESTING_H_

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "braid/explore.h"

#ifndef BRAID_BUILD_DIR
#define BRAID_BUILD_DIR "build"
#endif

namespace braid::testing {

// While alive, GoogleTest failures reported on this OS thread fail the
// current braid execution instead of the test. Failures reported outside an
// execution are kept and re-reported when the interceptor is destroyed.
class FailureInterceptor : public ::testing::ScopedFakeTestPartResultReporter {
 public:
  FailureInterceptor()
      : ScopedFakeTestPartResultReporter(ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                                         &ignored_) {}
  ~FailureInterceptor() override = default;

  void ReportTestPartResult(const ::testing::TestPartResult& result) override {
    if (result.type() == ::testing::TestPartResult::kSuccess) return;
    std::string text = std::string("GoogleTest assertion failed: ") + result.message();
    if (!braid::fail_at_next_step(text, braid::source_location::current())) outside_.push_back(result);
  }

  // Failures reported outside an execution, to re-report.
  const std::vector<::testing::TestPartResult>& outside() const { return outside_; }

 private:
  ::testing::TestPartResultArray ignored_;
  std::vector<::testing::TestPartResult> outside_;
};

// Fills the test name and build directory of the replay line.
inline void name_report(Report& report) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr) report.test_name = std::string(info->test_suite_name()) + "." + info->name();
  report.build_dir = BRAID_BUILD_DIR;
}

// Explores with GoogleTest failures intercepted; the report is named.
inline Report explore_intercepted(const Options& options, std::function<void()> body) {
  std::vector<::testing::TestPartResult> outside;
  Report report;
  {
    FailureInterceptor interceptor;
    report = braid::explore(options, std::move(body));
    outside = interceptor.outside();
  }
  for (const auto& r : outside) {
    ADD_FAILURE_AT(r.file_name() ? r.file_name() : "", r.line_number()) << r.message();
  }
  name_report(report);
  return report;
}

// Success when every explored execution passes; otherwise the report.
inline ::testing::AssertionResult explore_ok(const Options& options, std::function<void()> body) {
  Report report = explore_intercepted(options, std::move(body));
  if (report.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\n" << report.to_string();
}

// Explores, requires a failure of `kind`, and requires its token to replay to
// the same kind. Adds a GoogleTest failure otherwise. Returns the report.
inline Report expect_failure(FailureKind kind, const Options& options, std::function<void()> body) {
  Report report = explore_intercepted(options, body);
  if (report.ok) {
    ADD_FAILURE() << "expected a " << failure_kind_name(kind) << " failure, but " << report.executions
                  << " executions passed";
    return report;
  }
  if (report.kind != kind) {
    ADD_FAILURE() << "expected a " << failure_kind_name(kind) << " failure, got:\n" << report.to_string();
    return report;
  }
  Options replay_options = options;  // same bounds (max_steps, ...) as the exploration
  replay_options.apply_environment = false;
  replay_options.strategy = Strategy::replay(report.token);
  Report again;
  {
    FailureInterceptor interceptor;
    again = braid::explore(replay_options, body);
  }
  if (again.kind != kind) {
    ADD_FAILURE() << "the token did not replay to the same failure: got " << failure_kind_name(again.kind)
                  << "\nfirst report:\n" << report.to_string();
  }
  return report;
}

}  // namespace braid::testing

// BRAID_EXPECT_OK(options, body): explores `body`; fails the test with the
// report (ending with the replay line) if any execution fails.
#define BRAID_EXPECT_OK(options, ...) EXPECT_TRUE(::braid::testing::explore_ok((options), __VA_ARGS__))
#define BRAID_ASSERT_OK(options, ...) ASSERT_TRUE(::braid::testing::explore_ok((options), __VA_ARGS__))

// BRAID_EXPECT_FAILURE(kind, options, body): a seeded bug must be found, as a
// failure of `kind` (a braid::FailureKind enumerator name such as kDeadlock),
// and its token must replay to the same kind.
#define BRAID_EXPECT_FAILURE(kind, options, ...) \
  (void)::braid::testing::expect_failure(::braid::FailureKind::kind, (options), __VA_ARGS__)

#endif  // BRAID_TESTING_H_
