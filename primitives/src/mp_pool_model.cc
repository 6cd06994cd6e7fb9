// mp_pool_model.cc
// -----------------------------------------------------------------------------
// braid::mp::detail::PoolCore under the model runtime: workers are simulated
// processes (runtime::spawn_process), the task and result channels in-object
// lists of messages. Each push is a kChannelSend step, each pop a guarded
// kChannelRecv step; sync_release/sync_acquire on the channel give the
// happens-before edges from a submit to the worker and from the worker's
// result to the caller.
// -----------------------------------------------------------------------------
#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/mp/detail/pool_wire.h"
#include "braid/mp/process.h"

namespace braid::mp::detail {

using runtime::Guard;
using runtime::Op;
using runtime::Wake;

void PoolCore::start_model(const std::shared_ptr<PoolCore>& self, const Where& where) {
  for (int i = 0; i < processes_; ++i) {
    auto ctx = std::make_shared<runtime::ThreadContext>("ForkPoolWorker-" + std::to_string(i + 1), true);
    model_workers_.push_back(ctx);
    // The worker holds the core: its guard reads the channels even if the
    // Pool is gone (an execution ending early).
    runtime::spawn_process(ctx, [self, i] { self->model_worker(static_cast<std::uint32_t>(i)); }, where);
  }
}

void PoolCore::model_worker(std::uint32_t index) {
  (void)index;
  runtime::Model& m = *runtime::model();
  const Where where = Where::current();
  std::string out;
  for (;;) {
    auto ready = [this] { return model_stop_ || !model_tasks_.empty(); };
    m.step(Op::kChannelRecv, &model_tasks_, where, Guard(ready));
    if (model_stop_) return;
    std::string task = std::move(model_tasks_.front());
    model_tasks_.pop_front();
    m.sync_acquire(&model_tasks_);
    std::uint64_t seq = 0;
    if (task.size() >= sizeof seq) std::memcpy(&seq, task.data(), sizeof seq);
    if (seq == 0) return;  // close(): stop
    run_task(task, out);   // a non-std exception (the engine's unwinding) passes
    if (model_stop_) return;  // terminated meanwhile: the result is dropped
    m.step(Op::kChannelSend, &model_results_, where);
    model_results_.push_back(std::move(out));
    m.sync_release(&model_results_);
  }
}

bool PoolCore::wait_model(runtime::Model& m, const std::function<bool()>& pred, const Timeout& timeout,
                          const Where& where) {
  std::optional<Duration> deadline;
  if (timeout) deadline = m.now() + std::max(*timeout, Duration::zero());
  auto satisfied = [this, &pred] {
    braid::detail::FutexGuard g(mu_);
    return pred();
  };
  const int* signal = mp::detail::model_signal_word();
  for (;;) {
    if (satisfied()) return true;
    auto ready = [this, &satisfied, signal] { return !model_results_.empty() || satisfied() || *signal != 0; };
    Timeout left;
    if (deadline) left = std::max(*deadline - m.now(), Duration::zero());
    const Wake wake = m.step(Op::kChannelRecv, &model_results_, where, Guard(ready), left);
    mp::detail::model_signal_point();
    if (!model_results_.empty()) {
      std::string msg = std::move(model_results_.front());
      model_results_.pop_front();
      m.sync_acquire(&model_results_);
      braid::detail::FutexGuard g(mu_);
      dispatch(msg);
      continue;
    }
    if (wake == Wake::kTimeout || m.unwinding()) return satisfied();
  }
}

void PoolCore::poll_model(runtime::Model& m, const Where& where) {
  m.step(Op::kChannelQuery, &model_results_, where);
  while (!model_results_.empty()) {
    std::string msg = std::move(model_results_.front());
    model_results_.pop_front();
    m.sync_acquire(&model_results_);
    braid::detail::FutexGuard g(mu_);
    dispatch(msg);
  }
}

void PoolCore::close_model(runtime::Model& m, const Where& where) {
  m.step(Op::kChannelClose, &model_tasks_, where);
  {
    braid::detail::FutexGuard g(mu_);
    if (state_ != State::kRun) return;
    state_ = State::kClose;
  }
  for (int i = 0; i < processes_; ++i) model_tasks_.push_back(std::string(sizeof(std::uint64_t), '\0'));
  m.sync_release(&model_tasks_);
}

void PoolCore::terminate_model(runtime::Model& m, const Where& where) {
  if (m.unwinding()) {
    model_stop_ = true;
    return;
  }
  m.step(Op::kChannelClose, &model_tasks_, where);
  {
    braid::detail::FutexGuard g(mu_);
    if (terminated_) return;
    state_ = State::kTerminate;
  }
  model_stop_ = true;
  for (const auto& ctx : model_workers_) {
    const auto done = Guard::word_equals<runtime::ThreadContext::kFinished>(ctx->state);
    if (m.step(Op::kThreadJoin, ctx.get(), where, done) == Wake::kReady) m.sync_acquire(ctx.get());
  }
  // Results the workers sent before they stopped still count.
  braid::detail::FutexGuard g(mu_);
  while (!model_results_.empty()) {
    dispatch(model_results_.front());
    model_results_.pop_front();
  }
  fail_pending("Pool was terminated before the task completed");
  terminated_ = true;
}

void PoolCore::join_model(runtime::Model& m, const Where& where) {
  for (const auto& ctx : model_workers_) {
    const auto done = Guard::word_equals<runtime::ThreadContext::kFinished>(ctx->state);
    if (m.step(Op::kThreadJoin, ctx.get(), where, done) == Wake::kReady) m.sync_acquire(ctx.get());
  }
}

}  // namespace braid::mp::detail
