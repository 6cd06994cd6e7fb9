// Tests for braid/detail/frame_io.h: CRC-32C against known vectors and a
// bitwise reference, frames in memory (round trips, every truncation, every
// bit flip), and frames over a real pipe(2): round trips of 0-byte to 1 MiB
// payloads, clean and unclean end of file, corrupt headers and payloads,
// EPIPE instead of SIGPIPE, non-blocking descriptors, EINTR, and
// wait_readable. Every test closes its descriptors (LeakCheck).
#include "braid/detail/frame_io.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "braid/codec.h"
#include "braid/errors.h"
#include "leak_check.h"

namespace braid::detail {
namespace {

using codec::DecodeError;
using namespace std::chrono_literals;
using namespace std::string_literals;

// A pipe whose ends close when the test ends (unless closed earlier).
class Pipe {
 public:
  explicit Pipe(int flags = 0) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | flags) != 0) ADD_FAILURE() << "pipe2 failed";
    r_ = fds[0];
    w_ = fds[1];
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_read();
    close_write();
  }
  int r() const { return r_; }
  int w() const { return w_; }
  void close_read() { close_fd(r_); }
  void close_write() { close_fd(w_); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int r_ = -1;
  int w_ = -1;
};

// The text of the DecodeError read_frame throws on `bytes` (writer closed).
std::string read_error(const std::string& bytes) {
  Pipe p;
  write_all(p.w(), bytes.data(), bytes.size());
  p.close_write();
  try {
    read_frame(p.r());
  } catch (const DecodeError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DecodeError";
  return "";
}

std::uint32_t reference_crc32c(const std::string& s) {
  std::uint32_t c = 0xffffffff;
  for (unsigned char b : s) {
    c ^= b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? 0x82F63B78 : 0);
  }
  return ~c;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 + i / 251);
  return s;
}

// -- CRC-32C --------------------------------------------------------------------------

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

RC_GTEST_PROP(Crc32cProperty, MatchesBitwiseReferenceInPieces, (const std::string& s)) {
  RC_ASSERT(crc32c(s) == reference_crc32c(s));
  const auto cut = *rc::gen::inRange<std::size_t>(0, s.size() + 1);
  const std::string_view v = s;
  RC_ASSERT(crc32c(v.substr(cut), crc32c(v.substr(0, cut))) == crc32c(s));
}

// -- frames in memory -----------------------------------------------------------------

TEST(FrameMemory, HeaderLayout) {
  const std::string f = make_frame("hi");
  ASSERT_EQ(f.size(), kFrameHeaderSize + 2);
  EXPECT_EQ(f.substr(0, 8), "BRF1\x02\x00\x00\x00"s);
  EXPECT_EQ(f.substr(16), "hi");
  const FrameHeader h = decode_frame_header(f);
  EXPECT_EQ(h.length, 2u);
  EXPECT_EQ(h.payload_crc, crc32c("hi"));
  EXPECT_NO_THROW(verify_frame_payload(h, "hi"));
  EXPECT_THROW(verify_frame_payload(h, "ho"), DecodeError);
  EXPECT_THROW(verify_frame_payload(h, "hi!"), DecodeError);
}

TEST(FrameMemory, RoundTripsAndSequences) {
  for (std::size_t n : {0, 1, 15, 16, 4096, 100000}) {
    const std::string payload = pattern(n);
    EXPECT_EQ(parse_frame(make_frame(payload)), payload);
  }
  std::string stream;
  append_frame(stream, "one");
  append_frame(stream, "");
  append_frame(stream, codec::encode(42));
  std::string_view in = stream;
  EXPECT_EQ(next_frame(in), "one");
  EXPECT_EQ(next_frame(in), "");
  EXPECT_EQ(codec::decode<int>(next_frame(in)), 42);
  EXPECT_TRUE(in.empty());
  EXPECT_THROW(parse_frame(make_frame("x") + "y"), DecodeError);
}

TEST(FrameMemory, EveryTruncationAndBitFlipIsCaught) {
  const std::string frame = make_frame("payload!");
  for (std::size_t i = 0; i < frame.size(); ++i) {
    std::string_view cut = std::string_view(frame).substr(0, i);
    EXPECT_THROW(next_frame(cut), DecodeError) << "prefix " << i;
    EXPECT_EQ(cut.size(), i);
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = frame;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_THROW(parse_frame(bad), DecodeError) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(FrameMemory, OversizedPayloadIsAValueError) {
  // A view longer than kMaxFrame; the bytes are never read.
  static const char byte = 0;
  const std::string_view huge(&byte, kMaxFrame + 1);
  EXPECT_THROW(make_frame(huge), ValueError);
  char header[kFrameHeaderSize];
  EXPECT_THROW(write_frame_header(header, huge), ValueError);
}

// -- frames over a pipe ---------------------------------------------------------------

TEST(FramePipe, RoundTripThenCleanEof) {
  braid_test::LeakCheck leaks;
  Pipe p;
  write_frame(p.w(), "first");
  write_frame(p.w(), "");
  write_frame(p.w(), pattern(3000));
  p.close_write();
  EXPECT_EQ(read_frame(p.r()), "first");
  EXPECT_EQ(read_frame(p.r()), "");
  EXPECT_EQ(read_frame(p.r()), pattern(3000));
  EXPECT_EQ(read_frame(p.r()), std::nullopt);
  EXPECT_EQ(read_frame(p.r()), std::nullopt);
}

TEST(FramePipe, OneMebibyteThroughAPipe) {
  braid_test::LeakCheck leaks;
  const std::string big = pattern(std::size_t{1} << 20);
  {
    Pipe p;
    std::thread writer([&] {
      write_frame(p.w(), big);
      write_frame(p.w(), "after");
      p.close_write();
    });
    EXPECT_EQ(read_frame(p.r()), big);
    EXPECT_EQ(read_frame(p.r()), "after");
    writer.join();
    EXPECT_EQ(read_frame(p.r()), std::nullopt);
  }
}

TEST(FramePipe, NonBlockingDescriptorsWaitInsteadOfFailing) {
  braid_test::LeakCheck leaks;
  const std::string big = pattern(300000);
  {
    Pipe p(O_NONBLOCK);
    std::thread writer([&] {
      write_frame(p.w(), big);
      p.close_write();
    });
    EXPECT_EQ(read_frame(p.r()), big);
    writer.join();
    EXPECT_EQ(read_frame(p.r()), std::nullopt);
  }
}

TEST(FramePipe, EofInsideAFrameIsCorrupt) {
  braid_test::LeakCheck leaks;
  const std::string frame = make_frame("0123456789");
  EXPECT_EQ(read_error(frame.substr(0, 5)), "corrupt frame: end of file after 5 of 16 header bytes");
  EXPECT_EQ(read_error(frame.substr(0, 20)), "corrupt frame: end of file after 4 of 10 payload bytes");
  EXPECT_EQ(read_error(frame.substr(0, 16)), "corrupt frame: end of file after 0 of 10 payload bytes");
}

TEST(FramePipe, CorruptHeadersAndPayloads) {
  braid_test::LeakCheck leaks;
  const std::string frame = make_frame("0123456789");
  std::string bad = frame;
  bad[0] = 'X';
  EXPECT_EQ(read_error(bad), "corrupt frame: bad magic 0x31465258 (expected 0x31465242)");
  bad = frame;
  bad[4] = 9;  // length changed: the header checksum no longer matches
  EXPECT_TRUE(read_error(bad).starts_with("corrupt frame: header checksum mismatch"));
  bad = frame;
  bad[20] ^= 1;
  EXPECT_TRUE(read_error(bad).starts_with("corrupt frame: payload checksum mismatch"));
  // A well-formed header announcing more than kMaxFrame.
  char header[kFrameHeaderSize];
  write_frame_header(header, "");
  const std::uint32_t len = static_cast<std::uint32_t>(kMaxFrame) + 1;
  std::memcpy(header + 4, &len, 4);
  const std::uint32_t hcrc = crc32c(header, 12);
  std::memcpy(header + 12, &hcrc, 4);
  EXPECT_EQ(read_error(std::string(header, kFrameHeaderSize)),
            "corrupt frame: length 1073741825 exceeds the limit of 1073741824 bytes");
}

TEST(FramePipe, ClosedReaderIsEpipeNotSigpipe) {
  braid_test::LeakCheck leaks;
  Pipe p;
  p.close_read();
  try {
    write_frame(p.w(), "nobody listens");
    FAIL() << "no OSError";
  } catch (const OSError& e) {
    EXPECT_STREQ(e.what(), "[Errno 32] Broken pipe");
  }
  EXPECT_THROW(write_all(p.w(), "x", 1), OSError);
  sigset_t pending;
  sigpending(&pending);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
  sigset_t mask;
  pthread_sigmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_EQ(sigismember(&mask, SIGPIPE), 0) << "SIGPIPE left blocked";
}

TEST(FramePipe, BadDescriptorIsOSError) {
  EXPECT_THROW(read_frame(-1), OSError);
  EXPECT_THROW(write_frame(-1, "x"), OSError);
  EXPECT_THROW(wait_readable(-1, 0ms), OSError);
  int closed;
  {
    Pipe p;
    closed = p.r();
  }
  EXPECT_THROW(wait_readable(closed, 0ms), OSError);
  EXPECT_THROW(read_frame(closed), OSError);
}

void on_signal(int) {}

TEST(FramePipe, SignalsDoNotInterruptAReader) {
  braid_test::LeakCheck leaks;
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: blocked calls fail with EINTR
  struct sigaction old {};
  sigaction(SIGUSR1, &sa, &old);
  {
    Pipe p;
    std::atomic<bool> started{false};
    std::optional<std::string> got;
    std::thread reader([&] {
      started = true;
      got = read_frame(p.r());
    });
    while (!started) std::this_thread::yield();
    for (int i = 0; i < 20; ++i) {
      pthread_kill(reader.native_handle(), SIGUSR1);
      std::this_thread::sleep_for(1ms);
    }
    write_frame(p.w(), "survived");
    reader.join();
    EXPECT_EQ(got, "survived");
  }
  sigaction(SIGUSR1, &old, nullptr);
}

TEST(WaitReadable, TimesOutThenSeesDataAndEof) {
  braid_test::LeakCheck leaks;
  Pipe p;
  EXPECT_FALSE(wait_readable(p.r(), 10ms));
  EXPECT_FALSE(wait_readable(p.r(), 0ms));
  EXPECT_FALSE(wait_readable(p.r(), -5ms));  // like Connection.poll(-1): only polls
  write_frame(p.w(), "x");
  EXPECT_TRUE(wait_readable(p.r(), 0ms));
  EXPECT_TRUE(wait_readable(p.r(), std::nullopt));
  EXPECT_EQ(read_frame(p.r()), "x");
  EXPECT_FALSE(wait_readable(p.r(), 1ms));
  p.close_write();
  EXPECT_TRUE(wait_readable(p.r(), 10ms));  // end of file: the next read returns at once
  EXPECT_EQ(read_frame(p.r()), std::nullopt);
}

TEST(WaitReadable, WakesForAWriterInAnotherThread) {
  braid_test::LeakCheck leaks;
  Pipe p;
  std::thread writer([&] { write_frame(p.w(), "late"); });
  EXPECT_TRUE(wait_readable(p.r(), std::nullopt));
  writer.join();
  EXPECT_EQ(read_frame(p.r()), "late");
}

}  // namespace
}  // namespace braid::detail
