// Every detector fires on a seeded bug, with a token that replays to the same
// kind, and stays silent on the fixed twin.
#include <gtest/gtest.h>

#include <atomic>

#include "braid/errors.h"
#include "braid/explore.h"
#include "braid/lock.h"
#include "braid/testing.h"
#include "braid/thread.h"
#include "braid/tracked.h"

// These tests take and release locks conditionally, or misuse them on purpose
// (the detectors must see it): clang's static thread-safety analysis is off here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace {

using braid::FailureKind;

braid::Options opts(std::uint64_t executions = 200) {
  braid::Options o;
  o.executions = executions;
  o.apply_environment = false;
  return o;
}

void thrower(bool caught) {
  braid::Thread t(braid::ThreadOptions{.name = "worker"}, [caught] {
    try {
      throw braid::ValueError("bad value");
    } catch (const braid::ValueError&) {
      if (!caught) throw;
    }
  });
  t.start();
  t.join();
}

TEST(Detectors, UncaughtExceptionNamesTheThreadAndType) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kUncaughtException, opts(5), [] { thrower(false); });
  EXPECT_NE(r.message.find("'worker'"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("ValueError: bad value"), std::string::npos) << r.message;
}

TEST(Detectors, CaughtExceptionPasses) { BRAID_EXPECT_OK(opts(5), [] { thrower(true); }); }

void release_twice(bool fixed) {
  braid::Lock lock;
  braid::Thread t([&] {
    lock.acquire();
    lock.release();
    if (!fixed) lock.release();
  });
  t.start();
  t.join();
}

TEST(Detectors, MisuseIsReportedWithPythonsError) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kMisuse, opts(5), [] { release_twice(false); });
  EXPECT_NE(r.message.find("RuntimeError: release unlocked lock"), std::string::npos) << r.message;
}

TEST(Detectors, CorrectReleasePasses) { BRAID_EXPECT_OK(opts(5), [] { release_twice(true); }); }

void publish(bool joined) {
  braid::Shared<int> data{0};
  braid::Thread t([&] { data.store(1); });
  t.start();
  if (joined) t.join();
  int seen = data.load();  // racy unless the join orders it after the write
  (void)seen;
  if (!joined) t.join();
}

TEST(Detectors, DataRaceReportsBothLocations) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kDataRace, opts(), [] { publish(false); });
  EXPECT_NE(r.message.find("detectors_test.cc"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("unordered with"), std::string::npos) << r.message;
}

TEST(Detectors, JoinOrdersTheAccesses) { BRAID_EXPECT_OK(opts(), [] { publish(true); }); }

TEST(Detectors, AtomicPublicationIsNotARace) {
  BRAID_EXPECT_OK(opts(), [] {
    braid::Shared<int> data{0};
    braid::Atomic<int> ready{0};
    braid::Thread t([&] {
      data = 1;
      ready.store(1);
    });
    t.start();
    if (ready.load() == 1) BRAID_ASSERT(data == 1, "published data not visible");
    t.join();
  });
}

TEST(Detectors, AssertionFailureCarriesItsMessageAndLocation) {
  braid::Report r = braid::testing::expect_failure(FailureKind::kAssertion, opts(5), [] {
    braid::Atomic<int> x{0};
    BRAID_ASSERT(x.load() == 1, "x is ", x.load());
  });
  EXPECT_NE(r.message.find("x is 0"), std::string::npos) << r.message;
  EXPECT_NE(std::string(r.where.file_name()).find("detectors_test.cc"), std::string::npos);
}

TEST(Detectors, NondeterminismIsDetectedOnReplay) {
  static std::atomic<int> calls{0};
  calls = 0;
  braid::Report r = braid::explore(opts(5), [] {
    braid::Thread t([] {});
    t.start();
    t.join();
    BRAID_ASSERT(calls.fetch_add(1) != 0, "fails only the first time: depends on state outside the model");
  });
  ASSERT_FALSE(r.ok) << calls.load();
  EXPECT_EQ(r.kind, FailureKind::kNondeterminism) << r.to_string();
}

TEST(Detectors, DaemonThreadsLeftBlockedAreUnwound) {
  static int destroyed = 0;
  destroyed = 0;
  struct Probe {
    ~Probe() { ++destroyed; }
  };
  braid::Options o = opts(20);
  braid::Report r = braid::explore(o, [] {
    braid::Lock lock;
    lock.acquire();
    braid::Thread d(braid::ThreadOptions{.daemon = true}, [&] {
      Probe p;
      lock.acquire();  // blocks forever: main never releases
    });
    d.start();
    braid::sleep(std::chrono::milliseconds(1));
  });
  EXPECT_TRUE(r.ok) << r.to_string();
  EXPECT_EQ(destroyed, 20);
}

TEST(Detectors, MainWaitsForNonDaemonThreads) {
  BRAID_EXPECT_OK(opts(50), [] {
    auto done = std::make_shared<braid::Atomic<int>>(0);
    braid::Thread t([done] { braid::sleep(std::chrono::seconds(1)); done->store(1); });
    t.start();
    // no join: Python's end of program still waits for t
  });
}

}  // namespace
