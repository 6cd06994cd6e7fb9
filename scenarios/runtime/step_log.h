// runtime/step_log.h
// -----------------------------------------------------------------------------
// StepLog: the step log of one execution (one report::TraceStep per visible
// step), appended to on every scheduling step.
//
// A minimal vector: its storage is allocated once, grows by doubling, and is
// kept across executions (`clear()` keeps the capacity), so steady-state
// exploration never allocates for it. `push()` is a store and an increment in
// the common case, with the growth path out of line. Read it like a
// std::vector (size, operator[], begin/end).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_
#define BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "report/trace.h"

namespace braid::engine {

class StepLog {
 public:
  explicit StepLog(std::size_t capacity = 4096) : data_(new report::TraceStep[capacity]), capacity_(capacity) {}

  void clear() noexcept { size_ = 0; }
  void push(const report::TraceStep& s) {
    if (size_ == capacity_) [[unlikely]] grow();
    data_[size_++] = s;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const report::TraceStep& operator[](std::size_t i) const noexcept { return data_[i]; }
  const report::TraceStep* begin() const noexcept { return data_.get(); }
  const report::TraceStep* end() const noexcept { return data_.get() + size_; }
  std::vector<report::TraceStep> to_vector() const { return {begin(), end()}; }

 private:
  [[gnu::noinline]] void grow() {
    std::unique_ptr<report::TraceStep[]> bigger(new report::TraceStep[capacity_ * 2]);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = data_[i];
    data_ = std::move(bigger);
    capacity_ *= 2;
  }

  std::unique_ptr<report::TraceStep[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_
