// Tests of braid::mp::Pool on the OS runtime: CPython's _TestPool
// (Lib/test/_test_multiprocessing.py) re-expressed. Worker crashes,
// terminate and concurrency are in mp_pool_crash_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/pool.h"
#include "braid/runtime.h"
#include "leak_check.h"

namespace {

using namespace std::chrono_literals;
using braid::mp::AsyncResult;
using braid::mp::Pool;

int sqr(int x) { return x * x; }
int sqr_slowly(int x, int ms) {
  braid::runtime::sleep(std::chrono::milliseconds(ms));
  return x * x;
}
int sleep_ms(int ms) {
  braid::runtime::sleep(std::chrono::milliseconds(ms));
  return ms;
}
int mul(int a, int b) { return a * b; }
std::string repeat(std::string s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
void nothing() {}
int raise_runtime(int x) { throw braid::RuntimeError("bad " + std::to_string(x)); }
int raise_std(int) { throw std::out_of_range("key"); }
int raise_empty(int) { throw braid::queue::Empty(""); }
int raise_at_3(int x) {
  if (x == 3) throw braid::ValueError("three");
  return x * x;
}
std::vector<int> range(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}
std::vector<int> squares(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i * i;
  return v;
}

class MpPool : public ::testing::Test {
 protected:
  braid_test::LeakCheck leaks_;
};

TEST_F(MpPool, Apply) {
  Pool pool(2);
  EXPECT_EQ(pool.apply(sqr, 5), 25);
  EXPECT_EQ(pool.apply(mul, 6, 7), 42);
  EXPECT_EQ(pool.apply(repeat, std::string("ab"), 3), "ababab");
  pool.apply(nothing);
}

TEST_F(MpPool, Map) {
  Pool pool(4);
  EXPECT_EQ(pool.map(sqr, range(10)), squares(10));
  EXPECT_EQ(pool.map(sqr, range(100), 20), squares(100));
  EXPECT_EQ(pool.map_async(sqr, range(10)).get(), squares(10));
}

TEST_F(MpPool, Starmap) {
  Pool pool(2);
  std::vector<std::pair<int, int>> pairs;
  std::vector<int> expected;
  for (int i = 0; i < 100; ++i) {
    pairs.emplace_back(i, 99 - i);
    expected.push_back(i * (99 - i));
  }
  EXPECT_EQ(pool.starmap(mul, pairs), expected);
  EXPECT_EQ(pool.starmap(mul, pairs, 20), expected);
  EXPECT_EQ(pool.starmap_async(mul, pairs).get(), expected);
}

// test_map_chunksize / test_empty_iterable.
TEST_F(MpPool, EmptyIterables) {
  Pool pool(1);
  EXPECT_TRUE(pool.map(sqr, std::vector<int>{}).empty());
  EXPECT_TRUE(pool.map_async(sqr, std::vector<int>{}, 1).get(50ms).empty());
  int n = 0;
  for (int v : pool.imap(sqr, std::vector<int>{})) n += v + 1;
  for (int v : pool.imap_unordered(sqr, std::vector<int>{})) n += v + 1;
  EXPECT_EQ(n, 0);
  pool.close();
  pool.join();
}

// test_async.
TEST_F(MpPool, ApplyAsync) {
  Pool pool(2);
  AsyncResult<int> r = pool.apply_async(sqr_slowly, 7, 10);
  EXPECT_EQ(r.get(), 49);
  EXPECT_TRUE(r.ready());
  EXPECT_TRUE(r.successful());
  EXPECT_EQ(r.get(), 49);  // again
  AsyncResult<void> v = pool.apply_async(nothing);
  v.get();
  EXPECT_TRUE(v.successful());
}

// test_async_timeout: get(timeout) raises TimeoutError; successful() is a
// ValueError until ready.
TEST_F(MpPool, ApplyAsyncTimeout) {
  Pool pool(3);
  AsyncResult<int> r = pool.apply_async(sqr_slowly, 6, 10'000);
  EXPECT_THROW(r.get(20ms), braid::TimeoutError);
  EXPECT_FALSE(r.wait(1ms));
  EXPECT_FALSE(r.ready());
  try {
    r.successful();
    FAIL() << "successful() on a result that is not ready";
  } catch (const braid::ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("AsyncResult object at 0x"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not ready"), std::string::npos) << e.what();
  }
  pool.terminate();
  pool.join();
}

// test_imap.
TEST_F(MpPool, Imap) {
  Pool pool(4);
  std::vector<int> got;
  for (int v : pool.imap(sqr, range(10))) got.push_back(v);
  EXPECT_EQ(got, squares(10));

  auto it = pool.imap(sqr, range(10));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(it.next(), i * i);
  EXPECT_EQ(it.next(), std::nullopt);

  auto chunked = pool.imap(sqr, range(1000), 100);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(chunked.next(), i * i);
  EXPECT_EQ(chunked.next(), std::nullopt);
}

// test_imap_unordered.
TEST_F(MpPool, ImapUnordered) {
  Pool pool(4);
  std::vector<int> got;
  for (int v : pool.imap_unordered(sqr, range(10))) got.push_back(v);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, squares(10));
  got.clear();
  for (int v : pool.imap_unordered(sqr, range(1000), 100)) got.push_back(v);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, squares(1000));
}

// imap's next(timeout) raises TimeoutError when the next result is late.
TEST_F(MpPool, ImapNextTimeout) {
  Pool pool(1);
  auto it = pool.imap(sleep_ms, std::vector<int>{5000});
  EXPECT_THROW(it.next(10ms), braid::TimeoutError);
  pool.terminate();
}

TEST_F(MpPool, ChunksizeMustBePositive) {
  Pool pool(1);
  try {
    pool.imap(sqr, range(3), 0);
    FAIL() << "no error";
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.what(), "Chunksize must be 1+, not 0");
  }
  EXPECT_THROW(pool.map(sqr, range(3), 0), braid::ValueError);
}

// test_make_pool.
TEST_F(MpPool, MakePool) {
  for (int n : {0, -1}) {
    try {
      Pool pool(n);
      FAIL() << "Pool(" << n << ")";
    } catch (const braid::ValueError& e) {
      EXPECT_STREQ(e.what(), "Number of processes must be at least 1");
    }
  }
  Pool pool(3);
  EXPECT_EQ(pool.processes(), 3);
  EXPECT_EQ(pool.worker_pids().size(), 3u);
  pool.close();
  pool.join();
}

TEST_F(MpPool, DefaultSizeIsTheCpuCount) {
  Pool pool;
  EXPECT_GE(pool.processes(), 1);
  EXPECT_EQ(pool.apply(sqr, 3), 9);
}

// test_context / test_enter: join before close is an error; after close or
// terminate nothing more can be submitted.
TEST_F(MpPool, StateErrors) {
  Pool pool(2);
  try {
    pool.join();
    FAIL() << "join of a running pool";
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.what(), "Pool is still running");
  }
  auto r = pool.map_async(sqr, range(10));
  pool.close();
  pool.close();
  try {
    pool.apply(sqr, 1);
    FAIL() << "apply after close";
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.what(), "Pool not running");
  }
  EXPECT_THROW(pool.map(sqr, range(3)), braid::ValueError);
  pool.join();
  EXPECT_EQ(r.get(), squares(10));  // results outlive the workers
  pool.join();
  pool.terminate();
}

// test_traceback / test_wrapped_exception / test_async_error_callback: a
// worker's exception comes back with its type and message.
TEST_F(MpPool, WorkerExceptionsKeepTypeAndMessage) {
  Pool pool(1);
  const auto pids = pool.worker_pids();
  try {
    pool.apply(raise_runtime, 123);
    FAIL() << "no error";
  } catch (const braid::RuntimeError& e) {
    EXPECT_STREQ(e.what(), "bad 123");
  }
  try {
    pool.apply(raise_std, 0);
    FAIL() << "no error";
  } catch (const braid::mp::RemoteError& e) {
    EXPECT_STREQ(e.type_name(), "std::out_of_range");
    EXPECT_STREQ(e.what(), "key");
  }
  EXPECT_THROW(pool.apply(raise_empty, 0), braid::queue::Empty);
  auto r = pool.apply_async(raise_runtime, 1);
  r.wait();
  EXPECT_TRUE(r.ready());
  EXPECT_FALSE(r.successful());
  EXPECT_THROW(r.get(), braid::RuntimeError);
  EXPECT_THROW(r.get(), braid::RuntimeError);  // every time
  EXPECT_EQ(pool.worker_pids(), pids);          // exceptions do not kill workers
}

// A failing item fails map; imap raises at its place and goes on.
TEST_F(MpPool, FailingItems) {
  Pool pool(2);
  try {
    pool.map(raise_at_3, range(10), 1);
    FAIL() << "no error";
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.what(), "three");
  }
  auto it = pool.imap(raise_at_3, range(6));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(it.next(), i * i);
  EXPECT_THROW(it.next(), braid::ValueError);
  EXPECT_EQ(it.next(), 16);
  EXPECT_EQ(it.next(), 25);
  EXPECT_EQ(it.next(), std::nullopt);
}

}  // namespace
