// runtime/race_detector.h
// -----------------------------------------------------------------------------
// RaceDetector: finds data races on braid::Shared<T> variables in one
// execution, with vector clocks over the happens-before relation that braid's
// primitives create (sync_release/sync_acquire, thread start and join).
//
// Per variable it keeps the last write (thread, epoch, location) and the last
// read of each thread since that write. A read races with an unordered write;
// a write races with an unordered write or read. Two accesses by the same
// thread never race. State is indexed by the engine's object ids and reset per
// execution by a generation stamp (no allocation in steady state).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_
#define BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_

#include <cstdint>
#include "braid/source_location.h"
#include <vector>

#include "runtime/vector_clock.h"

namespace braid::engine {

// One access to a tracked variable.
struct Access {
  static constexpr std::uint32_t kNoThread = ~0u;
  std::uint32_t thread = kNoThread;
  std::uint32_t epoch = 0;
  bool write = false;
  braid::source_location where;
};

class RaceDetector {
 public:
  // Forgets every variable (start of an execution).
  void reset() noexcept {
    if (++gen_ == 0) {
      for (Var& v : vars_) v.gen = 0;
      gen_ = 1;
    }
  }

  // Forgets one variable (it was destroyed; its id will not be used again).
  void forget(std::uint32_t var) noexcept {
    if (var < vars_.size()) vars_[var].gen = 0;
  }

  // Records an access by `thread` whose clock is `clock`. Returns true and
  // fills `*earlier` when it races with an earlier access.
  bool access(std::uint32_t var, std::uint32_t thread, const VectorClock& clock, bool write,
              const braid::source_location& where, Access* earlier) {
    if (var >= vars_.size()) [[unlikely]] vars_.resize(var + 1);
    Var& v = vars_[var];
    if (v.gen != gen_) {
      v.gen = gen_;
      v.last_write = Access{};
      for (std::uint32_t i = 0; i < v.read_end; ++i) v.reads[i] = Access{};
      v.read_end = 0;
    }
    if (!ordered_before(v.last_write, thread, clock)) [[unlikely]] {
      *earlier = v.last_write;
      return true;
    }
    const Access now{thread, clock.get(thread), write, where};
    if (write) {
      for (std::uint32_t i = 0; i < v.read_end; ++i) {
        if (v.reads[i].epoch != 0 && !ordered_before(v.reads[i], thread, clock)) [[unlikely]] {
          *earlier = v.reads[i];
          return true;
        }
      }
      for (std::uint32_t i = 0; i < v.read_end; ++i) v.reads[i] = Access{};
      v.read_end = 0;
      v.last_write = now;
      return false;
    }
    if (thread >= v.reads.size()) [[unlikely]] v.reads.resize(thread + 1);
    v.reads[thread] = now;
    if (thread >= v.read_end) v.read_end = thread + 1;
    return false;
  }

 private:
  struct Var {
    std::uint32_t gen = 0;
    std::uint32_t read_end = 0;  // reads[read_end...] are all empty
    Access last_write;
    std::vector<Access> reads;  // indexed by thread; epoch 0 = no read since the last write
  };

  // Whether access `a` happened before the current point of `thread`.
  static bool ordered_before(const Access& a, std::uint32_t thread, const VectorClock& clock) noexcept {
    return a.thread == Access::kNoThread || a.thread == thread || a.epoch <= clock.get(a.thread);
  }

  std::vector<Var> vars_;
  std::uint32_t gen_ = 1;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_
