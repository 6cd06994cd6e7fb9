// tests/mutants/mutant_locks.h
// Broken locks built on the model seam (compare primitives/src/lock.cc and
// rlock.cc): each has exactly one bug, named in its comment.
#ifndef BRAID_TESTS_MUTANTS_MUTANT_LOCKS_H_
#define BRAID_TESTS_MUTANTS_MUTANT_LOCKS_H_

#include <atomic>
#include <cstdint>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "mutant_support.h"

namespace braid::mutants {

// A Lock without exclusion. Bug: acquire() never waits for the holder (its
// step has no guard), so any number of threads hold it at once.
class NoExclusionLock {
 public:
  NoExclusionLock() = default;
  NoExclusionLock(const NoExclusionLock&) = delete;
  NoExclusionLock& operator=(const NoExclusionLock&) = delete;
  ~NoExclusionLock() { forget(this); }

  bool acquire(bool blocking = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kLockAcquire, this, where);  // BUG: should be guarded by "free"
    ++holders_;
    m.sync_acquire(this);
    return true;
  }

  void release(Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kLockRelease, this, where);
    if (holders_ == 0) throw misuse<RuntimeError>("release unlocked lock");
    --holders_;
    m.sync_release(this);
  }

 private:
  int holders_ = 0;
};

// An RLock that forgets its owner. Bug: it keeps only the recursion count, so
// while anyone holds it every thread may "re-enter" it, and any thread may
// release it.
class ForgetfulOwnerRLock {
 public:
  ForgetfulOwnerRLock() = default;
  ForgetfulOwnerRLock(const ForgetfulOwnerRLock&) = delete;
  ForgetfulOwnerRLock& operator=(const ForgetfulOwnerRLock&) = delete;
  ~ForgetfulOwnerRLock() { forget(this); }

  bool acquire(bool blocking = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    // BUG: "held by me" is "held by anyone": no owner to compare with.
    m.step(Op::kRLockAcquire, this, where);
    if (count_++ == 0) m.sync_acquire(this);
    return true;
  }

  void release(Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kRLockRelease, this, where);
    if (count_ == 0) throw misuse<RuntimeError>("cannot release un-acquired lock");
    if (--count_ == 0) m.sync_release(this);
  }

  // Read without a step, as RLock::is_owned() reads its owner: atomic, so
  // that the forgotten owner stays this mutant's only bug (a plain count
  // would also be a data race, which ThreadSanitizer inside the model reports).
  bool is_owned() const { return count_.load(std::memory_order_relaxed) != 0; }

 private:
  std::atomic<std::uint32_t> count_{0};
};

// An RLock that miscounts. Bug: a re-entrant acquire does not increment the
// recursion count, so the first release frees the lock however deep the
// owner is.
class MiscountingRLock {
 public:
  MiscountingRLock() = default;
  MiscountingRLock(const MiscountingRLock&) = delete;
  MiscountingRLock& operator=(const MiscountingRLock&) = delete;
  ~MiscountingRLock() { forget(this); }

  bool acquire(bool blocking = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    const void* self = me();
    auto free = [this, self] { return owner_ == nullptr || owner_ == self; };
    if (m.step(Op::kRLockAcquire, this, where, Guard(free), timeout) != Wake::kReady || !free()) return false;
    if (owner_ == self) return true;  // BUG: should be ++count_
    owner_ = self;
    count_ = 1;
    m.hold(this);
    m.sync_acquire(this);
    return true;
  }

  void release(Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kRLockRelease, this, where);
    if (owner_ != me()) throw misuse<RuntimeError>("cannot release un-acquired lock");
    if (--count_ != 0) return;
    owner_ = nullptr;
    m.unhold(this);
    m.sync_release(this);
  }

  bool is_owned() const { return owner_ == me(); }

 private:
  const void* owner_ = nullptr;
  std::uint32_t count_ = 0;
};

}  // namespace braid::mutants

#endif  // BRAID_TESTS_MUTANTS_MUTANT_LOCKS_H_
