// braid/barrier.h
// -----------------------------------------------------------------------------
// braid::Barrier — a reusable barrier for a fixed number of threads with
// Python's `threading.Barrier` semantics: `parties` threads call wait(); the
// last one to arrive runs the optional action, then all are released, each
// with a distinct index in [0, parties). The barrier then refills for the
// next round.
//
// The barrier breaks (BrokenBarrierError for current and future waiters) on
// abort(), on a wait() timeout, or when the action throws; reset() breaks the
// current round and returns the barrier to its initial state. States follow
// CPython: filling, draining, resetting, broken.
//
// Python equivalence: threading.Barrier(parties, action=None, timeout=None).
// -----------------------------------------------------------------------------
#ifndef BRAID_BARRIER_H_
#define BRAID_BARRIER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include "braid/source_location.h"

#include "braid/detail/futex_mutex.h"
#include "braid/runtime.h"

namespace braid {

// Barrier
//
// Memory ordering: every thread's writes before wait() happen-before every
// thread's return from the same round's wait().
class Barrier {
 public:
  // Creates a barrier for `parties` threads. `action` (if any) runs in the
  // last arriving thread, before the others are released. `timeout` is the
  // default for wait() calls given no timeout.
  // Throws ValueError "parties must be >= 1" if parties < 1.
  explicit Barrier(std::int64_t parties, std::function<void()> action = {},
                   Timeout timeout = std::nullopt);
  ~Barrier();
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Barrier::wait()
  //
  // Waits until `parties` threads have called wait() in this round and
  // returns this thread's arrival index (0 for the first to arrive). Blocks
  // first while a previous round is still draining or resetting. `timeout`
  // (nullopt: the constructor's default; zero or negative: do not block)
  // bounds the wait for the others; when it elapses the barrier breaks.
  //
  // Throws BrokenBarrierError if the barrier is or becomes broken or is reset
  // while waiting; rethrows (in the thread that ran it) an exception thrown
  // by the action, after breaking the barrier.
  //
  // Python equivalence: Barrier.wait(timeout=None).
  std::size_t wait(Timeout timeout = std::nullopt,
                   braid::source_location where = braid::source_location::current());

  // Returns the barrier to its empty, unbroken state; threads waiting in it
  // get BrokenBarrierError. Never blocks (beyond the internal lock).
  // Python equivalence: Barrier.reset().
  void reset(braid::source_location where = braid::source_location::current());

  // Breaks the barrier: current and future wait() calls throw
  // BrokenBarrierError until reset(). Python equivalence: Barrier.abort().
  void abort(braid::source_location where = braid::source_location::current());

  // The number of threads required to trip the barrier.
  // Python equivalence: Barrier.parties.
  std::size_t parties() const noexcept { return parties_; }

  // The number of threads waiting in the current round (0 while draining or
  // resetting). A snapshot. Python equivalence: Barrier.n_waiting.
  std::size_t n_waiting(braid::source_location where = braid::source_location::current()) const;

  // Whether the barrier is broken. Python equivalence: Barrier.broken.
  bool broken(braid::source_location where = braid::source_location::current()) const;

 private:
  static constexpr int kFilling = 0, kDraining = 1, kResetting = -1, kBroken = -2;

  std::size_t wait_modelled(runtime::Model& m, const Timeout& timeout,
                            const braid::source_location& where);
  // OS helpers; all called with mu_ held.
  bool cond_wait(const std::optional<Duration>& deadline);
  void notify_all() noexcept;
  void release_round();
  void await_release(const Timeout& timeout);
  void exit_round();
  void break_barrier();

  const std::size_t parties_;
  const std::function<void()> action_;
  const Timeout timeout_;
  detail::FutexMutex mu_;
  std::atomic<std::uint32_t> seq_{0};  // bumped by notify_all; waiters futex_wait on it
  std::atomic<int> state_{kFilling};
  std::atomic<std::size_t> count_{0};
  bool in_action_ = false;  // model only: the action runs, others must wait
};

}  // namespace braid

#endif  // BRAID_BARRIER_H_
