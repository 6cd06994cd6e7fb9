// strategies/bytes_scheduler.cc
// -----------------------------------------------------------------------------
// The bytes strategy: schedule fuzzing. The scheduler's decisions come from a
// fuzzer's input, so that libFuzzer's mutations (flip, insert, erase, splice
// bytes) become mutations of interleavings.
//
// The input is read as moves of two bytes, (gap, pick):
//
//   gap   the next `gap` decisions (0..255) take the non-preemptive choice:
//         the thread that reached the decision keeps running if it can;
//   pick  the decision after them takes alternative `pick % size` (a data
//         choice, the value `pick % n`).
//
// When the moves run out (or one byte is left over), every further decision is
// non-preemptive (a data choice: 0). The empty input is thus the schedule
// without preemptions, a short input names a few preemptions anywhere in a
// long execution, and the length of an input grows with the number of
// context switches it forces rather than with the execution's length: the
// bias towards few preemptions that PCT and preemption bounding rely on, which
// libFuzzer's preference for short inputs keeps.
//
// Every byte string is a valid schedule: the scheduler never returns
// kInvalidChoice. The decisions it took are recorded by the engine like any
// other strategy's, so a failing input becomes an ordinary replay token.
// -----------------------------------------------------------------------------
#include <vector>

#include "strategies/scheduler.h"

namespace braid::engine {
namespace {

class BytesScheduler final : public Scheduler {
 public:
  explicit BytesScheduler(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}

  void begin_execution(std::uint64_t) override {
    pos_ = 0;
    gap_ = 0;
    loaded_ = false;
  }

  std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t current) override {
    std::uint8_t pick = 0;
    if (!next_pick(pick)) return non_preemptive(alternatives, current);
    return static_cast<std::uint32_t>(pick % alternatives.size());
  }

  std::uint64_t choose_value(std::uint64_t n) override {
    std::uint8_t pick = 0;
    if (!next_pick(pick)) return 0;
    return pick % n;
  }

 private:
  // True (and the pick) when this decision is a move's pick; false when it
  // follows the non-preemptive default.
  bool next_pick(std::uint8_t& pick) noexcept {
    if (!loaded_) {
      if (bytes_.size() - pos_ < 2) return false;
      gap_ = bytes_[pos_];
      pick_ = bytes_[pos_ + 1];
      pos_ += 2;
      loaded_ = true;
    }
    if (gap_ > 0) {
      --gap_;
      return false;
    }
    loaded_ = false;
    pick = pick_;
    return true;
  }

  std::vector<std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool loaded_ = false;
  std::uint32_t gap_ = 0;
  std::uint8_t pick_ = 0;
};

}  // namespace

std::unique_ptr<Scheduler> make_bytes_scheduler(std::span<const std::uint8_t> bytes) {
  return std::make_unique<BytesScheduler>(bytes);
}

}  // namespace braid::engine
