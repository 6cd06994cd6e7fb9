// frame_io.cc
// -----------------------------------------------------------------------------
// braid/detail/frame_io.h: CRC-32C, frames in memory, and blocking frame I/O
// on file descriptors (EINTR-safe, SIGPIPE turned into EPIPE).
// -----------------------------------------------------------------------------
#include "braid/detail/frame_io.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace braid::detail {
namespace {

using codec::DecodeError;

// -- CRC-32C ------------------------------------------------------------------------

constexpr std::uint32_t kCrcPoly = 0x82F63B78;  // Castagnoli, bit-reflected

// Slicing-by-8 tables: kCrcTable[k][b] is the CRC of byte b followed by k zeros.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_crc_tables() {
  std::array<std::array<std::uint32_t, 256>, 8> t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kCrcPoly : 0);
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  return t;
}
constexpr auto kCrcTable = make_crc_tables();

std::uint32_t load_le32(const unsigned char* p) noexcept {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

void store_le32(char* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

std::uint32_t crc32c_table(const unsigned char* p, std::size_t n, std::uint32_t c) noexcept {
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t lo = load_le32(p) ^ c;
    const std::uint32_t hi = load_le32(p + 4);
    c = kCrcTable[7][lo & 0xff] ^ kCrcTable[6][(lo >> 8) & 0xff] ^ kCrcTable[5][(lo >> 16) & 0xff] ^
        kCrcTable[4][lo >> 24] ^ kCrcTable[3][hi & 0xff] ^ kCrcTable[2][(hi >> 8) & 0xff] ^
        kCrcTable[1][(hi >> 16) & 0xff] ^ kCrcTable[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = (c >> 8) ^ kCrcTable[0][(c ^ *p) & 0xff];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const unsigned char* p,
                                                              std::size_t n,
                                                              std::uint32_t c) noexcept {
  std::uint64_t c64 = c;
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    c64 = _mm_crc32_u64(c64, word);
  }
  c = static_cast<std::uint32_t>(c64);
  for (; n > 0; --n, ++p) c = _mm_crc32_u8(c, *p);
  return c;
}

bool have_sse42() noexcept {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#endif

// -- errors -------------------------------------------------------------------------

[[noreturn]] void throw_os_error(int err) {
  throw OSError("[Errno " + std::to_string(err) + "] " + std::strerror(err));
}

[[noreturn]] void throw_corrupt(const std::string& what) {
  throw DecodeError("corrupt frame: " + what);
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

void check_payload_size(std::size_t n) {
  if (n > kMaxFrame) {
    throw ValueError("frame payload of " + std::to_string(n) + " bytes exceeds the limit of " +
                     std::to_string(kMaxFrame) + " bytes");
  }
}

// -- fd helpers -------------------------------------------------------------------

// Blocks SIGPIPE in this thread for its lifetime (unless the caller already
// blocked it) and, if a write failed with EPIPE, discards the SIGPIPE that
// write raised, so a closed reader shows as EPIPE only.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old);
    was_blocked_ = sigismember(&old, SIGPIPE) == 1;
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;
  ~SigpipeGuard() {
    if (was_blocked_) return;
    if (saw_epipe_) {
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_UNBLOCK, &pipe_, nullptr);
  }
  void saw_epipe() noexcept { saw_epipe_ = true; }

 private:
  sigset_t pipe_;
  bool was_blocked_ = false;
  bool saw_epipe_ = false;
};

// Waits for `events` on a non-blocking fd that returned EAGAIN.
void wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  while (::poll(&p, 1, -1) == -1) {
    if (errno != EINTR) throw_os_error(errno);
  }
  if (p.revents & POLLNVAL) throw_os_error(EBADF);
}

// Writes the iovecs completely (advancing them after short writes).
void write_iov(int fd, iovec* iov, int count) {
  SigpipeGuard guard;
  while (count > 0) {
    const ssize_t w = ::writev(fd, iov, count);
    if (w < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        wait_for(fd, POLLOUT);
        continue;
      }
      if (err == EPIPE) guard.saw_epipe();
      throw_os_error(err);
    }
    auto done = static_cast<std::size_t>(w);
    while (count > 0 && done >= iov->iov_len) {
      done -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + done;
      iov->iov_len -= done;
    }
  }
}

// Reads until `n` bytes or end of file; returns the bytes read.
std::size_t read_full(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, buf + got, n - got);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r == 0) {
      break;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLIN);
    } else if (errno != EINTR) {
      throw_os_error(errno);
    }
  }
  return got;
}

// The first read of a large payload; later reads double the buffer, so a
// forged length costs memory only as the bytes really arrive.
constexpr std::size_t kFirstChunk = std::size_t{1} << 20;

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
#if defined(__x86_64__)
  if (have_sse42()) return ~crc32c_sse42(p, n, c);
#endif
  return ~crc32c_table(p, n, c);
}

// -- frames in memory -------------------------------------------------------------

void write_frame_header(char* out, std::string_view payload) {
  check_payload_size(payload.size());
  store_le32(out, kFrameMagic);
  store_le32(out + 4, static_cast<std::uint32_t>(payload.size()));
  store_le32(out + 8, crc32c(payload));
  store_le32(out + 12, crc32c(out, 12));
}

void append_frame(std::string& out, std::string_view payload) {
  check_payload_size(payload.size());
  const std::size_t old = out.size();
  out.resize(old + kFrameHeaderSize + payload.size());
  write_frame_header(out.data() + old, payload);
  if (!payload.empty()) std::memcpy(out.data() + old + kFrameHeaderSize, payload.data(), payload.size());
}

std::string make_frame(std::string_view payload) {
  std::string out;
  append_frame(out, payload);
  return out;
}

FrameHeader decode_frame_header(std::string_view header) {
  if (header.size() < kFrameHeaderSize) {
    throw_corrupt("truncated header: " + std::to_string(header.size()) + " of " +
                  std::to_string(kFrameHeaderSize) + " bytes");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(header.data());
  const std::uint32_t magic = load_le32(p);
  if (magic != kFrameMagic) throw_corrupt("bad magic " + hex32(magic) + " (expected " + hex32(kFrameMagic) + ")");
  const std::uint32_t want = load_le32(p + 12);
  const std::uint32_t have = crc32c(p, 12);
  if (want != have) throw_corrupt("header checksum mismatch (stored " + hex32(want) + ", computed " + hex32(have) + ")");
  FrameHeader h;
  h.length = load_le32(p + 4);
  h.payload_crc = load_le32(p + 8);
  if (h.length > kMaxFrame) {
    throw_corrupt("length " + std::to_string(h.length) + " exceeds the limit of " +
                  std::to_string(kMaxFrame) + " bytes");
  }
  return h;
}

void verify_frame_payload(const FrameHeader& header, std::string_view payload) {
  if (payload.size() != header.length) {
    throw_corrupt("payload of " + std::to_string(payload.size()) + " bytes, header says " +
                  std::to_string(header.length));
  }
  const std::uint32_t have = crc32c(payload);
  if (have != header.payload_crc) {
    throw_corrupt("payload checksum mismatch (stored " + hex32(header.payload_crc) + ", computed " +
                  hex32(have) + ")");
  }
}

std::string_view next_frame(std::string_view& bytes) {
  const FrameHeader h = decode_frame_header(bytes);
  if (bytes.size() - kFrameHeaderSize < h.length) {
    throw_corrupt("truncated payload: " + std::to_string(bytes.size() - kFrameHeaderSize) + " of " +
                  std::to_string(h.length) + " bytes");
  }
  const std::string_view payload = bytes.substr(kFrameHeaderSize, h.length);
  verify_frame_payload(h, payload);
  bytes.remove_prefix(kFrameHeaderSize + h.length);
  return payload;
}

std::string_view parse_frame(std::string_view bytes) {
  const std::string_view payload = next_frame(bytes);
  if (!bytes.empty()) throw_corrupt(std::to_string(bytes.size()) + " trailing bytes after the frame");
  return payload;
}

// -- frames on file descriptors ---------------------------------------------------

void write_all(int fd, const void* data, std::size_t n) {
  iovec iov{const_cast<void*>(data), n};
  write_iov(fd, &iov, 1);
}

void write_frame(int fd, std::string_view payload) {
  char header[kFrameHeaderSize];
  write_frame_header(header, payload);
  iovec iov[2] = {{header, kFrameHeaderSize}, {const_cast<char*>(payload.data()), payload.size()}};
  write_iov(fd, iov, payload.empty() ? 1 : 2);
}

std::optional<std::string> read_frame(int fd) {
  char header[kFrameHeaderSize];
  const std::size_t got = read_full(fd, header, kFrameHeaderSize);
  if (got == 0) return std::nullopt;
  if (got < kFrameHeaderSize) {
    throw_corrupt("end of file after " + std::to_string(got) + " of " +
                  std::to_string(kFrameHeaderSize) + " header bytes");
  }
  const FrameHeader h = decode_frame_header(std::string_view(header, kFrameHeaderSize));
  std::string payload;
  std::size_t have = 0;
  while (have < h.length) {
    const std::size_t size = std::min<std::size_t>(h.length, std::max(kFirstChunk, 2 * have));
    payload.resize(size);
    const std::size_t n = read_full(fd, payload.data() + have, size - have);
    have += n;
    if (have < size) {
      throw_corrupt("end of file after " + std::to_string(have) + " of " + std::to_string(h.length) +
                    " payload bytes");
    }
  }
  verify_frame_payload(h, payload);
  return payload;
}

bool wait_readable(int fd, const Timeout& timeout) {
  timespec deadline{};
  if (timeout) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    const std::int64_t ns = std::max<std::int64_t>(timeout->count(), 0);
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec += static_cast<long>(ns % 1'000'000'000);
    if (deadline.tv_nsec >= 1'000'000'000) {
      deadline.tv_nsec -= 1'000'000'000;
      ++deadline.tv_sec;
    }
  }
  if (fd < 0) throw_os_error(EBADF);  // poll(2) would ignore it
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    timespec left{};
    timespec* tsp = nullptr;
    if (timeout) {
      timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      std::int64_t ns = (static_cast<std::int64_t>(deadline.tv_sec) - now.tv_sec) * 1'000'000'000 +
                        (deadline.tv_nsec - now.tv_nsec);
      if (ns < 0) ns = 0;
      left.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
      left.tv_nsec = static_cast<long>(ns % 1'000'000'000);
      tsp = &left;
    }
    const int rc = ::ppoll(&p, 1, tsp, nullptr);
    if (rc > 0) {
      if (p.revents & POLLNVAL) throw_os_error(EBADF);
      return true;
    }
    if (rc == 0) return false;
    if (errno != EINTR) throw_os_error(errno);
  }
}

}  // namespace braid::detail
