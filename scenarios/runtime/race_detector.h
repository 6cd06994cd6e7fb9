// runtime/race_detector.h
// -----------------------------------------------------------------------------
// RaceDetector: finds data races on braid::Shared<T> variables in one
// execution, with vector clocks over the happens-before relation that braid's
// primitives create (sync_release/sync_acquire, thread start and join).
//
// Per variable it keeps the last write (thread, epoch, location) and the last
// read of each thread since that write (a bitmask says which threads below 64
// have one, so a write checks and forgets only those). A read races with an
// unordered write; a write races with an unordered write or read. Two
// accesses by the same thread never race. State is indexed by the engine's
// object ids and reset per execution by a generation stamp (no allocation in
// steady state).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_
#define BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "braid/source_location.h"

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
  // Always inlined into the engine's step: the call cost ~20 of its ~75 instructions.
  [[gnu::always_inline]] bool access(std::uint32_t var, std::uint32_t thread, const VectorClock& clock, bool write,
              const braid::source_location& where, Access* earlier) {
    if (var >= vars_.size()) [[unlikely]] vars_.resize(var + 1);
    Var& v = vars_[var];
    if (v.gen != gen_) {
      v.gen = gen_;
      v.last_write = Access{};
      v.read_mask = 0;
      clear_high_reads(v);
    }
    if (!ordered_before(v.last_write, thread, clock)) [[unlikely]] {
      *earlier = v.last_write;
      return true;
    }
    const Access now{thread, clock.get(thread), write, where};
    if (write) {
      for (std::uint64_t m = v.read_mask; m != 0; m &= m - 1) {
        const Access& r = v.reads[static_cast<unsigned>(__builtin_ctzll(m))];
        if (!ordered_before(r, thread, clock)) [[unlikely]] {
          *earlier = r;
          return true;
        }
      }
      for (std::uint32_t i = kMaskThreads; i < v.read_end; ++i) {
        if (v.reads[i].epoch != 0 && !ordered_before(v.reads[i], thread, clock)) [[unlikely]] {
          *earlier = v.reads[i];
          return true;
        }
      }
      v.read_mask = 0;
      clear_high_reads(v);
      v.last_write = now;
      return false;
    }
    if (thread >= v.reads.size()) [[unlikely]] v.reads.resize(std::max<std::size_t>(thread + 1, 8));
    v.reads[thread] = now;
    if (thread < kMaskThreads) {
      v.read_mask |= std::uint64_t{1} << thread;
    } else if (thread >= v.read_end) {
      v.read_end = thread + 1;
    }
    return false;
  }

 private:
  static constexpr std::uint32_t kMaskThreads = 64;

  struct Var {
    std::uint32_t gen = 0;
    std::uint32_t read_end = 0;   // reads[64, read_end) may hold reads since the last write
    std::uint64_t read_mask = 0;  // bit t: reads[t] (t < 64) is a read since the last write
    Access last_write;
    std::vector<Access> reads;  // indexed by thread; from 64 on, epoch 0 = no read since the last write
  };

  static void clear_high_reads(Var& v) noexcept {
    for (std::uint32_t i = kMaskThreads; i < v.read_end; ++i) v.reads[i] = Access{};
    v.read_end = 0;
  }

  // Whether access `a` happened before the current point of `thread`.
  static bool ordered_before(const Access& a, std::uint32_t thread, const VectorClock& clock) noexcept {
    return a.thread == Access::kNoThread || a.thread == thread || a.epoch <= clock.get(a.thread);
  }

  std::vector<Var> vars_;
  std::uint32_t gen_ = 1;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_RACE_DETECTOR_H_
