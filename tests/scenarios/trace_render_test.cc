// Trace renderings: the step table, the swimlane (one column per thread,
// shortening, elision) and the HTML page (escaping, self-containment).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "../../scenarios/report/trace.h"

namespace braid::report {
namespace {

using runtime::Op;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// MainThread starts Thread-1; both take Lock#1; Thread-1's wait times out.
Trace small_trace() {
  Trace t;
  t.thread_names = {"MainThread", "Thread-1"};
  t.object_names = {"", "Lock#1", "Condition#2"};
  const char* file = "/home/ci/src/braid/tests/demo/demo_test.cc";
  t.steps = {
      {0, Op::kThreadStart, 0, 0, 0, 10, file, "main"},
      {1, Op::kLockAcquire, 0, 0, 1, 4, file, "worker"},
      {0, Op::kLockAcquire, 0, 0, 1, 11, file, "main"},
      {1, Op::kConditionWait, 1, 0, 2, 5, file, "worker"},
      {1, Op::kLockRelease, 0, 0, 1, 6, file, "worker"},
  };
  return t;
}

Trace long_trace(std::size_t steps, std::uint32_t threads) {
  Trace t;
  for (std::uint32_t i = 0; i < threads; ++i) t.thread_names.push_back("T" + std::to_string(i));
  t.object_names = {"", "Lock#1"};
  for (std::size_t i = 0; i < steps; ++i) {
    t.steps.push_back({static_cast<std::uint32_t>(i % threads), Op::kLockAcquire, 0, 0, 1,
                       static_cast<std::uint32_t>(i + 1), "x.cc", "f"});
  }
  return t;
}

TEST(FileBasename, KeepsTheLastComponents) {
  EXPECT_EQ(file_basename("/a/b/c.cc"), "c.cc");
  EXPECT_EQ(file_basename("c.cc"), "c.cc");
  EXPECT_EQ(file_basename("C:\\src\\x\\c.cc"), "c.cc");
  EXPECT_EQ(file_basename("/a/b/c.cc", 2), "b/c.cc");
  EXPECT_EQ(file_basename("b/c.cc", 2), "b/c.cc");
  EXPECT_EQ(file_basename("", 2), "");
}

TEST(RenderTable, OneAlignedRowPerStep) {
  const std::string table = render_table(small_trace());
  const auto lines = lines_of(table);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].substr(0, 4), "step");
  for (const char* column : {"thread", "operation", "object", "location"}) EXPECT_TRUE(contains(lines[0], column));
  EXPECT_TRUE(contains(lines[1], "MainThread"));
  EXPECT_TRUE(contains(lines[1], "thread.start"));
  EXPECT_TRUE(contains(lines[1], "demo_test.cc:10"));
  EXPECT_FALSE(contains(table, "/home/ci")) << "paths are shortened to their basename";
  EXPECT_TRUE(contains(lines[4], "condition.wait (timeout)"));
  EXPECT_TRUE(contains(lines[4], "Condition#2"));
  // Columns aligned: "operation" starts at the same offset as every op name.
  const std::size_t op_col = lines[0].find("operation");
  EXPECT_EQ(lines[2].find("lock.acquire"), op_col);
  EXPECT_EQ(lines[5].find("lock.release"), op_col);
  EXPECT_EQ(lines[5].find("   5"), 0u);
  for (const auto& line : lines) EXPECT_NE(line.back(), ' ') << "no trailing spaces";
}

TEST(RenderTable, ElidesTheMiddleOfLongTraces) {
  const Trace t = long_trace(500, 2);
  const auto lines = lines_of(render_table(t, 10));
  ASSERT_EQ(lines.size(), 1u + 10u + 1u);
  EXPECT_TRUE(contains(lines[6], "... 490 steps omitted ..."));
  EXPECT_TRUE(contains(lines[1], "x.cc:1"));
  EXPECT_TRUE(contains(lines[5], "x.cc:5"));
  EXPECT_TRUE(contains(lines[7], "x.cc:496"));
  EXPECT_TRUE(contains(lines[11], "x.cc:500"));
  EXPECT_EQ(lines_of(render_table(t, 0)).size(), 501u) << "0 means no limit";
  EXPECT_TRUE(contains(render_table(t, 1), "... 499 steps omitted ..."));
}

TEST(RenderTable, UnnamedThreadsAndObjectsGetPlaceholders) {
  Trace t;
  t.steps = {{3, Op::kSharedWrite, 0, 0, 7, 0, "", ""}};
  const std::string table = render_table(t);
  EXPECT_TRUE(contains(table, "#3"));
  EXPECT_TRUE(contains(table, "#7"));
  EXPECT_TRUE(contains(table, "shared.write"));
  EXPECT_EQ(render_table(Trace{}), "step  thread  operation  object  location\n");
}

TEST(RenderSwimlane, OneColumnPerThread) {
  const std::string lane = render_swimlane(small_trace());
  const auto lines = lines_of(lane);
  ASSERT_EQ(lines.size(), 2u + 5u) << lane;
  const std::size_t main_col = lines[0].find("MainThread");
  const std::size_t worker_col = lines[0].find("Thread-1");
  ASSERT_NE(main_col, std::string::npos);
  ASSERT_NE(worker_col, std::string::npos);
  EXPECT_LT(main_col, worker_col);
  EXPECT_EQ(lines[1].find_first_not_of("-+"), std::string::npos) << "a rule under the header";
  EXPECT_EQ(lines[2].find("thread.start"), main_col);
  EXPECT_EQ(lines[3].find("lock.acquire Lock#1 @ demo_test.cc:4"), worker_col);
  EXPECT_EQ(lines[4].find("lock.acquire Lock#1 @ demo_test.cc:11"), main_col);
  EXPECT_EQ(lines[5].find("condition.wait (timeout) Condition#2"), worker_col);
  // Every '|' of a row lines up with the header's.
  for (std::size_t r = 1; r < lines.size(); ++r) {
    for (std::size_t i = 0; i < lines[r].size(); ++i) {
      if (lines[r][i] == '|' || lines[r][i] == '+') {
        EXPECT_EQ(lines[0][i], '|') << "row " << r << " col " << i;
      }
    }
  }
  for (const auto& line : lines) EXPECT_NE(line.back(), ' ');
}

TEST(RenderSwimlane, ShortensCellsToFitTheColumn) {
  Trace t = small_trace();
  t.object_names[1] = "Lock#1(a-very-long-name-given-by-the-user-for-this-lock)";
  const std::string lane = render_swimlane(t);
  for (const auto& line : lines_of(lane)) {
    if (line[0] == '-') continue;  // the rule under the header
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '|');) EXPECT_LE(cell.size(), 1u + 40u + 1u) << line;
  }
  EXPECT_TRUE(contains(lane, "| lock.acquire Lock#1(a-very-long-name-g.. |"));
  EXPECT_TRUE(contains(lane, "thread.start @ demo_test.cc:10")) << "short cells keep their location";
}

TEST(RenderSwimlane, ManyThreadsGetNarrowerColumns) {
  const std::string lane = render_swimlane(long_trace(40, 12));
  const auto lines = lines_of(lane);
  EXPECT_LE(lines[1].size(), 12u * (16 + 3) + 5) << lane;
  EXPECT_TRUE(contains(lines[0], "T11"));
}

TEST(RenderSwimlane, ElidesTheMiddleOfLongTraces) {
  const std::string lane = render_swimlane(long_trace(1000, 3), 20);
  const auto lines = lines_of(lane);
  ASSERT_EQ(lines.size(), 2u + 20u + 1u);
  EXPECT_TRUE(contains(lines[12], "... 980 steps omitted ..."));
  EXPECT_TRUE(contains(lines[2], "   1 |"));
  EXPECT_TRUE(contains(lines[13], " 991 |"));
  EXPECT_TRUE(contains(lines[22], "1000 |"));
}

TEST(RenderHtml, EscapesEverythingItPrints) {
  Trace t = small_trace();
  t.thread_names[1] = "<b>worker</b>";
  t.object_names[1] = "Lock \"a\" & 'b'";
  t.steps[1].file = "/src/<dir>/x&y.cc";
  const std::string html = render_html(t, "Deadlock in <script>alert(1)</script>");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "<title>Deadlock in &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<b>"));
  EXPECT_TRUE(contains(html, "&lt;b&gt;worker&lt;/b&gt;"));
  EXPECT_TRUE(contains(html, "Lock &quot;a&quot; &amp; &#39;b&#39;"));
  EXPECT_TRUE(contains(html, "&lt;dir&gt;/x&amp;y.cc:4"));
  EXPECT_TRUE(contains(html, "title=\"/src/&lt;dir&gt;/x&amp;y.cc:4 in worker\""));
}

TEST(RenderHtml, SelfContainedSwimlane) {
  const std::string html = render_html(small_trace(), "trace");
  EXPECT_TRUE(contains(html, "<style>"));
  for (const char* external : {"<link", "src=", "href=", "http:", "https:", "@import"}) {
    EXPECT_FALSE(contains(html, external)) << external;
  }
  EXPECT_TRUE(contains(html, "<th>MainThread</th><th>Thread-1</th>"));
  EXPECT_TRUE(contains(html, "<span class=\"wake\">(timeout)</span>"));
  EXPECT_TRUE(contains(html, ">@ demo/demo_test.cc:10<")) << "two path components in HTML";
  // One row per step, one cell per thread in each.
  std::size_t rows = 0;
  for (std::size_t at = 0; (at = html.find("<tr><td class=\"n\">", at)) != std::string::npos; ++at) ++rows;
  EXPECT_EQ(rows, 5u);
}

TEST(HtmlEscape, Characters) {
  EXPECT_EQ(html_escape("a<b>&\"'c"), "a&lt;b&gt;&amp;&quot;&#39;c");
  EXPECT_EQ(html_escape(""), "");
}

TEST(DescribeStep, OneLine) {
  const Trace t = small_trace();
  EXPECT_EQ(describe_step(t, 1), "Thread-1: lock.acquire Lock#1 @ demo_test.cc:4");
  EXPECT_EQ(describe_step(t, 3), "Thread-1: condition.wait (timeout) Condition#2 @ demo_test.cc:5");
  EXPECT_EQ(describe_step(t, 99), "");
}

}  // namespace
}  // namespace braid::report
