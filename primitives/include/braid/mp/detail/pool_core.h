// braid/mp/detail/pool_core.h
// -----------------------------------------------------------------------------
// PoolCore: the untyped engine of mp::Pool (braid/mp/pool.h). Typed front ends
// turn calls into task messages (pool_wire.h) and decode the results; the core
// moves the bytes, runs the workers and keeps the books.
//
// Channels. Tasks go into one shared ShmRing that every worker reads (so an
// idle worker takes the next task, as in Python); results come back through a
// second ShmRing. Both grow instead of blocking, so submitting never waits and
// a worker never waits for the parent to read.
//
// No handler threads. Python's Pool runs three threads in the parent (worker
// handler, task handler, result handler). Here whichever caller waits (get,
// wait, ready, imap's next, join) collects the results: one waiting thread at
// a time is the *leader*, which pops results and files them under their job;
// the others sleep until the leader reports progress or leaves. The leader
// also checks the workers every 10 ms (waitpid WNOHANG).
//
// A worker that dies. Each worker owns a slot in a shared table; inside the
// critical section of the pop that takes a task it records the task's id in
// its slot (ShmRing::pop's claim), and it clears the slot after the result is
// published. When a worker is found dead, the core (1) takes the task ring's
// lock and, under it, reads every slot and lists the ids still queued, then
// (2) files every result already published; a task the dead worker claimed
// that is neither queued, nor claimed by a live worker, nor answered was held
// by the dead worker: it fails with WorkerLostError naming the exit code or
// signal. The worker is replaced while the pool runs (or is closed with tasks
// left). Each task gets exactly one outcome: the first to arrive is kept.
//
// Model runtime. A pool made inside braid::explore starts its workers with
// runtime::spawn_process (simulated processes) and keeps both channels as
// in-object lists of messages, each push a kChannelSend step and each pop a
// guarded kChannelRecv step; terminate() stops the workers at their next
// channel operation and join() is a guarded kThreadJoin step per worker.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_POOL_CORE_H_
#define BRAID_MP_DETAIL_POOL_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "braid/detail/futex_mutex.h"
#include "braid/mp/detail/shm_ring.h"
#include "braid/runtime.h"
#include "braid/source_location.h"
#include "braid/thread_annotations.h"

namespace braid::mp::detail {

// The outcome of one task: `ok` with the encoded value, or the worker's
// exception as an encoded (type name, message) pair.
struct Outcome {
  bool present = false;
  bool ok = false;
  std::string bytes;
};

// Job
//
// What a caller waits for: one task (apply_async) or the chunks of a map /
// imap. All fields are guarded by the owning PoolCore's mutex.
struct Job {
  enum class Kind : std::uint8_t { kApply, kMap, kIMap, kIMapUnordered };

  explicit Job(Kind k) : kind(k) {}

  Kind kind;
  std::size_t left = 0;               // tasks without an outcome yet
  std::vector<Outcome> outcomes;      // by chunk index
  std::vector<std::size_t> arrival;   // chunk indices in the order their outcomes came
  std::optional<std::size_t> failed;  // the first chunk that failed
  bool done = false;                  // apply/map: nothing more to wait for
};

class PoolCore {
 public:
  using Where = braid::source_location;
  enum class State : std::uint8_t { kRun, kClose, kTerminate };

  // Checks `processes`: ValueError("Number of processes must be at least
  // 1") for < 1.
  explicit PoolCore(int processes);
  // Starts the workers (forked on the OS runtime, simulated processes under
  // the model, which keep `self` alive). Throws OSError if a fork fails
  // (workers already started are terminated first).
  void start(const std::shared_ptr<PoolCore>& self, const Where& where);
  // Terminates the workers if terminate() has not run.
  ~PoolCore();
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;

  int processes() const noexcept { return processes_; }

  // Queues the task messages (each begins with 8 bytes of room for the task
  // id, see pool_wire.h) as the chunks of a new job. Throws ValueError("Pool
  // not running") after close() or terminate().
  std::shared_ptr<Job> submit(Job::Kind kind, std::vector<std::string> messages, const Where& where);

  // Waits until `pred()` (called with the mutex held) is true or `timeout`
  // passes, collecting results meanwhile. Returns pred().
  bool wait_until(const std::function<bool()>& pred, const Timeout& timeout, const Where& where);

  // Collects the results that are already there without waiting (ready()).
  void poll(const Where& where);

  // Reads job fields under the mutex.
  template <typename F>
  auto with_lock(F&& f) {
    braid::detail::FutexGuard g(mu_);
    return f();
  }

  void close(const Where& where);
  void terminate(const Where& where);
  void join(const Where& where);
  State state() const;

  // The pids of the current workers (OS runtime), like Python's Pool._pool.
  std::vector<int> worker_pids() const;

 private:
  struct Worker {
    int pid = 0;
    std::uint32_t slot = 0;
  };
  // A worker's claim: the id of the task it holds (0: none), in shared memory.
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> claim{0};
  };

  // -- OS runtime (mp_pool.cc, mp_pool_workers.cc) --
  void start_os();
  int spawn_worker(std::uint32_t slot);
  [[noreturn]] void worker_main(std::uint32_t slot);
  // One round as leader: waits up to the next worker check for results, files
  // them, and checks the workers when due.
  void pump(const std::optional<Duration>& deadline, bool wait);
  void dispatch(std::string_view message) BRAID_REQUIRES(mu_);
  // Reaps dead workers, fails what they held, replaces them. `force` checks
  // even if the last check was recent.
  void check_workers(bool force);
  void drain_results();
  void fail_pending(const std::string& message) BRAID_REQUIRES(mu_);
  void wake_followers();
  void terminate_os();
  void join_os();
  // The model installed now, checking the pool was made under it (or not).
  runtime::Model* runtime_for() const;
  // Files a synthetic failure of task `seq` (a worker died, or terminate).
  void fail_task(std::uint64_t seq, const std::string& message) BRAID_REQUIRES(mu_);

  // -- Model runtime (mp_pool_model.cc) --
  void start_model(const std::shared_ptr<PoolCore>& self, const Where& where);
  void model_worker(std::uint32_t index);
  void submit_model(runtime::Model& m, std::vector<std::string> messages, const Where& where);
  bool wait_model(runtime::Model& m, const std::function<bool()>& pred, const Timeout& timeout,
                  const Where& where);
  void poll_model(runtime::Model& m, const Where& where);
  void close_model(runtime::Model& m, const Where& where);
  void terminate_model(runtime::Model& m, const Where& where);
  void join_model(runtime::Model& m, const Where& where);

  const int processes_;
  const bool modelled_;
  const std::uint32_t owner_pid_;  // the process that made the pool

  mutable braid::detail::FutexMutex mu_;
  State state_ BRAID_GUARDED_BY(mu_) = State::kRun;
  bool terminated_ BRAID_GUARDED_BY(mu_) = false;  // terminate() has finished
  std::uint64_t next_seq_ BRAID_GUARDED_BY(mu_) = 1;
  struct Pending {
    std::shared_ptr<Job> job;
    std::size_t index;
  };
  std::unordered_map<std::uint64_t, Pending> pending_ BRAID_GUARDED_BY(mu_);
  std::vector<Worker> workers_ BRAID_GUARDED_BY(mu_);
  bool leader_ BRAID_GUARDED_BY(mu_) = false;
  Duration last_check_ BRAID_GUARDED_BY(mu_){0};
  // Bumped whenever outcomes were filed or the leader left; followers sleep on it.
  std::atomic<std::uint32_t> progress_{0};
  std::atomic<std::uint32_t> sleepers_{0};

  // OS runtime: serialises worker management (reaping, forking, terminate).
  braid::detail::FutexMutex workers_mu_;
  std::unique_ptr<ShmRing> tasks_;
  std::unique_ptr<ShmRing> results_;
  Slot* slots_ = nullptr;  // shared mapping, processes_ entries

  // Model runtime.
  std::deque<std::string> model_tasks_;
  std::deque<std::string> model_results_;
  bool model_stop_ = false;
  std::vector<std::shared_ptr<runtime::ThreadContext>> model_workers_;
};

// Runs the task message `task` (pool_wire.h) and writes the result message
// into `out`; a std::exception from the function becomes an error result.
// Returns the task id.
std::uint64_t run_task(std::string_view task, std::string& out);
// Writes an error result message for task `seq` into `out`.
void error_result(std::string& out, std::uint64_t seq, std::string_view type, std::string_view message);

// Throws the error a worker reported: braid's own type when `type` names one
// (RuntimeError, ValueError, TimeoutError, OSError, ...), else RemoteError.
[[noreturn]] void rethrow_remote(std::string_view encoded_error);

}  // namespace braid::mp::detail

#endif  // BRAID_MP_DETAIL_POOL_CORE_H_
