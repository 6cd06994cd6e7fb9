// runtime/vector_clock.h
// -----------------------------------------------------------------------------
// VectorClock: one counter per logical thread, for the happens-before relation
// of the data-race detector. Missing entries are zero, so clocks of different
// lengths compare and join naturally. Storage is kept across executions
// (`clear()` only resets the length), so steady-state exploration never
// allocates or calls out of line.
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
  std::uint32_t get(std::uint32_t thread) const noexcept { return thread < n_ ? c_[thread] : 0; }
  void set(std::uint32_t thread, std::uint32_t value) {
    if (thread >= n_) grow(thread + 1);
    c_[thread] = value;
  }
  void bump(std::uint32_t thread) {
    if (thread >= n_) grow(thread + 1);
    ++c_[thread];
  }
  void join(const VectorClock& other) {
    if (other.n_ > n_) grow(other.n_);
    std::uint32_t* c = c_.data();
    const std::uint32_t* o = other.c_.data();
    for (std::uint32_t i = 0; i < other.n_; ++i) c[i] = std::max(c[i], o[i]);
  }
  void assign(const VectorClock& other) {
    if (other.n_ > c_.size()) c_.resize(other.n_);
    std::copy(other.c_.data(), other.c_.data() + other.n_, c_.data());
    n_ = other.n_;
  }
  void clear() noexcept { n_ = 0; }

 private:
  // Extends the clock to `n` entries, the new ones zero.
  void grow(std::uint32_t n) {
    if (n > c_.size()) c_.resize(std::max<std::size_t>(n, 8));
    std::fill(c_.data() + n_, c_.data() + n, 0u);
    n_ = n;
  }

  // c_[0, n_) are the entries; storage beyond n_ is kept across clear() so
  // that steady-state exploration never allocates.
  std::vector<std::uint32_t> c_;
  std::uint32_t n_ = 0;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_VECTOR_CLOCK_H_
