// braid/mp/connection.h
// -----------------------------------------------------------------------------
// braid::mp::Pipe and braid::mp::Connection: Python's
// multiprocessing.Pipe / multiprocessing.connection.Connection, and
// mp::wait (multiprocessing.connection.wait).
//
//   auto [parent, child] = braid::mp::Pipe();
//   braid::mp::Process p([](braid::mp::Connection c) {
//     c.send(std::vector<int>{1, 2, 3});
//     c.close();
//   }, child);
//   p.start();
//   child.close();                               // the parent's copy
//   auto v = parent.recv<std::vector<int>>();    // {1, 2, 3}
//   p.join();
//
// Messages keep their boundaries. send<T>() encodes with braid::codec (the
// receiver names the same type: recv<T>()); send_bytes()/recv_bytes() move
// raw bytes. Each message travels as one checksummed frame
// (braid/detail/frame_io.h); small messages are written with one write(2),
// and the reader reads large chunks and parses frames out of its buffer.
//
// A Connection is a cheap, copyable handle to one end, like a Python
// reference (its methods are const: they act on the end, not the handle):
// copies share the end, the descriptor is closed by close() or
// when the last handle goes. Forked children get their own copy of the
// descriptor (as with Python's fork start method): close() in one process
// leaves the other's copy open, and the reader sees EOFError once every
// process has closed the writing end. Handles may be used from several
// threads; each send and each recv is atomic with respect to the others.
//
// Errors, as Python's: OSError("handle is closed") on a closed handle,
// OSError("connection is read-only") / ("connection is write-only") on the
// wrong end of a one-way pipe, EOFError from recv when the other end is closed
// and nothing is left, BrokenPipeError from send when the other end is closed,
// codec::DecodeError for a message that does not decode as T or a corrupt
// frame.
//
// Under the model runtime a Pipe is an in-memory channel: each direction is a
// deque of encoded messages; send is an Op::kChannelSend step, recv a guarded
// Op::kChannelRecv step (it blocks until a message or EOF), poll an
// Op::kChannelQuery step, close an Op::kChannelClose step. A send
// happens-before the recv that takes its message. Which simulated processes
// hold each end is tracked as fork would (a child holds what its parent held
// at start(); a process ending closes its ends), so EOF appears exactly when
// it would. Limits there: the channel is unbounded (a real pipe blocks a
// large send until the reader drains it); a handle destroyed by one process
// does not close that process's end unless it was the last handle (call
// close()); fileno() is -1.
//
// Python equivalence: multiprocessing.Pipe(duplex=True),
// multiprocessing.connection.Connection (send, recv, send_bytes, recv_bytes,
// recv_bytes_into, poll, close, fileno, closed, readable, writable),
// multiprocessing.connection.wait, multiprocessing.BufferTooShort.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_CONNECTION_H_
#define BRAID_MP_CONNECTION_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid {

// Python's BrokenPipeError (an OSError): writing to a pipe whose reader is
// gone ("[Errno 32] Broken pipe").
BRAID_DEFINE_ERROR(BrokenPipeError, OSError, "BrokenPipeError");

namespace mp {

// BufferTooShort
//
// recv_bytes_into() with a buffer too small for the message. The message is
// consumed and kept in `message()`.
//
// Python equivalence: multiprocessing.BufferTooShort (its args[0]).
class BufferTooShort : public ::braid::Exception {
 public:
  explicit BufferTooShort(std::string message)
      : ::braid::Exception("buffer too short for a message of " + std::to_string(message.size()) +
                           " bytes"),
        message_(std::move(message)) {}
  const char* type_name() const noexcept override { return "BufferTooShort"; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string message_;
};

class Connection {
 public:
  // A closed connection (both readable() and writable() false).
  Connection() = default;

  // Connection::send(obj)
  //
  // Encodes `obj` with braid::codec and sends it as one message. Blocks while
  // the pipe is full. Throws OSError("handle is closed"), OSError("connection
  // is read-only"), BrokenPipeError when the other end is closed, ValueError
  // for a message above kMaxFrame (1 GiB).
  //
  // Python equivalence: Connection.send(obj).
  template <typename T>
  void send(const T& obj, braid::source_location where = braid::source_location::current()) const {
    send_with(&encode_thunk<T>, &obj, where);
  }

  // Connection::recv<T>()
  //
  // Blocks until a message arrives, then decodes it as T. Throws EOFError when
  // the other end is closed and nothing is left, codec::DecodeError when the
  // message is not a T (it is consumed), OSError("handle is closed"),
  // OSError("connection is write-only").
  //
  // Python equivalence: Connection.recv().
  template <typename T>
  T recv(braid::source_location where = braid::source_location::current()) const {
    std::optional<T> out;
    recv_with(&decode_thunk<T>, &out, where);
    return std::move(*out);
  }

  // Connection::send_bytes(buf, offset, size)
  //
  // Sends bytes [offset, offset + size) of `buf` (size nullopt: to the end)
  // as one message. Throws ValueError("offset is negative" /
  // "buffer length < offset" / "size is negative" / "buffer length < offset +
  // size") and send()'s errors.
  //
  // Python equivalence: Connection.send_bytes(buf, offset=0, size=None).
  void send_bytes(std::string_view buf, long offset = 0, std::optional<long> size = std::nullopt,
                  braid::source_location where = braid::source_location::current()) const;

  // Connection::recv_bytes(maxlength)
  //
  // Blocks until a message arrives and returns its bytes. A message longer
  // than `maxlength` closes the connection and throws OSError("bad message
  // length"); a negative maxlength is ValueError("negative maxlength").
  // Otherwise recv()'s errors.
  //
  // Python equivalence: Connection.recv_bytes(maxlength=None).
  std::string recv_bytes(std::optional<long> maxlength = std::nullopt,
                         braid::source_location where = braid::source_location::current()) const;

  // Connection::recv_bytes_into(buf, offset)
  //
  // Receives a message into `buf` starting at `offset` and returns its size.
  // Throws ValueError("negative offset" / "offset too large"), BufferTooShort
  // (with the message) when it does not fit, and recv()'s errors.
  //
  // Python equivalence: Connection.recv_bytes_into(buf, offset=0).
  std::size_t recv_bytes_into(std::span<char> buf, long offset = 0,
                              braid::source_location where = braid::source_location::current()) const;

  // Connection::poll(timeout)
  //
  // Whether there is anything to read (a message, or EOF), waiting up to
  // `timeout` (nullopt: forever; zero or negative: just look). Throws
  // OSError("handle is closed"), OSError("connection is write-only").
  //
  // Python equivalence: Connection.poll(timeout=0.0).
  bool poll(Timeout timeout = Duration::zero(),
            braid::source_location where = braid::source_location::current()) const;

  // Connection::close()
  //
  // Closes this process's copy of the end; further calls on it throw
  // OSError("handle is closed"). Closing twice does nothing.
  //
  // Python equivalence: Connection.close().
  void close(braid::source_location where = braid::source_location::current()) const;

  // Connection::fileno()
  //
  // The descriptor (-1 under the model). Throws OSError("handle is closed").
  //
  // Python equivalence: Connection.fileno().
  int fileno() const;

  // closed() / readable() / writable()
  //
  // Python equivalence: Connection.closed, .readable, .writable.
  bool closed() const;
  bool readable() const;
  bool writable() const;

  // Two handles are equal when they refer to the same end.
  friend bool operator==(const Connection& a, const Connection& b) noexcept {
    return a.impl_ == b.impl_;
  }

  struct Impl;
  explicit Connection(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  const std::shared_ptr<Impl>& impl() const noexcept { return impl_; }

 private:
  using EncodeFn = void (*)(const void* obj, std::string& out);
  using DecodeFn = void (*)(void* out, std::string_view payload);

  template <typename T>
  static void encode_thunk(const void* obj, std::string& out) {
    codec::encode_to(out, *static_cast<const T*>(obj));
  }
  template <typename T>
  static void decode_thunk(void* out, std::string_view payload) {
    static_cast<std::optional<T>*>(out)->emplace(codec::decode<T>(payload));
  }

  // Appends the encoded message to a buffer and sends it / hands the next
  // message's bytes (valid during the call) to `decode`.
  void send_with(EncodeFn encode, const void* obj, const braid::source_location& where) const;
  void recv_with(DecodeFn decode, void* out, const braid::source_location& where) const;

  std::shared_ptr<Impl> impl_;
};

// Pipe(duplex)
//
// A connected pair of Connections. Duplex (the default): both ends read and
// write. One-way: the first end only reads, the second only writes. Throws
// OSError when the OS refuses.
//
// Python equivalence: multiprocessing.Pipe(duplex=True).
std::pair<Connection, Connection> Pipe(bool duplex = true,
                                       braid::source_location where = braid::source_location::current());

// wait(connections, timeout)
//
// Waits until at least one of `connections` is ready to read (poll() would
// be true) or `timeout` passes (nullopt: forever), and returns the ready ones
// in the given order (empty on timeout). Closed connections throw
// OSError("handle is closed").
//
// Python equivalence: multiprocessing.connection.wait(object_list, timeout).
std::vector<Connection> wait(const std::vector<Connection>& connections,
                             Timeout timeout = std::nullopt,
                             braid::source_location where = braid::source_location::current());

// wait(fds, timeout)
//
// The same for raw descriptors, such as Process::sentinel(): returns the
// ones that are readable or at EOF. OS runtime only.
//
// Python equivalence: multiprocessing.connection.wait with integers.
std::vector<int> wait(const std::vector<int>& fds, Timeout timeout = std::nullopt);

}  // namespace mp
}  // namespace braid

#endif  // BRAID_MP_CONNECTION_H_
