// strategies/replay_scheduler.cc
// -----------------------------------------------------------------------------
// The replay strategy: feeds a recorded choice list back, decision by
// decision. Strict replay (tokens, confirmation) reports any choice that is not
// enabled, or a list that runs out or is left over, as a mismatch: the engine
// turns it into a nondeterminism failure. Lenient replay (shrinking) falls back
// to the non-preemptive choice instead, and treats kFollow the same way.
// -----------------------------------------------------------------------------
#include <string>
#include <vector>

#include "strategies/scheduler.h"

namespace braid::engine {
namespace {

class ReplayScheduler final : public Scheduler {
 public:
  ReplayScheduler(std::vector<std::uint32_t> choices, bool strict)
      : choices_(std::move(choices)), strict_(strict) {}

  void begin_execution(std::uint64_t) override {
    pos_ = 0;
    mismatch_.clear();
  }

  std::uint32_t choose(std::span<const std::uint32_t> alternatives, std::uint32_t current) override {
    if (pos_ >= choices_.size()) {
      ++pos_;
      if (!strict_) return non_preemptive(alternatives, current);
      mismatch_ = "the schedule ran out after " + std::to_string(choices_.size()) +
                  " decisions but the execution went on";
      return kInvalidChoice;
    }
    const std::uint32_t want = choices_[pos_++];
    for (std::uint32_t i = 0; i < alternatives.size(); ++i) {
      if (alternatives[i] == want) return i;
    }
    if (!strict_) return non_preemptive(alternatives, current);
    mismatch_ = "decision " + std::to_string(pos_ - 1) + " of the schedule chooses thread " +
                std::to_string(choice_thread(want)) + " (kind " +
                std::to_string(static_cast<unsigned>(choice_kind(want))) +
                "), which cannot run there; enabled:";
    for (std::uint32_t a : alternatives) {
      mismatch_ += " " + std::to_string(choice_thread(a)) + "/" +
                   std::to_string(static_cast<unsigned>(choice_kind(a)));
    }
    return kInvalidChoice;
  }

  std::uint64_t choose_value(std::uint64_t n) override {
    if (pos_ >= choices_.size()) {
      ++pos_;
      if (!strict_) return 0;
      mismatch_ = "the schedule ran out at a data choice";
      return n;
    }
    const std::uint32_t want = choices_[pos_++];
    if (want < n) return want;
    if (!strict_) return 0;
    mismatch_ = "decision " + std::to_string(pos_ - 1) + " of the schedule is the value " +
                std::to_string(want) + ", out of range [0, " + std::to_string(n) + ")";
    return n;
  }

  std::string mismatch() const override { return mismatch_; }
  bool script_left() const override { return strict_ && pos_ < choices_.size(); }

 private:
  std::vector<std::uint32_t> choices_;
  bool strict_;
  std::size_t pos_ = 0;
  std::string mismatch_;
};

}  // namespace

std::unique_ptr<Scheduler> make_replay_scheduler(std::vector<std::uint32_t> choices, bool strict) {
  return std::make_unique<ReplayScheduler>(std::move(choices), strict);
}

}  // namespace braid::engine
