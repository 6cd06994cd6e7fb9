// The failing step(s) marked on the HTML swimlane (scenarios/report/
// trace_html.h): which steps failure_marks() picks for each kind of failure,
// how the page draws them (banner, legend, cell class and data-step, anchors,
// marks kept in the omitted middle of long traces), no marks for a passing
// run, and `braid replay --html` writing a marked page.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../scenarios/report/trace_html.h"
#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/thread.h"
#include "braid/tracked.h"

#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::report {
namespace {

using runtime::Op;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The data-step values of the page's marked cells, in page order.
std::vector<std::size_t> marked_steps(const std::string& page) {
  std::vector<std::size_t> out;
  static const std::regex cell(R"re(<td class="c\d+ failing-step" data-step="(\d+)">)re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), cell); it != std::sregex_iterator(); ++it) {
    out.push_back(std::stoul((*it)[1]));
  }
  return out;
}

std::vector<std::size_t> indices(const FailureMarks& marks) {
  std::vector<std::size_t> out;
  for (const StepMark& m : marks.steps) out.push_back(m.step);
  return out;
}

Report failing(FailureKind kind, std::string thread, std::string message) {
  Report r;
  r.ok = false;
  r.kind = kind;
  r.thread = std::move(thread);
  r.message = std::move(message);
  return r;
}

// MainThread starts worker and joins it; worker takes Lock#1 twice.
Trace lock_twice() {
  Trace t;
  t.thread_names = {"MainThread", "worker"};
  t.object_names = {"", "Lock#1", "Thread 'worker'"};
  t.steps = {
      {0, Op::kThreadStart, 0, 0, 2, 10, "t/demo.cc", "main"},  // 0
      {1, Op::kThreadStart, 0, 0, 2, 10, "t/demo.cc", "main"},  // 1
      {1, Op::kLockAcquire, 0, 1, 1, 4, "t/demo.cc", "w"},      // 2
      {0, Op::kEventQuery, 0, 0, 0, 11, "t/demo.cc", "main"},   // 3
      {1, Op::kLockRelease, 0, 0, 1, 5, "t/demo.cc", "w"},      // 4
      {1, Op::kLockRelease, 0, 0, 1, 6, "t/demo.cc", "w"},      // 5: misuse
      {0, Op::kYield, 0, 0, 0, 12, "t/demo.cc", "main"},        // 6
  };
  return t;
}

TEST(FailureMarks, PassingRunHasNone) {
  Report ok;
  const FailureMarks marks = failure_marks(ok, lock_twice());
  EXPECT_FALSE(marks.failed());
  EXPECT_TRUE(marks.steps.empty());
  const std::string page = render_html(lock_twice(), "ok", marks);
  EXPECT_EQ(page, render_html(lock_twice(), "ok"));
  EXPECT_FALSE(contains(page, "failing-step"));
  EXPECT_FALSE(contains(page, "class=\"failure\""));
}

TEST(FailureMarks, FailingThreadsLastStep) {
  // The misuse is raised right after worker's second release (step 6), even
  // though MainThread stepped later.
  const FailureMarks marks =
      failure_marks(failing(FailureKind::kMisuse, "worker", "RuntimeError: release unlocked lock"), lock_twice());
  ASSERT_EQ(indices(marks), std::vector<std::size_t>{5});
  EXPECT_EQ(marks.steps[0].label, "failed here: misuse: RuntimeError: release unlocked lock");
  const std::string page = render_html(lock_twice(), "misuse", marks);
  EXPECT_EQ(marked_steps(page), std::vector<std::size_t>{6});
  EXPECT_TRUE(contains(page, "<tr id=\"step-6\" class=\"failing-row\">"));
  EXPECT_TRUE(contains(page, "<a href=\"#step-6\">step 6</a>"));
  EXPECT_TRUE(contains(page, "Failed: misuse in thread &#39;worker&#39;"));
  EXPECT_TRUE(contains(page, "<div class=\"badge\">failed here: misuse: RuntimeError: release unlocked lock</div>"));
  EXPECT_TRUE(contains(page, "<p class=\"legend\">"));
}

TEST(FailureMarks, SharedNameTakesTheThreadThatSteppedLast) {
  Trace t = lock_twice();
  t.thread_names = {"same", "same"};
  EXPECT_EQ(indices(failure_marks(failing(FailureKind::kAssertion, "same", "x"), t)), std::vector<std::size_t>{6});
}

TEST(FailureMarks, NoThreadMarksTheLastStep) {
  EXPECT_EQ(indices(failure_marks(failing(FailureKind::kNondeterminism, "", "replay diverged"), lock_twice())),
            std::vector<std::size_t>{6});
  const FailureMarks none = failure_marks(failing(FailureKind::kAssertion, "x", "m"), Trace{});
  EXPECT_TRUE(none.failed());
  EXPECT_TRUE(none.steps.empty());
  const std::string page = render_html(Trace{}, "empty", none);
  EXPECT_TRUE(contains(page, "No step of the trace is marked"));
  EXPECT_TRUE(marked_steps(page).empty());
}

TEST(FailureMarks, DeadlockMarksEveryBlockedThreadsLastStep) {
  Trace t;
  t.thread_names = {"MainThread", "a", "b", "done"};
  t.object_names = {"", "Lock#1", "Lock#2"};
  t.steps = {
      {0, Op::kThreadStart, 0, 0, 0, 1, "d.cc", ""},  // 0
      {3, Op::kThreadStart, 0, 0, 0, 1, "d.cc", ""},  // 1
      {1, Op::kLockAcquire, 0, 1, 1, 2, "d.cc", ""},  // 2: a's last
      {3, Op::kThreadEnd, 0, 0, 0, 3, "d.cc", ""},    // 3: done has finished
      {2, Op::kLockAcquire, 0, 1, 2, 4, "d.cc", ""},  // 4: b's last
      {0, Op::kYield, 0, 0, 0, 5, "d.cc", ""},        // 5: MainThread's last
  };
  const std::string message =
      "deadlock: no thread can run and no timeout can fire.\n"
      "  'MainThread' blocked in thread.join on Thread 'a' at x/d.cc:6\n"
      "  'a' blocked in lock.acquire on Lock#2 at x/d.cc:7; held by 'b'\n"
      "  'b' blocked in lock.acquire on Lock#1 at x/d.cc:8; held by 'a'";
  const FailureMarks marks = failure_marks(failing(FailureKind::kDeadlock, "b", message), t);
  ASSERT_EQ(indices(marks), (std::vector<std::size_t>{2, 4, 5}));
  EXPECT_EQ(marks.steps[0].label,
            "failed here: deadlock: 'a' blocked after this step, in lock.acquire on Lock#2 at x/d.cc:7; held by 'b'");
  const std::string page = render_html(t, "deadlock", marks);
  EXPECT_EQ(marked_steps(page), (std::vector<std::size_t>{3, 5, 6}));
  EXPECT_TRUE(contains(page, "<a href=\"#step-3\">step 3</a>"));
  EXPECT_TRUE(contains(page, "<a href=\"#step-6\">step 6</a>"));
}

TEST(FailureMarks, DataRaceMarksBothAccesses) {
  Trace t;
  t.thread_names = {"MainThread", "w1", "w2"};
  t.object_names = {"", "Shared#1", "Shared#2"};
  t.steps = {
      {1, Op::kSharedWrite, 0, 0, 1, 20, "p/r.cc", ""},  // 0: the write the message names
      {1, Op::kSharedWrite, 0, 0, 2, 21, "p/r.cc", ""},  // 1: another object
      {2, Op::kSharedRead, 0, 0, 1, 22, "p/r.cc", ""},   // 2: a read: no conflict with the read below
      {0, Op::kSharedRead, 0, 0, 1, 30, "p/r.cc", ""},   // 3: the racing read
  };
  const std::string message =
      "data race on Shared#1: 'MainThread' reads it at p/r.cc:30, unordered with 'w1''s write at p/r.cc:20 (...)";
  const FailureMarks marks = failure_marks(failing(FailureKind::kDataRace, "MainThread", message), t);
  ASSERT_EQ(indices(marks), (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(marks.steps[0].label, "failed here: data_race: the write it races with (step 4)");
  EXPECT_EQ(marked_steps(render_html(t, "race", marks)), (std::vector<std::size_t>{1, 4}));

  // Without a usable message: the latest conflicting access.
  t.steps.insert(t.steps.begin() + 3, TraceStep{2, Op::kSharedWrite, 0, 0, 1, 23, "p/r.cc", ""});
  EXPECT_EQ(indices(failure_marks(failing(FailureKind::kDataRace, "MainThread", "race"), t)),
            (std::vector<std::size_t>{3, 4}));
}

TEST(FailureMarks, MarkedStepsInTheOmittedMiddleAreDrawn) {
  Trace t;
  t.thread_names = {"T0", "T1"};
  t.object_names = {"", "Lock#1"};
  const std::size_t n = kHtmlMaxRows + 1000;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t thread = i == kHtmlMaxRows / 2 + 500 ? 1 : 0;
    t.steps.push_back({thread, Op::kLockAcquire, 0, 0, 1, static_cast<std::uint32_t>(i + 1), "x.cc", "f"});
  }
  const FailureMarks marks = failure_marks(failing(FailureKind::kAssertion, "T1", "boom"), t);
  ASSERT_EQ(indices(marks), std::vector<std::size_t>{kHtmlMaxRows / 2 + 500});
  const std::string page = render_html(t, "long", marks);
  EXPECT_EQ(marked_steps(page), std::vector<std::size_t>{kHtmlMaxRows / 2 + 501});
  EXPECT_TRUE(contains(page, "(999 middle steps omitted)")) << "the marked step is drawn, not omitted";
  EXPECT_TRUE(contains(page, "... 500 steps omitted ..."));
  EXPECT_TRUE(contains(page, "... 499 steps omitted ..."));
}

TEST(FailureMarks, EscapesTheMessage) {
  const FailureMarks marks =
      failure_marks(failing(FailureKind::kAssertion, "<w>", "expected <b>1</b> & got 2"), lock_twice());
  const std::string page = render_html(lock_twice(), "t", marks);
  EXPECT_FALSE(contains(page, "<b>"));
  EXPECT_TRUE(contains(page, "expected &lt;b&gt;1&lt;/b&gt; &amp; got 2"));
}

// -- Explored executions: the mark lands on the step the engine failed at. --

Options opts() {
  Options o;
  o.executions = 200;
  o.apply_environment = false;
  return o;
}

// The 1-based numbers of the steps of `trace` that satisfy `pred`.
template <typename Pred>
std::vector<std::size_t> steps_where(const Trace& trace, Pred pred) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < trace.steps.size(); ++i)
    if (pred(trace.steps[i])) out.push_back(i + 1);
  return out;
}

TEST(ReportHtml, MisuseMarksTheSecondRelease) {
  Report r = explore(opts(), [] {
    Lock lock;
    Thread t(ThreadOptions{.name = "worker"}, [&] {
      lock.acquire();
      lock.release();
      lock.release();
    });
    t.start();
    t.join();
  });
  ASSERT_EQ(r.kind, FailureKind::kMisuse) << r.message;
  ASSERT_TRUE(r.trace);
  const auto releases = steps_where(*r.trace, [](const TraceStep& s) { return s.op == Op::kLockRelease; });
  ASSERT_EQ(releases.size(), 2u);
  EXPECT_EQ(marked_steps(render_report_html(r, "misuse")), std::vector<std::size_t>{releases[1]});
}

TEST(ReportHtml, DataRaceMarksTheWriteAndTheRead) {
  Report r = explore(opts(), [] {
    Shared<int> data{0};
    Thread t([&] { data.store(1); });
    t.start();
    int seen = data.load();
    (void)seen;
    t.join();
  });
  ASSERT_EQ(r.kind, FailureKind::kDataRace) << r.message;
  const auto accesses = steps_where(
      *r.trace, [](const TraceStep& s) { return s.op == Op::kSharedRead || s.op == Op::kSharedWrite; });
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_EQ(marked_steps(render_report_html(r, "race")), accesses);
}

TEST(ReportHtml, DeadlockMarksEachBlockedThread) {
  Report r = explore(opts(), [] {
    Lock lock;
    Thread t(ThreadOptions{.name = "worker"}, [&] {
      lock.acquire();
      lock.acquire();  // never returns
    });
    t.start();
    t.join();
  });
  ASSERT_EQ(r.kind, FailureKind::kDeadlock) << r.message;
  const Trace& trace = *r.trace;
  // worker blocked in its second acquire, after the first; MainThread in
  // join, after its last step (the trace only holds the steps taken).
  const auto acquires = steps_where(trace, [](const TraceStep& s) { return s.op == Op::kLockAcquire; });
  ASSERT_EQ(acquires.size(), 1u);
  const auto main_steps = steps_where(trace, [](const TraceStep& s) { return s.thread == 0; });
  ASSERT_FALSE(main_steps.empty());
  const std::set<std::size_t> expected{acquires[0], main_steps.back()};
  const auto got = marked_steps(render_report_html(r, "deadlock"));
  EXPECT_EQ(std::set<std::size_t>(got.begin(), got.end()), expected);
  EXPECT_EQ(got.size(), 2u);
}

TEST(ReportHtml, PassingRunHasNoMarker) {
  Report r = explore(opts(), [] {
    Lock lock;
    Shared<int> data{0};
    Thread t([&] {
      lock.acquire();
      data.store(1);
      lock.release();
    });
    t.start();
    lock.acquire();
    data.store(2);
    lock.release();
    t.join();
  });
  ASSERT_TRUE(r.ok) << r.message;
  const std::string page = render_report_html(r, "ok");
  EXPECT_FALSE(contains(page, "failing-step"));
  EXPECT_FALSE(contains(page, "class=\"failure\""));
}

#ifdef BRAID_BUILD_DIR
// `braid replay --html` writes the marked page: both racing accesses of the
// balance-nolock scenario.
TEST(ReplayHtml, MarksTheRacingAccesses) {
  const std::string braid = std::string(BRAID_BUILD_DIR) + "/scenarios/braid";
  const std::string env = "env -u BRAID_REPLAY -u BRAID_STRATEGY -u BRAID_EXECUTIONS -u BRAID_SEED ";
  auto run = [](const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
    return out;
  };
  const std::string explored = run(env + braid + " explore balance-nolock --json 2>/dev/null");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(explored, m, std::regex("\"token\": \"(b1\\.[A-Za-z0-9_-]+)\""))) << explored;
  const std::string html = ::testing::TempDir() + "braid-replay-marks.html";
  run(env + braid + " replay " + m[1].str() + " balance-nolock --html " + html + " >/dev/null 2>&1");
  std::ifstream in(html);
  std::stringstream page;
  page << in.rdbuf();
  std::remove(html.c_str());
  const std::string text = page.str();
  EXPECT_TRUE(contains(text, "Failed: data_race")) << text.substr(0, 3000);
  const auto marked = marked_steps(text);
  ASSERT_EQ(marked.size(), 2u) << text.substr(0, 3000);
  for (std::size_t step : marked) {
    const std::string id = "<tr id=\"step-" + std::to_string(step) + "\" class=\"failing-row\">";
    const std::size_t row = text.find(id);
    ASSERT_NE(row, std::string::npos) << id;
    const std::string line = text.substr(row, text.find('\n', row) - row);
    EXPECT_TRUE(contains(line, "shared.read") || contains(line, "shared.write")) << line;
  }
}
#endif

}  // namespace
}  // namespace braid::report
