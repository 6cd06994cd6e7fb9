// runtime/execution_model.cc
// -----------------------------------------------------------------------------
// The bookkeeping half of the model runtime: thread creation, ownership and
// happens-before edges, object ids and names, and the trace. See execution.h.
// -----------------------------------------------------------------------------
#include <algorithm>

#include "runtime/execution.h"
#include "runtime/fiber_annotations.h"

namespace braid::engine {
namespace {
// Removes the last entry `id` of a thread's held list (the newest hold: locks
// are usually released in the reverse order of their acquisition).
void drop_held(std::vector<std::uint32_t>& held, std::uint32_t id) {
  if (!held.empty() && held.back() == id) {
    held.pop_back();
    return;
  }
  for (std::size_t i = held.size(); i-- > 0;) {
    if (held[i] == id) {
      held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}
}  // namespace

std::uint32_t Execution::object_id_slow(const void* object) {
  bool fresh = false;
  const std::uint32_t id = objects_.id(object, fresh);
  if (fresh) {
    if (id >= object_ptrs_.size()) {
      object_ptrs_.resize(id + 1);
      object_first_op_.resize(id + 1);
      object_clocks_.resize(id + 1);
      object_clock_gen_.resize(id + 1, 0);
    }
    object_ptrs_[id] = object;
    object_first_op_[id] = current_ == kHost ? runtime::Op::kUser : me().op;
    object_clock_gen_[id] = 0;
  }
  remember(object, id);
  return id;
}

VectorClock& Execution::object_clock(std::uint32_t id) {
  VectorClock& c = object_clocks_[id];
  if (object_clock_gen_[id] != gen_) {
    object_clock_gen_[id] = gen_;
    c.clear();
  }
  return c;
}

void Execution::hold(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost || aborting_) return;
  me().held.push_back(object_id(object));
}

void Execution::unhold(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost || aborting_) return;
  drop_held(me().held, object_id(object));
}

void Execution::sync_release(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost) return;
  LogicalThread& t = me();
  object_clock(object_id(object)).join(t.clock);
  t.clock.bump(t.id);
}

void Execution::sync_acquire(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost) return;
  me().clock.join(object_clock(object_id(object)));
}

void Execution::acquired(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost) return;
  LogicalThread& t = me();
  const std::uint32_t id = object_id(object);
  if (!aborting_) t.held.push_back(id);
  t.clock.join(object_clock(id));
}

void Execution::released(const void* object) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost) return;
  LogicalThread& t = me();
  const std::uint32_t id = object_id(object);
  if (!aborting_) drop_held(t.held, id);
  object_clock(id).join(t.clock);
  t.clock.bump(t.id);
}

void Execution::spawn(std::shared_ptr<runtime::ThreadContext> child, std::function<void()> body) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost || aborting_) return;
  LogicalThread& parent = me();
  LogicalThread& t = new_thread();
  t.ctx = std::move(child);
  t.process = parent.process;
  t.ctx->ident = t.ctx->native_id = t.id + 1;  // deterministic: the same in every execution
  t.body = std::move(body);
  t.object = t.ctx.get();
  t.where = parent.where;
  t.clock.assign(parent.clock);
  t.clock.set(t.id, 1);
  parent.clock.bump(parent.id);
  // Under TSan the parent creates the child's fiber now, with a synchronising
  // switch: the child's TSan history starts from the parent's at start().
  if constexpr (annotate::kTsanFibers) start_fiber(t);
}

void Execution::spawn_process(std::shared_ptr<runtime::ThreadContext> child, std::function<void()> body) {
  annotate::TsanIgnore tsan_ignore;
  if (current_ == kHost || aborting_) return;
  const std::uint32_t parent = me().process;
  spawn(std::move(child), std::move(body));
  threads_[live_ - 1]->process = spaces_.fork(parent);
  has_processes_ = true;
}

std::vector<std::shared_ptr<runtime::ThreadContext>> Execution::live_threads() {
  annotate::TsanIgnore tsan_ignore;
  std::vector<std::shared_ptr<runtime::ThreadContext>> out;
  for (std::uint32_t i = 0; i < live_; ++i) {
    if (threads_[i]->state != LogicalThread::State::kFinished) out.push_back(threads_[i]->ctx);
  }
  return out;
}

std::shared_ptr<runtime::ThreadContext> Execution::main_thread() {
  annotate::TsanIgnore tsan_ignore;
  return live_ > 0 ? threads_[0]->ctx : nullptr;
}

void Execution::forget(const void* object) noexcept {
  annotate::TsanIgnore tsan_ignore;
  forget_cached(object);
  objects_.forget(object);
  if (BRAID_UNLIKELY(has_processes_)) {
    dropped_.clear();
    spaces_.forget(object, &dropped_);
    for (const void* copy : dropped_) {
      forget_cached(copy);
      objects_.forget(copy);
    }
  }
}

std::string Execution::thread_name(std::uint32_t id) const {
  if (id >= live_ || !threads_[id]->ctx) return "?";
  return threads_[id]->ctx->name;
}

std::string Execution::location(const braid::source_location& where) const {
  if (where.file_name() == nullptr || where.file_name()[0] == '\0') return "<unknown>";
  return std::string(report::file_basename(where.file_name(), 2)) + ":" + std::to_string(where.line());
}

std::string Execution::object_name(std::uint32_t id) const {
  if (id == 0 || id >= object_ptrs_.size()) return "";
  for (std::uint32_t i = 0; i < live_; ++i) {
    if (threads_[i]->ctx.get() == object_ptrs_[id]) return "Thread '" + threads_[i]->ctx->name + "'";
  }
  using runtime::Op;
  const char* type = "Object";
  switch (object_first_op_[id]) {
    case Op::kLockAcquire: case Op::kLockRelease: type = "Lock"; break;
    case Op::kRLockAcquire: case Op::kRLockRelease: type = "RLock"; break;
    case Op::kConditionWait: case Op::kConditionNotify: type = "Condition"; break;
    case Op::kSemaphoreAcquire: case Op::kSemaphoreRelease: type = "Semaphore"; break;
    case Op::kEventSet: case Op::kEventClear: case Op::kEventWait: case Op::kEventQuery: type = "Event"; break;
    case Op::kBarrierWait: case Op::kBarrierAbort: case Op::kBarrierReset: type = "Barrier"; break;
    case Op::kQueuePut: case Op::kQueueGet: case Op::kQueueQuery: case Op::kQueueTaskDone: case Op::kQueueJoin:
      type = "Queue"; break;
    case Op::kSharedRead: case Op::kSharedWrite: type = "Shared"; break;
    case Op::kAtomicLoad: case Op::kAtomicStore: case Op::kAtomicRmw: type = "Atomic"; break;
    case Op::kLocalAccess: type = "Local"; break;
    case Op::kChannelSend: case Op::kChannelRecv: case Op::kChannelQuery: case Op::kChannelClose:
      type = "Channel"; break;
    default: break;
  }
  return std::string(type) + "#" + std::to_string(id);
}

std::string Execution::describe_deadlock(std::vector<std::uint32_t>* cycle) {
  // Who holds what: holder[object id] = threads holding it.
  auto holders_of = [this](std::uint32_t obj) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < live_; ++i) {
      const auto& held = threads_[i]->held;
      if (threads_[i]->state != LogicalThread::State::kFinished && obj != 0 &&
          std::find(held.begin(), held.end(), obj) != held.end()) {
        out.push_back(i);
      }
    }
    return out;
  };
  auto waits_on = [this](std::uint32_t t) -> std::uint32_t {
    const LogicalThread& th = *threads_[t];
    if (th.state != LogicalThread::State::kWaiting) return 0;
    return object_id(th.object);
  };
  std::string out = "deadlock: no thread can run and no timeout can fire.";
  std::uint32_t blocked = 0;
  for (std::uint32_t i = 0; i < live_; ++i) {
    const LogicalThread& t = *threads_[i];
    if (t.state != LogicalThread::State::kWaiting) continue;
    ++blocked;
    const std::uint32_t obj = waits_on(i);
    out += "\n  '" + t.ctx->name + "' blocked in " + runtime::op_name(t.op);
    if (obj != 0) out += " on " + object_name(obj);
    if (t.id == 0 && t.op == runtime::Op::kThreadJoin && t.object == nullptr) {
      out += " (end of the main thread: waiting for the non-daemon threads)";
    }
    out += " at " + location(t.where);
    const auto holders = holders_of(obj);
    for (std::uint32_t h : holders) {
      out += h == i ? "; it holds " + object_name(obj) + " itself (a non-reentrant lock acquired twice by its owner)"
                    : "; held by '" + threads_[h]->ctx->name + "'";
    }
  }
  // Wait-for cycle: follow "waits for an object held by" edges from each blocked thread.
  for (std::uint32_t start = 0; start < live_ && cycle->empty(); ++start) {
    std::vector<std::uint32_t> path;
    std::uint32_t t = start;
    for (std::uint32_t hops = 0; hops <= live_; ++hops) {
      auto seen = std::find(path.begin(), path.end(), t);
      if (seen != path.end()) {
        cycle->assign(seen, path.end());
        break;
      }
      path.push_back(t);
      const std::uint32_t obj = waits_on(t);
      const auto holders = obj ? holders_of(obj) : std::vector<std::uint32_t>{};
      if (holders.empty()) break;
      t = holders[0];
    }
  }
  if (!cycle->empty()) {
    out += "\n  wait-for cycle: ";
    for (std::uint32_t t : *cycle) {
      out += "'" + threads_[t]->ctx->name + "' waits for " + object_name(waits_on(t)) + " held by ";
    }
    out += "'" + threads_[(*cycle)[0]]->ctx->name + "'";
  }
  if (blocked == 0) out += "\n  (every thread has finished or is unstarted)";
  return out;
}

report::Trace Execution::trace() const {
  report::Trace trace;
  for (std::uint32_t i = 0; i < live_; ++i) trace.thread_names.push_back(thread_name(i));
  trace.object_names.push_back("");
  for (std::uint32_t id = 1; id <= objects_.count(); ++id) trace.object_names.push_back(object_name(id));
  trace.steps = log_.to_vector();
  return trace;
}

}  // namespace braid::engine
