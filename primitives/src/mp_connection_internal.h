// mp_connection_internal.h
// -----------------------------------------------------------------------------
// Private declarations shared by mp_connection.cc (OS runtime) and
// mp_connection_model.cc (model runtime): the state behind a Connection
// handle. Not installed.
// -----------------------------------------------------------------------------
#ifndef BRAID_SRC_MP_CONNECTION_INTERNAL_H_
#define BRAID_SRC_MP_CONNECTION_INTERNAL_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/mp/connection.h"

namespace braid::mp {

namespace detail {

// A modelled pipe: one deque of encoded messages per direction; q[s] holds
// the messages end `s` receives.
struct ModelChannel {
  ~ModelChannel();
  std::deque<std::string> q[2];
  Connection::Impl* ends[2] = {nullptr, nullptr};
};

}  // namespace detail

struct Connection::Impl {
  Impl(bool r, bool w) : readable(r), writable(w) {}
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const bool readable;
  const bool writable;

  // -- OS runtime --
  // A duplex end reads one pipe and writes another; a one-way end has one of
  // the two. Both -1 once closed.
  std::atomic<bool> open{false};
  std::atomic<int> rfd{-1};
  std::atomic<int> wfd{-1};
  braid::detail::FutexMutex send_mu;
  std::string send_buf BRAID_GUARDED_BY(send_mu);  // header + payload of the message being sent
  braid::detail::FutexMutex recv_mu;
  std::string rbuf BRAID_GUARDED_BY(recv_mu);  // bytes read, [rpos, rend) not yet parsed
  std::size_t rpos BRAID_GUARDED_BY(recv_mu) = 0;
  std::size_t rend BRAID_GUARDED_BY(recv_mu) = 0;
  std::atomic<std::size_t> buffered{0};  // rend - rpos, for poll() without recv_mu
  Impl* prev = nullptr;  // the registry of live OS ends (reset at fork)
  Impl* next = nullptr;

  // -- model runtime --
  bool modelled = false;
  std::shared_ptr<detail::ModelChannel> chan;
  int side = 0;                       // this end receives chan->q[side]
  std::vector<const void*> holders;   // simulated processes holding this end open
};

namespace detail {

// OS runtime (mp_connection.cc).
std::shared_ptr<Connection::Impl> os_make_end(int rfd, int wfd);

// Model runtime (mp_connection_model.cc).
std::pair<Connection, Connection> model_pipe(runtime::Model& m, bool duplex);
void model_unregister(Connection::Impl& impl) noexcept;
bool model_closed(runtime::Model& m, const Connection::Impl& impl);
void model_send(runtime::Model& m, Connection::Impl& impl, std::string payload,
                const braid::source_location& where);
// Receives the next message (throws EOFError at EOF).
std::string model_recv(runtime::Model& m, Connection::Impl& impl, const braid::source_location& where);
bool model_poll(runtime::Model& m, Connection::Impl& impl, const Timeout& timeout,
                const braid::source_location& where);
void model_close(runtime::Model& m, Connection::Impl& impl, const braid::source_location& where);
std::vector<Connection> model_wait(runtime::Model& m, const std::vector<Connection>& conns,
                                   const Timeout& timeout, const braid::source_location& where);

}  // namespace detail
}  // namespace braid::mp

#endif  // BRAID_SRC_MP_CONNECTION_INTERNAL_H_
