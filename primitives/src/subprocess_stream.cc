// braid::subprocess: descriptor helpers, the SIGPIPE guard and Stream (the
// parent's end of a pipe to a child).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "braid/detail/subprocess_internal.h"
#include "braid/subprocess.h"

namespace braid::subprocess {
namespace detail {

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);  // Linux frees the descriptor even on EINTR
  fd_ = -1;
}

void set_nonblocking(int fd, bool on) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) raise_os_error(errno);
  const int want = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (want != flags && ::fcntl(fd, F_SETFL, want) < 0) raise_os_error(errno);
}

void wait_fd(int fd, short events) {
  pollfd p{fd, events, 0};
  while (::poll(&p, 1, -1) < 0) {
    if (errno != EINTR) raise_os_error(errno);
  }
}

SigpipeBlock::SigpipeBlock() noexcept {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  was_blocked_ = sigismember(&old, SIGPIPE) == 1;
  if (!was_blocked_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
}

SigpipeBlock::~SigpipeBlock() {
  if (was_blocked_) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  if (epipe_ && !was_pending_) {
    // Our write raised a thread-directed SIGPIPE: take it off the pending set.
    const timespec zero{0, 0};
    while (sigtimedwait(&set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

}  // namespace detail

Stream::~Stream() { close(); }

Stream::Stream(Stream&& other) noexcept
    : fd_(other.fd_), pipe_(other.pipe_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
  other.pipe_ = false;
}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    pipe_ = other.pipe_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
    other.pipe_ = false;
  }
  return *this;
}

int Stream::fileno() const {
  if (fd_ < 0) throw ValueError("I/O operation on closed file");
  return fd_;
}

void Stream::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

void Stream::write(std::string_view data) {
  if (fd_ < 0) throw ValueError("write to closed file");
  detail::SigpipeBlock guard;
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + off, data.size() - off);
    if (n >= 0) {
      off += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN) {
      detail::wait_fd(fd_, POLLOUT);
    } else if (errno != EINTR) {
      const int err = errno;
      if (err == EPIPE) guard.note_epipe();
      detail::raise_os_error(err);
    }
  }
}

bool Stream::fill() {
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EAGAIN) {
      detail::wait_fd(fd_, POLLIN);
    } else if (errno != EINTR) {
      detail::raise_os_error(errno);
    }
  }
}

std::string Stream::read() {
  if (fd_ < 0) throw ValueError("read of closed file");
  while (fill()) {
  }
  return std::exchange(buffer_, std::string());
}

std::string Stream::read(std::size_t n) {
  if (fd_ < 0) throw ValueError("read of closed file");
  while (buffer_.size() < n && fill()) {
  }
  std::string out = buffer_.substr(0, n);
  buffer_.erase(0, out.size());
  return out;
}

std::string Stream::readline() {
  if (fd_ < 0) throw ValueError("readline of closed file");
  std::size_t scanned = 0;
  for (;;) {
    const auto nl = buffer_.find('\n', scanned);
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl + 1);
      buffer_.erase(0, nl + 1);
      return line;
    }
    scanned = buffer_.size();
    if (!fill()) return std::exchange(buffer_, std::string());
  }
}

}  // namespace braid::subprocess
