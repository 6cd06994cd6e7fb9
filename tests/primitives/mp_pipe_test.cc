// mp_pipe_test.cc: braid::mp::Pipe / Connection / wait on the OS runtime,
// after the Connection tests of CPython's _test_multiprocessing.py.
#include "braid/mp/connection.h"

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "braid/codec.h"
#include "braid/mp/process.h"
#include "braid/os.h"
#include "braid/thread.h"
#include "leak_check.h"
#include "process_test_support.h"

namespace braid::mp {
namespace {

using namespace std::chrono_literals;

using testing_support::error_of;

struct Point {
  int x = 0;
  double y = 0;
  std::string tag;
  bool operator==(const Point&) const = default;
  BRAID_CODEC_FIELDS(x, y, tag)
};

TEST(MpPipe, DuplexBothWaysKeepsBoundaries) {
  braid_test::LeakCheck leaks;
  Connection a, b;
  std::tie(a, b) = Pipe();
  EXPECT_TRUE(a.readable() && a.writable() && b.readable() && b.writable());
  a.send_bytes("ab");
  a.send_bytes("");
  a.send_bytes("cd");
  EXPECT_EQ(b.recv_bytes(), "ab");
  EXPECT_EQ(b.recv_bytes(), "");
  EXPECT_EQ(b.recv_bytes(), "cd");
  b.send(Point{1, 2.5, "p"});
  b.send(std::vector<int>{1, 2, 3});
  b.send(std::map<std::string, int>{{"k", 4}});
  EXPECT_EQ(a.recv<Point>(), (Point{1, 2.5, "p"}));
  EXPECT_EQ(a.recv<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ((a.recv<std::map<std::string, int>>()), (std::map<std::string, int>{{"k", 4}}));
  EXPECT_FALSE(a.poll());
}

TEST(MpPipe, OneWayEnds) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  EXPECT_TRUE(r.readable());
  EXPECT_FALSE(r.writable());
  EXPECT_FALSE(w.readable());
  EXPECT_TRUE(w.writable());
  EXPECT_EQ(error_of<OSError>([&] { r.send(1); }), "connection is read-only");
  EXPECT_EQ(error_of<OSError>([&] { w.recv<int>(); }), "connection is write-only");
  EXPECT_EQ(error_of<OSError>([&] { w.poll(); }), "connection is write-only");
  w.send(5);
  EXPECT_EQ(r.recv<int>(), 5);
  EXPECT_GE(r.fileno(), 0);
  EXPECT_GE(w.fileno(), 0);
}

TEST(MpPipe, SendBytesOffsetAndSize) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  w.send_bytes("hello", 1, 3);
  w.send_bytes("hello", 2);
  EXPECT_EQ(r.recv_bytes(), "ell");
  EXPECT_EQ(r.recv_bytes(), "llo");
  EXPECT_EQ(error_of<ValueError>([&] { w.send_bytes("x", -1); }), "offset is negative");
  EXPECT_EQ(error_of<ValueError>([&] { w.send_bytes("x", 2); }), "buffer length < offset");
  EXPECT_EQ(error_of<ValueError>([&] { w.send_bytes("x", 0, -1); }), "size is negative");
  EXPECT_EQ(error_of<ValueError>([&] { w.send_bytes("x", 0, 2); }), "buffer length < offset + size");
}

TEST(MpPipe, RecvBytesMaxlength) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  EXPECT_EQ(error_of<ValueError>([&] { r.recv_bytes(-1); }), "negative maxlength");
  w.send_bytes("abc");
  EXPECT_EQ(r.recv_bytes(3), "abc");
  w.send_bytes("abcdef");
  EXPECT_EQ(error_of<OSError>([&] { r.recv_bytes(3); }), "bad message length");
  EXPECT_TRUE(r.closed());  // Python closes the connection
}

TEST(MpPipe, RecvBytesInto) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  w.send_bytes("12");
  char buf[5] = {0, 0, 0, 0, 0};
  EXPECT_EQ(r.recv_bytes_into(buf, 1), 2u);
  EXPECT_EQ(std::string(buf, 5), std::string("\0" "12\0\0", 5));
  EXPECT_EQ(error_of<ValueError>([&] { r.recv_bytes_into(buf, -1); }), "negative offset");
  EXPECT_EQ(error_of<ValueError>([&] { r.recv_bytes_into(buf, 6); }), "offset too large");
  w.send_bytes("12345");
  char small[3];
  try {
    r.recv_bytes_into(small);
    FAIL();
  } catch (const BufferTooShort& e) {
    EXPECT_EQ(e.message(), "12345");  // the message is consumed and handed over
  }
}

TEST(MpPipe, ClosedHandle) {
  braid_test::LeakCheck leaks;
  Connection a, b;
  std::tie(a, b) = Pipe();
  a.close();
  a.close();
  EXPECT_TRUE(a.closed());
  const std::string closed = "handle is closed";
  EXPECT_EQ(error_of<OSError>([&] { a.send(1); }), closed);
  EXPECT_EQ(error_of<OSError>([&] { a.recv<int>(); }), closed);
  EXPECT_EQ(error_of<OSError>([&] { a.send_bytes("x"); }), closed);
  EXPECT_EQ(error_of<OSError>([&] { a.recv_bytes(); }), closed);
  EXPECT_EQ(error_of<OSError>([&] { a.poll(); }), closed);
  EXPECT_EQ(error_of<OSError>([&] { a.fileno(); }), closed);
  EXPECT_TRUE(Connection().closed());
  EXPECT_EQ(error_of<OSError>([&] { Connection().send(1); }), closed);
}

TEST(MpPipe, EofAfterThePeerClosesAndBrokenPipe) {
  braid_test::LeakCheck leaks;
  Connection a, b;
  std::tie(a, b) = Pipe();
  a.send(1);
  a.send(2);
  a.close();
  EXPECT_TRUE(b.poll());
  EXPECT_EQ(b.recv<int>(), 1);
  EXPECT_EQ(b.recv<int>(), 2);
  EXPECT_TRUE(b.poll());  // EOF is "readable"
  EXPECT_THROW(b.recv<int>(), EOFError);
  EXPECT_THROW(b.recv_bytes(), EOFError);
  try {
    b.send(3);
    FAIL();
  } catch (const BrokenPipeError& e) {
    EXPECT_STREQ(e.what(), "[Errno 32] Broken pipe");
  }
}

TEST(MpPipe, PollAndWaitTimeouts) {
  braid_test::LeakCheck leaks;
  Connection a, b;
  std::tie(a, b) = Pipe();
  Connection c, d;
  std::tie(c, d) = Pipe();
  EXPECT_FALSE(b.poll());
  EXPECT_FALSE(b.poll(10ms));
  EXPECT_TRUE(wait({b, d}, 10ms).empty());
  EXPECT_TRUE(wait({b, d}, 0s).empty());
  c.send(1);
  EXPECT_EQ(wait({b, d}), std::vector<Connection>{d});
  a.send(2);
  EXPECT_EQ(wait({b, d}, 0s), (std::vector<Connection>{b, d}));
  EXPECT_EQ(d.recv<int>(), 1);
  EXPECT_EQ(wait({b, d}, 0s), std::vector<Connection>{b});
  EXPECT_EQ(b.recv<int>(), 2);
}

TEST(MpPipe, WrongTypeIsADecodeError) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  w.send(std::string("abc"));
  w.send(7);
  EXPECT_THROW(r.recv<std::int64_t>(), codec::DecodeError);
  EXPECT_EQ(r.recv<int>(), 7);  // the bad message was consumed, the next is intact
}

TEST(MpPipe, ManySmallMessagesBetweenProcesses) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  constexpr int kN = 20000;
  Process p([r = r, w = w] {
    r.close();
    for (int i = 0; i < kN; ++i) w.send(i);
  });
  p.start();
  w.close();
  long sum = 0;
  for (int i = 0; i < kN; ++i) sum += r.recv<int>();
  EXPECT_THROW(r.recv<int>(), EOFError);  // the child exited: every writer is closed
  p.join();
  EXPECT_EQ(sum, static_cast<long>(kN) * (kN - 1) / 2);
  EXPECT_EQ(p.exitcode(), 0);
}

TEST(MpPipe, LargeMessagesBothWays) {
  braid_test::LeakCheck leaks;
  Connection a, b;
  std::tie(a, b) = Pipe();
  Process p([a = a, b = b] {
    a.close();
    std::string big = b.recv<std::string>();  // echo it back, reversed
    b.send(std::string(big.rbegin(), big.rend()));
  });
  p.start();
  b.close();
  std::string big(3 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  a.send(big);
  std::string back = a.recv<std::string>();
  p.join();
  EXPECT_EQ(back, std::string(big.rbegin(), big.rend()));
}

TEST(MpPipe, ConcurrentSendersKeepMessagesWhole) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  constexpr int kN = 2000;
  auto sender = [w = w](int tag) {
    for (int i = 0; i < kN; ++i) w.send(std::pair<int, std::string>(tag, std::string(100 + i % 50, 'a' + tag)));
  };
  Thread t1(sender, 0);
  Thread t2(sender, 1);
  t1.start();
  t2.start();
  int counts[2] = {0, 0};
  for (int i = 0; i < 2 * kN; ++i) {
    auto [tag, s] = r.recv<std::pair<int, std::string>>();
    ASSERT_TRUE(tag == 0 || tag == 1);
    EXPECT_EQ(s, std::string(s.size(), 'a' + tag));
    ++counts[tag];
  }
  t1.join();
  t2.join();
  EXPECT_EQ(counts[0], kN);
  EXPECT_EQ(counts[1], kN);
}

// Bytes the parent has read ahead are the parent's: a forked child does not
// see them again.
TEST(MpPipe, ReadAheadStaysWithTheParent) {
  braid_test::LeakCheck leaks;
  Connection r, w;
  std::tie(r, w) = Pipe(false);
  w.send(1);
  w.send(2);
  EXPECT_EQ(r.recv<int>(), 1);  // 2 is now buffered in `r`
  Process p([r = r] { exit(r.poll() ? 1 : 0); });
  p.start();
  p.join();
  EXPECT_EQ(p.exitcode(), 0);
  EXPECT_EQ(r.recv<int>(), 2);
}

}  // namespace
}  // namespace braid::mp
