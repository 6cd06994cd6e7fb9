// mp_pool.cc
// -----------------------------------------------------------------------------
// braid::mp::Pool and the runtime-independent parts of PoolCore (see
// braid/mp/detail/pool_core.h): submitting, filing outcomes, the
// leader/follower wait, close/terminate/join dispatch. The OS workers live in
// mp_pool_workers.cc, the modelled ones in mp_pool_model.cc.
// -----------------------------------------------------------------------------
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/mp/detail/pool_wire.h"
#include "braid/mp/process.h"
#include "braid/mp/pool.h"

namespace braid::mp {

namespace {
int cpu_count() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : static_cast<int>(std::min<long>(n, INT_MAX));
}
}  // namespace

Pool::Pool(std::optional<int> processes, Where where)
    : core_(std::make_shared<detail::PoolCore>(processes.value_or(cpu_count()))) {
  core_->start(core_, where);
}

Pool::~Pool() noexcept(false) {
  if (std::uncaught_exceptions() > 0) {
    // Unwinding: terminate without modelled steps that could throw again.
    if (runtime::Model* m = runtime::model(); m != nullptr) return;
  }
  core_->terminate(Where::current());
}

namespace detail {

// How often the leader checks that the workers are alive.
constexpr Duration kCheckInterval = std::chrono::milliseconds(10);

PoolCore::PoolCore(int processes)
    : processes_(processes), modelled_(runtime::model() != nullptr), owner_pid_(self_pid()) {
  if (processes < 1) throw ValueError("Number of processes must be at least 1");
}

void PoolCore::start(const std::shared_ptr<PoolCore>& self, const Where& where) {
  if (modelled_) {
    runtime_for();
    start_model(self, where);
  } else {
    runtime_for();
    start_os();
  }
}

runtime::Model* PoolCore::runtime_for() const {
  if (BRAID_LIKELY(!modelled_)) {
    if (BRAID_UNLIKELY(self_pid() != owner_pid_)) {
      throw misuse<RuntimeError>("pool objects cannot be used by a forked child of the process that made them");
    }
    if (BRAID_UNLIKELY(runtime::hooked())) {
      if (runtime::model() != nullptr) {
        throw misuse<RuntimeError>("an mp.Pool made outside braid::explore cannot be used inside it");
      }
      runtime::chaos_point();
    }
    return nullptr;
  }
  runtime::Model* m = runtime::model();
  if (m == nullptr) throw misuse<RuntimeError>("an mp.Pool made inside braid::explore cannot be used outside it");
  model_signal_point();  // a terminated simulated process stops here
  return m;
}

PoolCore::State PoolCore::state() const {
  braid::detail::FutexGuard g(mu_);
  return state_;
}

std::vector<int> PoolCore::worker_pids() const {
  braid::detail::FutexGuard g(mu_);
  std::vector<int> pids;
  for (const Worker& w : workers_) pids.push_back(w.pid);
  return pids;
}

std::shared_ptr<Job> PoolCore::submit(Job::Kind kind, std::vector<std::string> messages, const Where& where) {
  runtime::Model* m = runtime_for();
  if (m != nullptr) m->step(runtime::Op::kChannelSend, &model_tasks_, where);
  auto job = std::make_shared<Job>(kind);
  job->outcomes.resize(messages.size());
  job->left = messages.size();
  job->done = messages.empty();
  {
    braid::detail::FutexGuard g(mu_);
    if (state_ != State::kRun) throw ValueError("Pool not running");
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const std::uint64_t seq = next_seq_++;
      std::memcpy(messages[i].data(), &seq, sizeof seq);
      pending_.emplace(seq, Pending{job, i});
    }
  }
  if (m != nullptr) {
    for (std::string& msg : messages) model_tasks_.push_back(std::move(msg));
    m->sync_release(&model_tasks_);
  } else {
    for (const std::string& msg : messages) tasks_->push(msg, true, std::nullopt);
  }
  return job;
}

void PoolCore::dispatch(std::string_view message) {
  if (message.size() < kResultHeader) return;
  std::uint64_t seq;
  std::memcpy(&seq, message.data(), sizeof seq);
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;  // already has an outcome
  Pending p = std::move(it->second);
  pending_.erase(it);
  Job& job = *p.job;
  Outcome& o = job.outcomes[p.index];
  o.present = true;
  o.ok = message[8] == 0;
  o.bytes.assign(message.substr(kResultHeader));
  job.arrival.push_back(p.index);
  --job.left;
  if (!o.ok && !job.failed) job.failed = p.index;
  const bool fail_fast = job.kind == Job::Kind::kApply || job.kind == Job::Kind::kMap;
  if (job.left == 0 || (job.failed && fail_fast)) job.done = true;
  progress_.fetch_add(1, std::memory_order_seq_cst);
}

void PoolCore::fail_task(std::uint64_t seq, const std::string& message) {
  std::string out;
  error_result(out, seq, "WorkerLostError", message);
  dispatch(out);
}

void PoolCore::fail_pending(const std::string& message) {
  std::vector<std::uint64_t> seqs;
  seqs.reserve(pending_.size());
  for (const auto& [seq, p] : pending_) seqs.push_back(seq);
  std::sort(seqs.begin(), seqs.end());
  for (std::uint64_t seq : seqs) fail_task(seq, message);
}

void PoolCore::wake_followers() {
  if (sleepers_.load(std::memory_order_seq_cst) > 0) runtime::futex_wake_all(progress_);
}

bool PoolCore::wait_until(const std::function<bool()>& pred, const Timeout& timeout, const Where& where) {
  if (runtime::Model* m = runtime_for()) return wait_model(*m, pred, timeout, where);
  std::optional<Duration> deadline;
  if (timeout) deadline = runtime::now() + std::max(*timeout, Duration::zero());
  for (;;) {
    bool lead = false;
    std::uint32_t seen = 0;
    {
      braid::detail::FutexGuard g(mu_);
      if (pred()) return true;
      if (terminated_ || (deadline && runtime::now() >= *deadline)) return false;
      if (!leader_) {
        leader_ = true;
        lead = true;
      } else {
        seen = progress_.load(std::memory_order_seq_cst);
      }
    }
    if (lead) {
      pump(deadline, true);
      {
        braid::detail::FutexGuard g(mu_);
        leader_ = false;
        progress_.fetch_add(1, std::memory_order_seq_cst);
      }
      wake_followers();
    } else {
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      runtime::futex_wait(progress_, seen, deadline);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
}

void PoolCore::poll(const Where& where) {
  if (runtime::Model* m = runtime_for()) return poll_model(*m, where);
  {
    braid::detail::FutexGuard g(mu_);
    if (leader_ || terminated_) return;
    leader_ = true;
  }
  pump(std::nullopt, false);
  {
    braid::detail::FutexGuard g(mu_);
    leader_ = false;
    progress_.fetch_add(1, std::memory_order_seq_cst);
  }
  wake_followers();
}

void PoolCore::pump(const std::optional<Duration>& deadline, bool wait) {
  std::optional<Duration> until;
  if (wait) {
    until = runtime::now() + kCheckInterval;
    if (deadline && *deadline < *until) until = deadline;
  }
  thread_local std::string msg;
  bool got = results_->pop(msg, wait, until);
  if (got) {
    int batch = 0;
    do {
      braid::detail::FutexGuard g(mu_);
      dispatch(msg);
    } while (++batch < 256 && results_->pop(msg, false, std::nullopt));
    wake_followers();
  }
  bool due;
  {
    braid::detail::FutexGuard g(mu_);
    due = (wait && !got) || runtime::now() - last_check_ >= kCheckInterval;
  }
  if (due) check_workers(false);
}

void PoolCore::drain_results() {
  std::string msg;
  bool any = false;
  while (results_->pop(msg, false, std::nullopt)) {
    braid::detail::FutexGuard g(mu_);
    dispatch(msg);
    any = true;
  }
  if (any) wake_followers();
}

void PoolCore::close(const Where& where) {
  if (runtime::Model* m = runtime_for()) return close_model(*m, where);
  int stops = 0;
  {
    braid::detail::FutexGuard g(mu_);
    if (state_ != State::kRun) return;
    state_ = State::kClose;
    stops = static_cast<int>(workers_.size());
  }
  // One stop message per worker, behind every queued task.
  const std::string stop(sizeof(std::uint64_t), '\0');
  for (int i = 0; i < stops; ++i) tasks_->push(stop, true, std::nullopt);
}

void PoolCore::terminate(const Where& where) {
  if (runtime::Model* m = runtime_for()) return terminate_model(*m, where);
  terminate_os();
}

void PoolCore::join(const Where& where) {
  runtime::Model* m = runtime_for();
  {
    braid::detail::FutexGuard g(mu_);
    if (state_ == State::kRun) throw ValueError("Pool is still running");
  }
  if (m != nullptr) return join_model(*m, where);
  join_os();
}

}  // namespace detail
}  // namespace braid::mp
