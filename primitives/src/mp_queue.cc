// mp_queue.cc
// -----------------------------------------------------------------------------
// braid::mp::detail::QueueCore (see braid/mp/detail/queue_core.h): the OS
// path over a ShmRing and the modelled path over an in-object deque.
// -----------------------------------------------------------------------------
#include "braid/mp/detail/queue_core.h"

#include <algorithm>
#include <cstdio>

#include "braid/detail/queue_core.h"
#include "braid/errors.h"
#include "braid/mp/process.h"

namespace braid::mp::detail {
namespace {

using braid::queue::detail::throw_empty;
using braid::queue::detail::throw_full;
using braid::queue::detail::throw_task_done_too_many;
using runtime::Op;

const char* kind_name(QueueCore::Kind kind) {
  switch (kind) {
    case QueueCore::Kind::kJoinable:
      return "JoinableQueue";
    case QueueCore::Kind::kSimple:
      return "SimpleQueue";
    default:
      return "Queue";
  }
}

// A deadline on runtime::now()'s clock; a negative timeout counts as zero
// (multiprocessing's queues raise Empty/Full for it, never ValueError).
std::optional<Duration> deadline_for(const Timeout& timeout) {
  if (!timeout) return std::nullopt;
  return runtime::now() + std::max(*timeout, Duration::zero());
}

Timeout clamp(const Timeout& timeout) {
  if (!timeout) return std::nullopt;
  return std::max(*timeout, Duration::zero());
}

}  // namespace

QueueCore::QueueCore(long maxsize, Kind kind)
    : kind_(kind), maxsize_(maxsize), modelled_(runtime::model() != nullptr) {
  if (!modelled_) ring_ = std::make_unique<ShmRing>(maxsize);
}

QueueCore::~QueueCore() {
  if (runtime::Model* m = runtime::model()) m->forget(this);
}

runtime::Model* QueueCore::runtime_for(const Where& where) const {
  (void)where;
  if (BRAID_LIKELY(!runtime::hooked())) {
    if (BRAID_UNLIKELY(modelled_)) {
      throw misuse<RuntimeError>(std::string("an mp.") + kind_name(kind_) +
                                 " made inside braid::explore cannot be used outside it");
    }
    return nullptr;
  }
  runtime::Model* m = runtime::model();
  if (m == nullptr) {
    if (modelled_) {
      throw misuse<RuntimeError>(std::string("an mp.") + kind_name(kind_) +
                                 " made inside braid::explore cannot be used outside it");
    }
    runtime::chaos_point();
    return nullptr;
  }
  // An execution being torn down: the queue may live on a stack already
  // unwound, so touch nothing before the step, which unwinds this thread.
  if (m->unwinding()) return m;
  if (!modelled_) {
    throw misuse<RuntimeError>(std::string("an mp.") + kind_name(kind_) +
                               " made outside braid::explore cannot be used inside it");
  }
  mp::detail::model_signal_point();  // a terminated simulated process stops here
  return m;
}

bool QueueCore::closed_here(runtime::Model* m) const {
  return m != nullptr ? closed_in(m->process_id()) : closed_.load(std::memory_order_relaxed);
}

bool QueueCore::closed_in(std::uint32_t process) const {
  return std::find(closed_in_.begin(), closed_in_.end(), process) != closed_in_.end();
}

std::string QueueCore::repr() const {
  char buf[96];
  std::snprintf(buf, sizeof buf, "<braid.mp.%s object at %p>", kind_name(kind_), static_cast<const void*>(this));
  return buf;
}

void QueueCore::check_open(runtime::Model* m) const {
  if (!closed_here(m)) return;
  if (kind_ == Kind::kSimple) throw OSError("handle is closed");
  throw ValueError("Queue " + repr() + " is closed");
}

void QueueCore::join_thread(const Where& where) {
  runtime::Model* m = runtime_for(where);
  if (m != nullptr) m->step(Op::kChannelQuery, this, where);
  if (!closed_here(m)) throw misuse<AssertionError>("Queue " + repr() + " not closed");
}

void QueueCore::put(std::string_view bytes, bool block, const Timeout& timeout, const Where& where) {
  if (runtime::Model* m = runtime_for(where)) return put_modelled(*m, bytes, block, timeout, where);
  check_open(nullptr);
  if (kind_ == Kind::kSimple) block = true;
  const bool blocking = block && maxsize_ > 0;
  if (!ring_->push(bytes, blocking, blocking ? deadline_for(timeout) : std::nullopt)) throw_full();
}

void QueueCore::get(std::string& out, bool block, const Timeout& timeout, const Where& where) {
  if (runtime::Model* m = runtime_for(where)) return get_modelled(*m, out, block, timeout, where);
  check_open(nullptr);
  if (!ring_->pop(out, block, block ? deadline_for(timeout) : std::nullopt)) throw_empty();
}

std::size_t QueueCore::qsize(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    m->step(Op::kChannelQuery, this, where);
    m->sync_acquire(this);
    return items_.size();
  }
  return ring_->size();
}

bool QueueCore::empty(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    m->step(Op::kChannelQuery, this, where);
    if (kind_ == Kind::kSimple) check_open(m);
    m->sync_acquire(this);
    return items_.empty();
  }
  if (kind_ == Kind::kSimple) check_open(nullptr);
  return ring_->size() == 0;
}

bool QueueCore::full(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    m->step(Op::kChannelQuery, this, where);
    m->sync_acquire(this);
    return maxsize_ > 0 && items_.size() >= static_cast<std::size_t>(maxsize_);
  }
  return ring_->full();
}

void QueueCore::close(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    m->step(Op::kChannelClose, this, where);
    const std::uint32_t pid = m->process_id();
    if (std::find(closed_in_.begin(), closed_in_.end(), pid) == closed_in_.end()) closed_in_.push_back(pid);
    return;
  }
  closed_.store(true, std::memory_order_relaxed);
}

void QueueCore::task_done(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    m->step(Op::kQueueTaskDone, this, where);
    if (unfinished_ == 0) throw_task_done_too_many();
    --unfinished_;
    m->sync_release(this);
    return;
  }
  if (!ring_->task_done()) throw_task_done_too_many();
}

void QueueCore::join(const Where& where) {
  if (runtime::Model* m = runtime_for(where)) {
    const int* signal = mp::detail::model_signal_word();
    auto done = [&] { return unfinished_ == 0 || *signal != 0; };
    m->step(Op::kQueueJoin, this, where, runtime::Guard(done));
    mp::detail::model_signal_point();
    m->sync_acquire(this);
    return;
  }
  ring_->join(std::nullopt);
}

// The modelled operations touch the queue's state only after their step: a
// step in an execution being torn down unwinds the thread before that.
void QueueCore::put_modelled(runtime::Model& m, std::string_view bytes, bool block, const Timeout& timeout,
                             const Where& where) {
  // Copy first: `bytes` may be a per-OS-thread buffer that another logical
  // thread reuses while this one waits at its step.
  std::string copy(bytes);
  auto has_room = [this] { return maxsize_ <= 0 || items_.size() < static_cast<std::size_t>(maxsize_); };
  if (block && maxsize_ > 0 && kind_ != Kind::kSimple) {
    // Wakes for room, for this process closing its handle, or for a
    // terminate() of this simulated process (which unwinds it below).
    const int* signal = mp::detail::model_signal_word();
    const std::uint32_t process = m.process_id();
    auto ready = [&] { return has_room() || *signal != 0 || closed_in(process); };
    m.step(Op::kChannelSend, this, where, runtime::Guard(ready), clamp(timeout));
  } else {
    m.step(Op::kChannelSend, this, where);
  }
  mp::detail::model_signal_point();
  check_open(&m);
  if (!has_room()) throw_full();
  items_.push_back(std::move(copy));
  ++unfinished_;
  m.sync_release(this);
}

void QueueCore::get_modelled(runtime::Model& m, std::string& out, bool block, const Timeout& timeout,
                             const Where& where) {
  auto has_item = [this] { return !items_.empty(); };
  if (block) {
    const int* signal = mp::detail::model_signal_word();
    const std::uint32_t process = m.process_id();
    auto ready = [&] { return has_item() || *signal != 0 || closed_in(process); };
    m.step(Op::kChannelRecv, this, where, runtime::Guard(ready), clamp(timeout));
  } else {
    m.step(Op::kChannelRecv, this, where);
  }
  mp::detail::model_signal_point();
  check_open(&m);
  if (!has_item()) throw_empty();
  out = std::move(items_.front());
  items_.pop_front();
  m.sync_acquire(this);
}

}  // namespace braid::mp::detail
