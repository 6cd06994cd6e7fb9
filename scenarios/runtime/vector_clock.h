// runtime/vector_clock.h
// -----------------------------------------------------------------------------
// VectorClock: one counter per logical thread, for the happens-before relation
// of the data-race detector. Missing entries are zero, so clocks of different
// lengths compare and join naturally.
//
// The first kInline entries live inline in the object (always stored, zero
// when unused), so the common case (at most kInline threads) never touches the
// heap and joins with a fixed-length loop the compiler vectorizes. Entries
// from kInline on live in a heap vector whose storage is kept across
// executions (`clear()` only resets the length), so steady-state exploration
// never allocates.
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
  static constexpr std::uint32_t kInline = 8;

  std::uint32_t get(std::uint32_t thread) const noexcept {
    if (thread < kInline) [[likely]] return small_[thread];
    return thread < n_ ? big_[thread - kInline] : 0;
  }
  void set(std::uint32_t thread, std::uint32_t value) { slot(thread) = value; }
  void bump(std::uint32_t thread) { ++slot(thread); }
  void join(const VectorClock& other) {
    // Fixed length: vectorized, no loop control (unused entries are zero).
    for (std::uint32_t i = 0; i < kInline; ++i) small_[i] = std::max(small_[i], other.small_[i]);
    if (other.n_ > kInline) [[unlikely]] {
      join_big(other);
    } else {
      n_ = std::max(n_, other.n_);
    }
  }
  void assign(const VectorClock& other) {
    std::copy(other.small_, other.small_ + kInline, small_);
    if (other.n_ > kInline) [[unlikely]] {
      if (other.n_ - kInline > big_.size()) big_.resize(other.n_ - kInline);
      std::copy(other.big_.data(), other.big_.data() + (other.n_ - kInline), big_.data());
    }
    n_ = other.n_;
  }
  void clear() noexcept {
    std::fill(small_, small_ + kInline, 0u);
    n_ = 0;
  }

 private:
  std::uint32_t& slot(std::uint32_t thread) {
    if (thread < kInline) [[likely]] {
      n_ = std::max(n_, thread + 1);
      return small_[thread];
    }
    if (thread >= n_) grow(thread + 1);
    return big_[thread - kInline];
  }

  // Extends the clock to `n` > kInline entries, the new ones zero.
  void grow(std::uint32_t n) {
    if (n - kInline > big_.size()) big_.resize(std::max<std::size_t>(n - kInline, 8));
    const std::uint32_t from = std::max(n_, kInline) - kInline;
    std::fill(big_.data() + from, big_.data() + (n - kInline), 0u);
    n_ = n;
  }

  [[gnu::noinline]] void join_big(const VectorClock& other) {
    if (other.n_ > n_) grow(other.n_);
    std::uint32_t* c = big_.data();
    const std::uint32_t* o = other.big_.data();
    for (std::uint32_t i = 0; i < other.n_ - kInline; ++i) {
      if (o[i] > c[i]) c[i] = o[i];
    }
  }

  // small_[i] is entry i for i < kInline (zero beyond n_); big_[i - kInline]
  // is entry i for kInline <= i < n_ (storage kept across clear()).
  std::uint32_t small_[kInline] = {};
  std::uint32_t n_ = 0;
  std::vector<std::uint32_t> big_;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_VECTOR_CLOCK_H_
