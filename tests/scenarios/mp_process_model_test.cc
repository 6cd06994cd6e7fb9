// mp_process_model_test.cc: mp::Process and mp::Pipe under the model runtime.
// A modelled process is a logical thread in its own simulated process: it
// sees a copy of the tracked variables at start(), its writes stay its own,
// and only channels carry data back. These tests show that lesson and the
// Python semantics (exit codes, EOF when every copy of a writing end is
// closed, terminate) in every explored interleaving.
#include <signal.h>

#include <tuple>

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <utility>

#include "braid/explore.h"
#include "braid/mp/connection.h"
#include "braid/mp/process.h"
#include "braid/os.h"
#include "braid/tracked.h"

namespace {

using namespace std::chrono_literals;
using braid::mp::Connection;
using braid::mp::Pipe;
using braid::mp::Process;

braid::Options options(std::uint64_t n = 200) {
  braid::Options o;
  o.executions = n;
  o.apply_environment = false;
  return o;
}

// The tutorial's lesson: the child increments its own copy of `counter`.
TEST(MpProcessModel, ChildWritesStayInTheChild) {
  braid::Report r = braid::explore(options(), [] {
    braid::Shared<int> counter{0};
    Process p([&counter] {
      counter.store(counter.load() + 1);
      BRAID_ASSERT(counter.load() == 1, "the child sees its own write");
    });
    p.start();
    p.join();
    BRAID_ASSERT(p.exitcode() == 0);
    BRAID_ASSERT(counter.load() == 0, "the parent's counter is untouched");
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

// Expecting the child's write in the parent is the bug the model finds.
TEST(MpProcessModel, ExpectingTheChildsWriteFails) {
  braid::Report r = braid::explore(options(), [] {
    braid::Shared<int> counter{0};
    Process p([&counter] { counter.store(counter.load() + 1); });
    p.start();
    p.join();
    BRAID_ASSERT(counter.load() == 1, "lost update: the child wrote its own copy");
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, braid::FailureKind::kAssertion);
}

// The fix: send the result back through a Pipe.
TEST(MpProcessModel, ResultComesBackThroughAPipe) {
  braid::Report r = braid::explore(options(), [] {
    braid::Shared<int> counter{41};
    Connection parent_end, child_end;
    std::tie(parent_end, child_end) = Pipe();
    Process p([&counter, child_end = child_end] { child_end.send(counter.load() + 1); });
    p.start();
    BRAID_ASSERT(parent_end.recv<int>() == 42);
    p.join();
    BRAID_ASSERT(p.exitcode() == 0);
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

// EOF comes once every process has closed the writing end: the parent closes
// its copy, the child's copy closes when the child ends.
TEST(MpProcessModel, EofWhenEveryCopyOfTheWriterIsClosed) {
  braid::Report r = braid::explore(options(), [] {
    Connection reader, writer;
    std::tie(reader, writer) = Pipe(false);
    Process p([writer = writer] {
      writer.send(1);
      writer.send(2);
    });
    p.start();
    writer.close();
    int sum = reader.recv<int>() + reader.recv<int>();
    bool eof = false;
    try {
      reader.recv<int>();
    } catch (const braid::EOFError&) {
      eof = true;
    }
    BRAID_ASSERT(sum == 3 && eof);
    p.join();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

// Forgetting to close the parent's copy of the writer: recv waits forever.
TEST(MpProcessModel, ForgottenWriterCopyIsADeadlock) {
  braid::Report r = braid::explore(options(), [] {
    Connection reader, writer;
    std::tie(reader, writer) = Pipe(false);
    Process p([writer = writer] { writer.send(1); });
    p.start();
    reader.recv<int>();
    reader.recv<int>();  // never EOF: the parent still holds `writer`
  });
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, braid::FailureKind::kDeadlock) << r.to_string();
}

TEST(MpProcessModel, ExitCodesAndNames) {
  braid::Report r = braid::explore(options(), [] {
    Process ok([] {});
    Process three([] { braid::mp::exit(3); });
    Process raises([] { throw braid::ValueError("boom"); });
    Connection r1, w1;
    std::tie(r1, w1) = Pipe(false);
    Process named([w1 = w1] {
      w1.send(std::pair<std::string, int>(braid::mp::current_process().name(), braid::os::getpid()));
    });
    BRAID_ASSERT(ok.name() == "Process-1" && named.name() == "Process-4", ok.name(), named.name());
    for (Process* p : {&ok, &three, &raises, &named}) p->start();
    w1.close();
    auto [name, pid] = r1.recv<std::pair<std::string, int>>();
    BRAID_ASSERT(name == "Process-4" && pid == named.pid(), name, " ", pid);
    for (Process* p : {&ok, &three, &raises, &named}) p->join();
    BRAID_ASSERT(ok.exitcode() == 0 && three.exitcode() == 3 && raises.exitcode() == 1);
    BRAID_ASSERT(braid::mp::active_children().empty());
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

// A child blocked in recv is woken by terminate() and ends with -SIGTERM.
TEST(MpProcessModel, TerminateABlockedChild) {
  braid::Report r = braid::explore(options(), [] {
    Connection a, b;
    std::tie(a, b) = Pipe();
    Process p([b = b] { b.recv<int>(); });
    p.start();
    BRAID_ASSERT(p.is_alive());
    p.terminate();
    p.join();
    BRAID_ASSERT(p.exitcode() == -SIGTERM, *p.exitcode());
    BRAID_ASSERT(!p.is_alive());
  });
  EXPECT_TRUE(r.ok) << r.to_string();
}

// A timed join may return before the child ends: both outcomes occur.
TEST(MpProcessModel, TimedJoinOutcomes) {
  std::set<std::optional<int>> seen;
  braid::Report r = braid::explore(options(400), [&seen] {
    Process p([] {});
    p.start();
    p.join(5ms);
    seen.insert(p.exitcode());
    p.join();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(seen, (std::set<std::optional<int>>{std::nullopt, 0}));
}

// Two children racing to send: both arrival orders are explored.
TEST(MpProcessModel, ArrivalOrderOutcomes) {
  std::set<std::pair<int, int>> seen;
  braid::Report r = braid::explore(options(400), [&seen] {
    Connection reader, writer;
    std::tie(reader, writer) = Pipe(false);
    Process p1([writer = writer] { writer.send(1); });
    Process p2([writer = writer] { writer.send(2); });
    p1.start();
    p2.start();
    int first = reader.recv<int>();
    int second = reader.recv<int>();
    seen.insert({first, second});
    p1.join();
    p2.join();
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(seen, (std::set<std::pair<int, int>>{{1, 2}, {2, 1}}));
}

TEST(MpProcessModel, MisuseAndForkAreReported) {
  braid::Report twice = braid::explore(options(20), [] {
    Process p([] {});
    p.start();
    p.start();
  });
  ASSERT_FALSE(twice.ok);
  EXPECT_EQ(twice.kind, braid::FailureKind::kMisuse);
  EXPECT_NE(twice.message.find("cannot start a process twice"), std::string::npos) << twice.message;

  braid::Report fork = braid::explore(options(20), [] { braid::os::fork(); });
  ASSERT_FALSE(fork.ok);
  EXPECT_NE(fork.message.find("os.fork() cannot be modelled; use mp::Process"), std::string::npos)
      << fork.message;
}

}  // namespace
