// mp_process_model.cc
// -----------------------------------------------------------------------------
// braid::mp::Process under the model runtime: a child is a logical thread in
// its own simulated process (runtime::spawn_process). Join is a guarded
// Op::kThreadJoin step on the child's ThreadContext, as Thread::join is;
// is_alive(), exitcode() and terminate()/kill() are unguarded steps on it.
//
// Per execution (detected by a new main logical thread), this file keeps the
// cores of the simulated processes by Model::process_id(), so that
// current_process(), parent_process(), active_children() and the Process-N
// numbering are the same in every execution and on replay.
//
// terminate()/kill() cannot interrupt a logical thread between two steps: the
// signal is recorded and delivered when the child next calls
// mp::detail::model_signal_point() (every Connection and Process operation
// does), wakes a child blocked in a Connection, or decides the exit code when
// the child ends.
// -----------------------------------------------------------------------------
#include <signal.h>

#include "braid/detail/model_bookkeeping.h"
#include "braid/os.h"
#include "mp_process_internal.h"

namespace braid::mp::detail {
namespace {

using Core = Process::Core;
using braid::detail::FutexGuard;

struct ModelState {
  std::weak_ptr<runtime::ThreadContext> main;  // the execution this state is about
  std::shared_ptr<Core> main_core;
  std::vector<std::shared_ptr<Core>> by_process;  // by Model::process_id()
  std::vector<std::shared_ptr<Core>> started;     // every child started in the execution
};

// Every logical thread of an execution runs on the exploring OS thread.
thread_local ModelState tls_state;

ModelState& state(runtime::Model& m) {
  std::shared_ptr<runtime::ThreadContext> main = m.main_thread();
  ModelState& s = tls_state;
  braid::detail::ModelBookkeeping bookkeeping;  // shared by every simulated process
  if (s.main.lock() != main || !s.main_core) {
    s.main = main;
    s.started.clear();
    s.main_core = std::make_shared<Core>(Core::Kind::kMain, "MainProcess");
    s.main_core->is_self = true;
    FutexGuard g(s.main_core->mu);
    s.main_core->pid = os::getpid();
    s.by_process.assign(1, s.main_core);
  }
  return s;
}

// The child's body: BaseProcess._bootstrap() on a simulated process.
void run_child(const std::shared_ptr<Core>& core, std::function<void()>& target) {
  runtime::Model& m = *runtime::model();
  ModelState& s = state(m);
  const std::uint32_t id = m.process_id();
  {
    braid::detail::ModelBookkeeping bookkeeping;
    if (s.by_process.size() <= id) s.by_process.resize(id + 1);
    s.by_process[id] = core;
  }
  int pid;
  {
    FutexGuard g(core->mu);
    pid = core->pid;
  }
  os::detail::set_modelled_pid(id, pid, core->parent_pid);

  int code = 0;
  int killed = 0;
  try {
    if (core->pending_signal != 0) throw ProcessKilled{core->pending_signal};
    if (target) target();
  } catch (const SystemExit& e) {
    code = e.code();
  } catch (const ProcessKilled& k) {
    killed = k.sig;
  } catch (const std::exception&) {
    if (m.unwinding()) throw;
    code = 1;
  }
  target = nullptr;
  if (killed == 0 && !m.unwinding()) {
    // util._exit_function(): terminate daemonic children, join the others.
    try {
      for (Process& p : model_active_children(m, braid::source_location::current())) {
        if (p.daemon()) p.terminate();
      }
      for (Process& p : model_active_children(m, braid::source_location::current())) p.join();
    } catch (const ProcessKilled& k) {
      killed = k.sig;
    }
  }
  if (core->pending_signal != 0) killed = core->pending_signal;
  model_channels_release(core.get());
  FutexGuard g(core->mu);
  core->returncode = killed != 0 ? -killed : (code & 0xff);
}

}  // namespace

std::shared_ptr<Core> model_current_core(runtime::Model& m) {
  ModelState& s = state(m);
  braid::detail::ModelBookkeeping bookkeeping;
  const std::uint32_t id = m.process_id();
  if (id < s.by_process.size() && s.by_process[id]) return s.by_process[id];
  return s.main_core;
}

std::shared_ptr<Core> model_parent_core(runtime::Model& m) {
  return model_current_core(m)->model_parent;
}

int model_next_child_number(runtime::Model& m) {
  const std::shared_ptr<Core> cur = model_current_core(m);
  FutexGuard g(cur->mu);
  return ++cur->counter;
}

const void* model_process_key(runtime::Model& m) { return model_current_core(m).get(); }

bool model_signal_pending(runtime::Model& m) {
  const std::shared_ptr<Core>& cur = model_current_core(m);
  return cur->kind == Core::Kind::kChild && cur->pending_signal != 0;
}

void model_start(runtime::Model& m, const std::shared_ptr<Core>& core,
                 const braid::source_location& where) {
  ModelState& s = state(m);
  std::shared_ptr<Core> parent = model_current_core(m);
  std::string name;
  {
    FutexGuard g(core->mu);
    name = core->name;
  }
  auto ctx = std::make_shared<runtime::ThreadContext>(std::move(name), core->daemon);
  core->ctx = ctx;
  core->modelled = true;
  core->model_parent = parent;
  std::function<void()> body = [core, target = std::move(core->target)]() mutable {
    run_child(core, target);
  };
  core->target = nullptr;
  runtime::spawn_process(ctx, std::move(body), where);
  {
    FutexGuard g(core->mu);
    core->pid = static_cast<int>(ctx->native_id);
  }
  // fork(2) duplicates descriptors: the child holds what its parent holds.
  model_channels_inherit(parent.get(), core.get());
  braid::detail::ModelBookkeeping bookkeeping;
  s.started.push_back(core);
}

void model_join(runtime::Model& m, Core& core, const Timeout& timeout,
                const braid::source_location& where) {
  model_signal_point();
  runtime::ThreadContext& ctx = *core.ctx;
  Timeout t = timeout;
  if (t && *t < Duration::zero()) t = Duration::zero();
  const auto done = runtime::Guard::word_equals<runtime::ThreadContext::kFinished>(ctx.state);
  if (m.step(runtime::Op::kThreadJoin, &ctx, where, done, t) == runtime::Wake::kReady) {
    m.sync_acquire(&ctx);
  }
}

bool model_is_alive(runtime::Model& m, Core& core, const braid::source_location& where) {
  model_signal_point();
  runtime::ThreadContext& ctx = *core.ctx;
  m.step(runtime::Op::kThreadJoin, &ctx, where);
  if (ctx.state.load(std::memory_order_relaxed) != runtime::ThreadContext::kFinished) return true;
  m.sync_acquire(&ctx);
  return false;
}

std::optional<int> model_exitcode(runtime::Model& m, Core& core, const braid::source_location& where) {
  if (model_is_alive(m, core, where)) return std::nullopt;
  FutexGuard g(core.mu);
  return core.returncode;
}

void model_signal(runtime::Model& m, Core& core, int sig, const braid::source_location& where) {
  model_signal_point();
  runtime::ThreadContext& ctx = *core.ctx;
  m.step(runtime::Op::kThreadJoin, &ctx, where);
  if (ctx.state.load(std::memory_order_relaxed) == runtime::ThreadContext::kFinished) return;
  braid::detail::ModelBookkeeping bookkeeping;  // read by the target's guards and signal points
  if (core.pending_signal == 0) core.pending_signal = sig;
}

std::vector<Process> model_active_children(runtime::Model& m, const braid::source_location& where) {
  ModelState& s = state(m);
  std::shared_ptr<Core> cur = model_current_core(m);
  std::vector<std::shared_ptr<Core>> mine;
  {
    braid::detail::ModelBookkeeping bookkeeping;
    for (const auto& c : s.started) {
      if (c->model_parent == cur) mine.push_back(c);
    }
  }
  std::vector<Process> out;
  for (auto& c : mine) {
    if (model_is_alive(m, *c, where)) out.emplace_back(std::move(c));
  }
  return out;
}

}  // namespace braid::mp::detail
