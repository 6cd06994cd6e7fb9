// mp_connection_model.cc
// -----------------------------------------------------------------------------
// braid::mp::Connection under the model runtime: a Pipe is an in-memory
// channel, one deque of encoded messages per direction (memory that is not a
// tracked variable is shared by all simulated processes, as a pipe is).
//
//   send   Op::kChannelSend step on the peer's deque; BrokenPipeError if no
//          process holds the peer end; push; sync_release.
//   recv   Op::kChannelRecv step guarded by "a message, EOF, or a pending
//          signal for this process"; pop; sync_acquire. EOFError at EOF.
//   poll   Op::kChannelQuery step (guarded, with the timeout, when it waits).
//   close  Op::kChannelClose step; this process no longer holds the end.
//
// Descriptor ownership is modelled per simulated process (`holders`): a new
// end is held by its creator, a child started by Process::start() holds what
// its parent held (model_channels_inherit), and a process that ends holds
// nothing (model_channels_release). EOF is "no process holds the peer end".
//
// `holders`, `ends` and the list of live ends are the modelled kernel's
// descriptor table: every simulated process reads and writes them outside
// the steps on a channel (a child's exit releases every end it holds), one
// logical thread at a time. Under ThreadSanitizer inside the model they are
// bookkeeping it does not watch (braid::detail::ModelBookkeeping); the
// messages themselves are only touched after a step on their deque, which
// gives TSan the happens-before a pipe creates.
// -----------------------------------------------------------------------------
#include <algorithm>
#include <cerrno>

#include "braid/detail/model_bookkeeping.h"
#include "braid/os.h"
#include "mp_connection_internal.h"
#include "mp_process_internal.h"

namespace braid::mp {

using Impl = Connection::Impl;

namespace detail {
namespace {

// The modelled ends alive on this exploring OS thread.
thread_local std::vector<Impl*> tls_ends;

using braid::detail::ModelBookkeeping;

bool holds(const Impl& i, const void* key) {
  ModelBookkeeping bookkeeping;
  return std::find(i.holders.begin(), i.holders.end(), key) != i.holders.end();
}

bool peer_closed(const Impl& i) {
  ModelBookkeeping bookkeeping;
  const Impl* peer = i.chan->ends[1 - i.side];
  return peer == nullptr || peer->holders.empty();
}

std::deque<std::string>& inbox(const Impl& i) { return i.chan->q[i.side]; }
std::deque<std::string>& outbox(const Impl& i) { return i.chan->q[1 - i.side]; }

// The guard of a waiting recv (the engine evaluates guards out of TSan's
// sight); wait() also asks it of connections it made no step on, so it reads
// the deque's size as bookkeeping too. The messages are read after a step.
bool readable_now(const Impl& i) {
  ModelBookkeeping bookkeeping;
  return !inbox(i).empty() || peer_closed(i);
}

// The waiting process's own view, for guards (evaluated on other threads).
struct Waiter {
  const Impl* impl;
  const void* key;
  const Process::Core* me;
  bool signalled() const { return me->kind == Process::Core::Kind::kChild && me->pending_signal != 0; }
};

Timeout clamp(const Timeout& t) {
  if (t && *t < Duration::zero()) return Duration::zero();
  return t;
}

}  // namespace

ModelChannel::~ModelChannel() {
  if (runtime::Model* m = runtime::model()) {
    m->forget(&q[0]);
    m->forget(&q[1]);
  }
}

std::pair<Connection, Connection> model_pipe(runtime::Model& m, bool duplex) {
  auto chan = std::make_shared<ModelChannel>();
  auto a = std::make_shared<Impl>(true, duplex);
  auto b = std::make_shared<Impl>(duplex, true);
  const void* key = model_process_key(m);
  ModelBookkeeping bookkeeping;
  int side = 0;
  for (Impl* i : {a.get(), b.get()}) {
    i->modelled = true;
    i->chan = chan;
    i->side = side;
    chan->ends[side++] = i;
    i->holders.push_back(key);
    tls_ends.push_back(i);
  }
  return {Connection(std::move(a)), Connection(std::move(b))};
}

void model_unregister(Impl& impl) noexcept {
  ModelBookkeeping bookkeeping;
  auto it = std::find(tls_ends.begin(), tls_ends.end(), &impl);
  if (it != tls_ends.end()) tls_ends.erase(it);
  if (impl.chan) impl.chan->ends[impl.side] = nullptr;
}

bool model_closed(runtime::Model& m, const Impl& impl) { return !holds(impl, model_process_key(m)); }

void model_send(runtime::Model& m, Impl& impl, std::string payload, const braid::source_location& where) {
  model_signal_point();
  std::deque<std::string>& q = outbox(impl);
  m.step(runtime::Op::kChannelSend, &q, where);
  model_signal_point();
  if (model_closed(m, impl)) throw OSError("handle is closed");
  if (peer_closed(impl)) throw BrokenPipeError(os::errno_message(EPIPE));
  q.push_back(std::move(payload));
  m.sync_release(&q);
}

std::string model_recv(runtime::Model& m, Impl& impl, const braid::source_location& where) {
  model_signal_point();
  std::deque<std::string>& q = inbox(impl);
  const Waiter w{&impl, model_process_key(m), model_current_core(m).get()};
  auto ready = [&w] { return readable_now(*w.impl) || w.signalled() || !holds(*w.impl, w.key); };
  m.step(runtime::Op::kChannelRecv, &q, where, runtime::Guard(ready));
  model_signal_point();
  if (model_closed(m, impl)) throw OSError("handle is closed");
  if (q.empty()) throw EOFError("");
  std::string msg = std::move(q.front());
  q.pop_front();
  m.sync_acquire(&q);
  return msg;
}

bool model_poll(runtime::Model& m, Impl& impl, const Timeout& timeout, const braid::source_location& where) {
  model_signal_point();
  std::deque<std::string>& q = inbox(impl);
  const Timeout t = clamp(timeout);
  if (t && *t == Duration::zero()) {
    m.step(runtime::Op::kChannelQuery, &q, where);
  } else {
    const Waiter w{&impl, model_process_key(m), model_current_core(m).get()};
    auto ready = [&w] { return readable_now(*w.impl) || w.signalled() || !holds(*w.impl, w.key); };
    m.step(runtime::Op::kChannelQuery, &q, where, runtime::Guard(ready), t);
  }
  model_signal_point();
  if (!q.empty()) m.sync_acquire(&q);
  return readable_now(impl);
}

void model_close(runtime::Model& m, Impl& impl, const braid::source_location& where) {
  const void* key = model_process_key(m);
  if (!holds(impl, key)) return;
  m.step(runtime::Op::kChannelClose, &outbox(impl), where);
  ModelBookkeeping bookkeeping;
  auto it = std::find(impl.holders.begin(), impl.holders.end(), key);
  if (it != impl.holders.end()) impl.holders.erase(it);
}

std::vector<Connection> model_wait(runtime::Model& m, const std::vector<Connection>& conns,
                                   const Timeout& timeout, const braid::source_location& where) {
  model_signal_point();
  const void* key = model_process_key(m);
  for (const Connection& c : conns) {
    if (!c.impl() || !holds(*c.impl(), key)) throw OSError("handle is closed");
    if (!c.impl()->readable) throw OSError("connection is write-only");
  }
  const Process::Core* me = model_current_core(m).get();
  auto any = [&conns, me] {
    if (me->kind == Process::Core::Kind::kChild && me->pending_signal != 0) return true;
    for (const Connection& c : conns) {
      if (readable_now(*c.impl())) return true;
    }
    return false;
  };
  const void* object = conns.empty() ? static_cast<const void*>(me) : &inbox(*conns.front().impl());
  const Timeout t = clamp(timeout);
  if (t && *t == Duration::zero()) {
    m.step(runtime::Op::kChannelQuery, object, where);
  } else {
    m.step(runtime::Op::kChannelQuery, object, where, runtime::Guard(any), t);
  }
  model_signal_point();
  std::vector<Connection> ready;
  for (const Connection& c : conns) {
    if (readable_now(*c.impl())) {
      if (!inbox(*c.impl()).empty()) m.sync_acquire(&inbox(*c.impl()));
      ready.push_back(c);
    }
  }
  return ready;
}

void model_channels_inherit(const void* parent, const void* child) {
  ModelBookkeeping bookkeeping;
  for (Impl* i : tls_ends) {
    if (holds(*i, parent) && !holds(*i, child)) i->holders.push_back(child);
  }
}

void model_channels_release(const void* process) {
  ModelBookkeeping bookkeeping;
  for (Impl* i : tls_ends) {
    auto it = std::find(i->holders.begin(), i->holders.end(), process);
    if (it != i->holders.end()) i->holders.erase(it);
  }
}

}  // namespace detail
}  // namespace braid::mp
