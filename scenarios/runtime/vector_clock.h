// runtime/vector_clock.h
// -----------------------------------------------------------------------------
// VectorClock: one counter per logical thread, for the happens-before relation
// of the data-race detector. Missing entries are zero, so clocks of different
// lengths compare and join naturally. Storage is kept across executions
// (`clear()` keeps capacity), so steady-state exploration never allocates.
//
// Epoch convention (FastTrack): a thread's own entry starts at 1 and is bumped
// after each release; an access by thread u at u's clock c happened before the
// current point of thread t iff c <= t.clock[u].
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_VECTOR_CLOCK_H_
#define BRAID_SCENARIOS_RUNTIME_VECTOR_CLOCK_H_

#include <algorithm>
#include <cstdint>
#include <vector>

namespace braid::engine {

class VectorClock {
 public:
  std::uint32_t get(std::uint32_t thread) const noexcept {
    return thread < c_.size() ? c_[thread] : 0;
  }
  void set(std::uint32_t thread, std::uint32_t value) {
    if (thread >= c_.size()) c_.resize(thread + 1, 0);
    c_[thread] = value;
  }
  void bump(std::uint32_t thread) { set(thread, get(thread) + 1); }
  void join(const VectorClock& other) {
    if (other.c_.size() > c_.size()) c_.resize(other.c_.size(), 0);
    for (std::size_t i = 0; i < other.c_.size(); ++i) c_[i] = std::max(c_[i], other.c_[i]);
  }
  void assign(const VectorClock& other) { c_.assign(other.c_.begin(), other.c_.end()); }
  void clear() noexcept { c_.clear(); }

 private:
  std::vector<std::uint32_t> c_;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_VECTOR_CLOCK_H_
