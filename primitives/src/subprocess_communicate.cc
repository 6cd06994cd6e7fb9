// braid::subprocess::Popen::communicate(): one thread, one ppoll(2) loop over
// the child's stdin (written without blocking, as much as the pipe takes),
// stdout and stderr (read as much as is there, straight into the collected
// buffer). SIGPIPE is blocked while stdin is written; EPIPE closes stdin.
//
// Everything that must survive a TimeoutExpired lives in Popen::State: the
// unsent rest of the input (copied out of the caller's string_view when a
// call ends early) and the output collected so far.
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "braid/detail/subprocess_internal.h"
#include "braid/subprocess.h"

namespace braid::subprocess {
namespace detail {

long Collected::read_from(int fd) {
  // Ask how much is there, so that the buffer grows (geometrically, by
  // std::string) and is written only where the data lands: no zero-filling
  // of slack, no pages touched twice.
  int available = 0;
  if (::ioctl(fd, FIONREAD, &available) < 0 || available <= 0) available = 4096;
  data.resize(len + static_cast<std::size_t>(available));
  const ssize_t n = ::read(fd, data.data() + len, static_cast<std::size_t>(available));
  if (n > 0) len += static_cast<std::size_t>(n);
  data.resize(len);
  if (n > 0) return n;
  if (n == 0) return 0;
  if (errno == EAGAIN || errno == EINTR) return -1;
  raise_os_error(errno);
}

std::string Collected::take() {
  data.resize(len);
  len = 0;
  return std::exchange(data, std::string());
}

}  // namespace detail

namespace {

using Clock = std::chrono::steady_clock;

std::optional<std::string> so_far(const detail::Collected& c) {
  if (c.len == 0) return std::nullopt;  // Python: None when nothing was read
  return c.data;
}

// Moves data a Stream read ahead (readline, read(n)) into the collected output.
void adopt_read_ahead(detail::Collected& c, std::string& read_ahead) {
  c.data += read_ahead;
  c.len = c.data.size();
  read_ahead.clear();
}

}  // namespace

Popen::Output Popen::communicate(std::optional<std::string_view> input, Timeout timeout) {
  State& s = *state_;
  if (s.communication_started && input && !input->empty()) {
    throw ValueError("Cannot send input after starting communication");
  }
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;

  if (!s.communication_started) {
    s.communication_started = true;
    if (!s.in.closed() && input && !input->empty()) {
      s.input = *input;
      s.input_offset = 0;
    } else {
      s.in.close();
    }
  }
  adopt_read_ahead(s.out_buf, s.out.buffer_);
  adopt_read_ahead(s.err_buf, s.err.buffer_);

  // However this call ends, input still to send must not point into the
  // caller's memory any more.
  struct KeepInput {
    State& s;
    ~KeepInput() {
      if (s.in.closed()) {
        s.input = {};
        s.input_copy.clear();
      } else if (s.input.data() != s.input_copy.data()) {
        s.input_copy.assign(s.input.substr(s.input_offset));
        s.input = s.input_copy;
        s.input_offset = 0;
      }
    }
  } keep_input{s};

  auto expired = [&] {
    return TimeoutExpired(s.args, *timeout, so_far(s.out_buf), so_far(s.err_buf));
  };

  if (!s.nonblocking) {
    s.nonblocking = true;
    for (Stream* st : {&s.in, &s.out, &s.err}) {
      if (!st->closed()) detail::set_nonblocking(st->fd_, true);
    }
  }
  std::optional<detail::SigpipeBlock> sigpipe;
  if (!s.in.closed()) sigpipe.emplace();

  for (;;) {
    pollfd fds[3];
    Stream* streams[3];
    nfds_t n = 0;
    if (!s.in.closed()) {
      fds[n] = {s.in.fd_, POLLOUT, 0};
      streams[n++] = &s.in;
    }
    for (Stream* st : {&s.out, &s.err}) {
      if (!st->closed()) {
        fds[n] = {st->fd_, POLLIN, 0};
        streams[n++] = st;
      }
    }
    if (n == 0) break;

    timespec ts{};
    if (deadline) {
      const auto remaining = *deadline - Clock::now();
      if (remaining < Clock::duration::zero()) throw expired();
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(remaining);
      ts = {static_cast<time_t>(secs.count()),
            static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(remaining - secs).count())};
    }
    if (::ppoll(fds, n, deadline ? &ts : nullptr, nullptr) < 0) {
      if (errno == EINTR) continue;
      detail::raise_os_error(errno);
    }
    if (deadline && Clock::now() > *deadline) throw expired();

    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      Stream* st = streams[i];
      if (st == &s.in) {
        const std::string_view rest = s.input.substr(s.input_offset);
        const ssize_t w = ::write(st->fd_, rest.data(), rest.size());
        if (w >= 0) {
          s.input_offset += static_cast<std::size_t>(w);
          if (s.input_offset >= s.input.size()) st->close();
        } else if (errno == EPIPE) {
          sigpipe->note_epipe();  // the child closed its stdin: Python ignores it
          st->close();
        } else if (errno != EAGAIN && errno != EINTR) {
          detail::raise_os_error(errno);
        }
      } else {
        detail::Collected& c = st == &s.out ? s.out_buf : s.err_buf;
        if (c.read_from(st->fd_) == 0) st->close();
      }
    }
  }
  sigpipe.reset();

  std::optional<Duration> remaining;
  if (deadline) remaining = std::chrono::duration_cast<Duration>(*deadline - Clock::now());
  try {
    wait(remaining);
  } catch (const TimeoutExpired&) {
    throw expired();  // with the caller's timeout and the output read
  }

  Output result;
  if (s.out.is_pipe()) result.stdout_ = s.out_buf.take();
  if (s.err.is_pipe()) result.stderr_ = s.err_buf.take();
  return result;
}

}  // namespace braid::subprocess
