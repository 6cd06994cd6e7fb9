// tests/mutants/mutant_sync.h
// Broken Condition, Event, Semaphore and Barrier built on the model seam
// (compare primitives/src/condition.cc, event.cc, semaphore.cc, barrier.cc).
// Each has exactly one bug, named in its comment.
#ifndef BRAID_TESTS_MUTANTS_MUTANT_SYNC_H_
#define BRAID_TESTS_MUTANTS_MUTANT_SYNC_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "braid/errors.h"
#include "braid/lock.h"
#include "braid/runtime.h"
#include "mutant_support.h"

namespace braid::mutants {

// A Condition that loses a notify. Bug: wait() releases the lock and only
// then, after a scheduling point, joins the waiters; a notify() in between
// finds nobody to wake and the waiter sleeps on.
class LossyCondition {
 public:
  LossyCondition() = default;
  LossyCondition(const LossyCondition&) = delete;
  LossyCondition& operator=(const LossyCondition&) = delete;
  ~LossyCondition() { forget(this); }

  bool acquire(bool blocking = true, Timeout timeout = std::nullopt, Where where = Where::current())
      BRAID_NO_THREAD_SAFETY_ANALYSIS {
    return lock_.acquire(blocking, timeout, where);
  }
  void release(Where where = Where::current()) BRAID_NO_THREAD_SAFETY_ANALYSIS { lock_.release(where); }

  bool wait(Timeout timeout = std::nullopt, Where where = Where::current()) BRAID_NO_THREAD_SAFETY_ANALYSIS {
    runtime::Model& m = model();
    bool notified = false;
    lock_.release(where);
    m.step(Op::kConditionWait, this, where);  // BUG: registers after dropping the lock
    waiters_.push_back(&notified);
    auto woken = [&notified] { return notified; };
    m.step(Op::kConditionWait, this, where, Guard(woken), timeout);
    if (notified) {
      m.sync_acquire(this);
    } else {
      waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &notified));
    }
    lock_.acquire(true, std::nullopt, where);
    return notified;
  }

  void notify(std::size_t n = 1, Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kConditionNotify, this, where);
    m.sync_release(this);
    for (; n > 0 && !waiters_.empty(); --n) {
      *waiters_.front() = true;
      waiters_.erase(waiters_.begin());
    }
  }
  void notify_all(Where where = Where::current()) { notify(std::numeric_limits<std::size_t>::max(), where); }

 private:
  Lock lock_;
  std::vector<bool*> waiters_;
};

// An Event whose clear races with its waiters. Bug: waiters wait for the flag
// itself, not for "set since I started waiting", so a clear() right after
// set() strands every waiter the scheduler had not run yet.
class RacyClearEvent {
 public:
  RacyClearEvent() = default;
  RacyClearEvent(const RacyClearEvent&) = delete;
  RacyClearEvent& operator=(const RacyClearEvent&) = delete;
  ~RacyClearEvent() { forget(this); }

  bool is_set(Where where = Where::current()) const {
    model().step(Op::kEventQuery, this, where);
    return flag_;
  }
  void set(Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kEventSet, this, where);
    m.sync_release(this);
    flag_ = true;
  }
  void clear(Where where = Where::current()) {
    model().step(Op::kEventClear, this, where);
    flag_ = false;
  }
  bool wait(Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    auto set = [this] { return flag_; };  // BUG: no generation to remember a set
    m.step(Op::kEventWait, this, where, Guard(set), timeout);
    if (!flag_) return false;
    m.sync_acquire(this);
    return true;
  }

 private:
  bool flag_ = false;
};

// A Semaphore off by one. Bug: acquire() succeeds while the counter is >= 0
// instead of > 0, so it admits one more than it holds.
class OffByOneSemaphore {
 public:
  explicit OffByOneSemaphore(std::int64_t value = 1)
      : OffByOneSemaphore(value, std::numeric_limits<std::int64_t>::max()) {}
  OffByOneSemaphore(const OffByOneSemaphore&) = delete;
  OffByOneSemaphore& operator=(const OffByOneSemaphore&) = delete;
  ~OffByOneSemaphore() { forget(this); }

  bool acquire(bool blocking = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    auto available = [this] { return value_ >= 0; };  // BUG: should be > 0
    if (blocking) {
      if (m.step(Op::kSemaphoreAcquire, this, where, Guard(available), timeout) != Wake::kReady) return false;
    } else {
      m.step(Op::kSemaphoreAcquire, this, where);
    }
    if (!available()) return false;
    --value_;
    m.sync_acquire(this);
    return true;
  }

  void release(std::int64_t n = 1, Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kSemaphoreRelease, this, where);
    if (n > bound_ - value_) throw misuse<ValueError>("Semaphore released too many times");
    m.sync_release(this);
    value_ += n;
  }

 protected:
  OffByOneSemaphore(std::int64_t value, std::int64_t bound) : value_(value), bound_(bound) {}

 private:
  std::int64_t value_;
  std::int64_t bound_;
};

// The bounded twin of OffByOneSemaphore (same bug).
class OffByOneBoundedSemaphore : public OffByOneSemaphore {
 public:
  explicit OffByOneBoundedSemaphore(std::int64_t value = 1) : OffByOneSemaphore(value, value) {}
};

// A Barrier that releases early. Bug: a round is released when parties - 1
// threads have arrived instead of all parties.
class EarlyBarrier {
 public:
  explicit EarlyBarrier(std::int64_t parties) : parties_(static_cast<std::size_t>(parties)) {}
  EarlyBarrier(const EarlyBarrier&) = delete;
  EarlyBarrier& operator=(const EarlyBarrier&) = delete;
  ~EarlyBarrier() { forget(this); }

  std::size_t wait(Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kBarrierWait, this, where);
    const std::size_t index = count_++;
    m.sync_release(this);
    if (count_ + 1 >= parties_) {  // BUG: should be count_ == parties_
      ++generation_;
      count_ = 0;
      m.sync_acquire(this);
      return index;
    }
    const std::uint64_t mine = generation_;
    auto released = [this, mine] { return generation_ != mine; };
    m.step(Op::kBarrierWait, this, where, Guard(released), timeout);
    m.sync_acquire(this);
    return index;
  }

 private:
  const std::size_t parties_;
  std::size_t count_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace braid::mutants

#endif  // BRAID_TESTS_MUTANTS_MUTANT_SYNC_H_
