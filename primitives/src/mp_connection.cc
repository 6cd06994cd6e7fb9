// mp_connection.cc
// -----------------------------------------------------------------------------
// braid::mp::Connection on the OS runtime, and the dispatch to the model
// (mp_connection_model.cc).
//
// Each direction is a pipe (a duplex Pipe is two): a pipe keeps many small
// messages in one page, which makes it several times faster than a socket
// pair for small messages. Writing to a pipe whose reader is gone raises
// SIGPIPE; as CPython does at start-up, the first Pipe() sets SIGPIPE to
// "ignore" when it is still at its default, so the write fails with EPIPE
// (BrokenPipeError). subprocess restores the default in the programs it runs.
//
// Sending builds header and payload in one buffer and writes it with one
// write(2). Receiving reads up to 64 KiB at a time into a buffer and parses
// frames out of it, so a burst of small messages costs one read(2).
// -----------------------------------------------------------------------------
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "braid/detail/frame_io.h"
#include "braid/os.h"
#include "mp_connection_internal.h"
#include "mp_process_internal.h"
#include "os_internal.h"
#include "runtime_internal.h"

namespace braid::mp {

using Impl = Connection::Impl;
using braid::detail::FutexGuard;
using braid::detail::FutexMutex;

namespace {

constexpr std::size_t kHeader = braid::detail::kFrameHeaderSize;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kKeepBuffer = 1 << 20;  // larger buffers are freed after use

// The live OS ends, so that a forked child can drop what its parent had read
// ahead (those bytes are the parent's) and reset their locks.
struct Registry {
  FutexMutex mu;  // registered with fork_process
  Impl* head BRAID_GUARDED_BY(mu) = nullptr;
};

void reset_after_fork();

Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry;  // leaked: ends may outlive static destruction
    runtime::detail::register_at_fork(reg->mu);
    runtime::detail::register_at_fork_child(&reset_after_fork);
    return reg;
  }();
  return *r;
}

void reset_after_fork() BRAID_NO_THREAD_SAFETY_ANALYSIS {
  for (Impl* i = registry().head; i != nullptr; i = i->next) {
    new (&i->send_mu) FutexMutex();
    new (&i->recv_mu) FutexMutex();
    i->rpos = i->rend = 0;
    i->buffered.store(0, std::memory_order_relaxed);
  }
}

void ignore_sigpipe_once() {
  static const bool done = [] {
    struct sigaction old {};
    if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
        (old.sa_flags & SA_SIGINFO) == 0) {
      struct sigaction ign {};
      ign.sa_handler = SIG_IGN;
      sigemptyset(&ign.sa_mask);
      ::sigaction(SIGPIPE, &ign, nullptr);
    }
    return true;
  }();
  (void)done;
}

[[noreturn]] void closed_error() { throw OSError("handle is closed"); }

Impl& checked(const std::shared_ptr<Impl>& impl) {
  if (!impl) closed_error();
  return *impl;
}

void check_readable(const Impl& i) {
  if (!i.readable) throw OSError("connection is write-only");
}

void check_writable(const Impl& i) {
  if (!i.writable) throw OSError("connection is read-only");
}

// The descriptor to read (or write), after Python's checks.
int read_fd(const Impl& i) {
  if (!i.open.load(std::memory_order_acquire)) closed_error();
  check_readable(i);
  return i.rfd.load(std::memory_order_relaxed);
}

int write_fd(const Impl& i) {
  if (!i.open.load(std::memory_order_acquire)) closed_error();
  check_writable(i);
  return i.wfd.load(std::memory_order_relaxed);
}

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) throw BrokenPipeError(os::errno_message(EPIPE));
      os::raise_errno(errno);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// The next message's payload, a view into `i.rbuf` valid until the next call.
std::string_view next_message(Impl& i, int fd) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  if (i.rpos == i.rend) {
    i.rpos = i.rend = 0;
    if (i.rbuf.size() > kKeepBuffer) std::string().swap(i.rbuf);
  }
  if (i.rbuf.empty()) i.rbuf.resize(kReadChunk);
  for (;;) {
    const std::size_t avail = i.rend - i.rpos;
    if (avail >= kHeader) {
      auto h = braid::detail::decode_frame_header(std::string_view(i.rbuf.data() + i.rpos, kHeader));
      const std::size_t need = kHeader + h.length;
      if (avail >= need) {
        std::string_view payload(i.rbuf.data() + i.rpos + kHeader, h.length);
        i.rpos += need;
        i.buffered.store(i.rend - i.rpos, std::memory_order_relaxed);
        braid::detail::verify_frame_payload(h, payload);
        return payload;
      }
    }
    if (i.rend == i.rbuf.size()) {  // make room: compact, else grow
      if (i.rpos > 0) {
        std::memmove(i.rbuf.data(), i.rbuf.data() + i.rpos, avail);
        i.rpos = 0;
        i.rend = avail;
      } else {
        i.rbuf.resize(i.rbuf.size() * 2);
      }
    }
    ssize_t n = ::read(fd, i.rbuf.data() + i.rend, i.rbuf.size() - i.rend);
    if (n < 0) {
      if (errno == EINTR) continue;
      os::raise_errno(errno);
    }
    if (n == 0) {
      if (avail == 0) throw EOFError("");
      throw OSError("got end of file during message");
    }
    i.rend += static_cast<std::size_t>(n);
    i.buffered.store(i.rend - i.rpos, std::memory_order_relaxed);
  }
}

void close_fds(Impl& i) {
  if (!i.open.exchange(false, std::memory_order_acq_rel)) return;
  int r = i.rfd.exchange(-1, std::memory_order_relaxed);
  int w = i.wfd.exchange(-1, std::memory_order_relaxed);
  if (r >= 0) ::close(r);
  if (w >= 0) ::close(w);
}

// Both ends of a new pipe, close-on-exec.
void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) os::raise_errno(errno);
}

void append_raw(const void* obj, std::string& out) {
  out.append(*static_cast<const std::string_view*>(obj));
}

}  // namespace

Impl::~Impl() {
  if (modelled) {
    detail::model_unregister(*this);
    return;
  }
  close_fds(*this);
  Registry& r = registry();  // every OS end is registered (os_make_end)
  FutexGuard g(r.mu);
  if (prev != nullptr) {
    prev->next = next;
  } else {
    r.head = next;
  }
  if (next != nullptr) next->prev = prev;
}

namespace detail {

std::shared_ptr<Impl> os_make_end(int rfd, int wfd) {
  auto impl = std::make_shared<Impl>(rfd >= 0, wfd >= 0);
  impl->rfd.store(rfd, std::memory_order_relaxed);
  impl->wfd.store(wfd, std::memory_order_relaxed);
  impl->open.store(true, std::memory_order_release);
  Registry& r = registry();
  FutexGuard g(r.mu);
  impl->next = r.head;
  if (r.head != nullptr) r.head->prev = impl.get();
  r.head = impl.get();
  return impl;
}

}  // namespace detail

// -- Connection --------------------------------------------------------------------

void Connection::send_with(EncodeFn encode, const void* obj, const braid::source_location& where) const {
  Impl& i = checked(impl_);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      if (detail::model_closed(*m, i)) closed_error();
      check_writable(i);
      std::string payload;
      encode(obj, payload);
      if (payload.size() > braid::detail::kMaxFrame) {
        throw ValueError("message of " + std::to_string(payload.size()) + " bytes is too large");
      }
      detail::model_send(*m, i, std::move(payload), where);
      return;
    }
    runtime::chaos_point();
  }
  FutexGuard g(i.send_mu);
  const int fd = write_fd(i);
  std::string& buf = i.send_buf;
  buf.assign(kHeader, '\0');
  encode(obj, buf);
  braid::detail::write_frame_header(buf.data(), std::string_view(buf).substr(kHeader));
  write_all(fd, buf.data(), buf.size());
  if (buf.capacity() > kKeepBuffer) std::string().swap(buf);
}

void Connection::recv_with(DecodeFn decode, void* out, const braid::source_location& where) const {
  Impl& i = checked(impl_);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      if (detail::model_closed(*m, i)) closed_error();
      check_readable(i);
      std::string msg = detail::model_recv(*m, i, where);
      decode(out, msg);
      return;
    }
    runtime::chaos_point();
  }
  FutexGuard g(i.recv_mu);
  const int fd = read_fd(i);
  decode(out, next_message(i, fd));
}

void Connection::send_bytes(std::string_view buf, long offset, std::optional<long> size,
                            braid::source_location where) const {
  Impl& i = checked(impl_);
  if (closed()) closed_error();
  check_writable(i);
  const long n = static_cast<long>(buf.size());
  if (offset < 0) throw ValueError("offset is negative");
  if (n < offset) throw ValueError("buffer length < offset");
  long len = n - offset;
  if (size) {
    if (*size < 0) throw ValueError("size is negative");
    if (offset + *size > n) throw ValueError("buffer length < offset + size");
    len = *size;
  }
  std::string_view part = buf.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(len));
  send_with(&append_raw, &part, where);
}

namespace {

struct RecvBytes {
  std::optional<long> maxlength;
  std::string out;
  bool too_long = false;
};

void take_bytes(void* ctx, std::string_view payload) {
  auto* r = static_cast<RecvBytes*>(ctx);
  if (r->maxlength && static_cast<long>(payload.size()) > *r->maxlength) {
    r->too_long = true;
    return;
  }
  r->out.assign(payload);
}

}  // namespace

std::string Connection::recv_bytes(std::optional<long> maxlength, braid::source_location where) const {
  Impl& i = checked(impl_);
  if (closed()) closed_error();
  check_readable(i);
  if (maxlength && *maxlength < 0) throw ValueError("negative maxlength");
  RecvBytes r;
  r.maxlength = maxlength;
  recv_with(&take_bytes, &r, where);
  if (r.too_long) {
    close(where);
    throw OSError("bad message length");
  }
  return std::move(r.out);
}

std::size_t Connection::recv_bytes_into(std::span<char> buf, long offset, braid::source_location where) const {
  Impl& i = checked(impl_);
  if (closed()) closed_error();
  check_readable(i);
  if (offset < 0) throw ValueError("negative offset");
  if (static_cast<std::size_t>(offset) > buf.size()) throw ValueError("offset too large");
  RecvBytes r;
  recv_with(&take_bytes, &r, where);
  if (buf.size() < static_cast<std::size_t>(offset) + r.out.size()) throw BufferTooShort(std::move(r.out));
  std::memcpy(buf.data() + offset, r.out.data(), r.out.size());
  return r.out.size();
}

bool Connection::poll(Timeout timeout, braid::source_location where) const {
  Impl& i = checked(impl_);
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      if (detail::model_closed(*m, i)) closed_error();
      check_readable(i);
      return detail::model_poll(*m, i, timeout, where);
    }
    runtime::chaos_point();
  }
  const int fd = read_fd(i);
  if (i.buffered.load(std::memory_order_relaxed) > 0) return true;
  pollfd p{fd, POLLIN, 0};
  return os::detail::poll_readable(&p, 1, os::detail::os_deadline(timeout)) > 0;
}

void Connection::close(braid::source_location where) const {
  if (!impl_) return;
  if (runtime::Model* m = runtime::model(); m != nullptr && impl_->modelled) {
    detail::model_close(*m, *impl_, where);
    return;
  }
  close_fds(*impl_);
}

int Connection::fileno() const {
  Impl& i = checked(impl_);
  if (closed()) closed_error();
  if (i.modelled) return -1;
  return i.readable ? i.rfd.load(std::memory_order_relaxed) : i.wfd.load(std::memory_order_relaxed);
}

bool Connection::closed() const {
  if (!impl_) return true;
  if (impl_->modelled) {
    runtime::Model* m = runtime::model();
    return m == nullptr || detail::model_closed(*m, *impl_);
  }
  return !impl_->open.load(std::memory_order_acquire);
}

bool Connection::readable() const { return impl_ && impl_->readable; }

bool Connection::writable() const { return impl_ && impl_->writable; }

// -- Pipe and wait ------------------------------------------------------------------

std::pair<Connection, Connection> Pipe(bool duplex, braid::source_location where) {
  if (runtime::Model* m = runtime::model()) return detail::model_pipe(*m, duplex);
  ignore_sigpipe_once();
  int a[2] = {-1, -1};  // towards the first end
  int b[2] = {-1, -1};  // towards the second end
  make_pipe(a);
  if (duplex) {
    try {
      make_pipe(b);
    } catch (...) {
      ::close(a[0]);
      ::close(a[1]);
      throw;
    }
    return {Connection(detail::os_make_end(a[0], b[1])), Connection(detail::os_make_end(b[0], a[1]))};
  }
  return {Connection(detail::os_make_end(a[0], -1)), Connection(detail::os_make_end(-1, a[1]))};
}

std::vector<Connection> wait(const std::vector<Connection>& connections, Timeout timeout,
                             braid::source_location where) {
  if (runtime::Model* m = runtime::model()) return detail::model_wait(*m, connections, timeout, where);
  std::vector<pollfd> fds;
  fds.reserve(connections.size());
  bool any_buffered = false;
  for (const Connection& c : connections) {
    const Impl& i = checked(c.impl());
    fds.push_back(pollfd{read_fd(i), POLLIN, 0});
    any_buffered = any_buffered || i.buffered.load(std::memory_order_relaxed) > 0;
  }
  os::detail::poll_readable(fds.data(), fds.size(),
                            any_buffered ? std::optional<Duration>(Duration::zero())
                                         : os::detail::os_deadline(timeout));
  std::vector<Connection> ready;
  for (std::size_t k = 0; k < connections.size(); ++k) {
    if (fds[k].revents != 0 || connections[k].impl()->buffered.load(std::memory_order_relaxed) > 0) {
      ready.push_back(connections[k]);
    }
  }
  return ready;
}

std::vector<int> wait(const std::vector<int>& fds, Timeout timeout) {
  if (runtime::model() != nullptr) {
    throw misuse<RuntimeError>("mp::wait() on descriptors cannot be modelled; wait on Connections");
  }
  std::vector<pollfd> p;
  p.reserve(fds.size());
  for (int fd : fds) p.push_back(pollfd{fd, POLLIN, 0});
  os::detail::poll_readable(p.data(), p.size(), os::detail::os_deadline(timeout));
  std::vector<int> ready;
  for (std::size_t k = 0; k < fds.size(); ++k) {
    if (p[k].revents != 0) ready.push_back(fds[k]);
  }
  return ready;
}

}  // namespace braid::mp
