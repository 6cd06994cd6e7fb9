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
//
// A LoggedStep keeps the step's braid::source_location as it came (one
// pointer with libstdc++), not its file, function and line: the report's
// TraceStep (trace_step(), to_vector()) reads them out only when a trace is
// wanted.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_
#define BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "braid/runtime.h"
#include "braid/source_location.h"
#include "report/trace.h"

namespace braid::engine {

// One step as the engine logs it; TraceStep's fields but for the location.
struct LoggedStep {
  std::uint32_t thread = 0;
  runtime::Op op = runtime::Op::kUser;
  std::uint8_t wake = 0;     // runtime::Wake as integer
  std::uint8_t guarded = 0;  // 1: the step had a non-always guard
  std::uint32_t object = 0;  // object id within the execution, 0 = none
  braid::source_location where;

  report::TraceStep trace_step() const noexcept {
    return report::TraceStep{thread, op, wake, guarded, object, where.line(), where.file_name(), where.function_name()};
  }
};

class StepLog {
 public:
  explicit StepLog(std::size_t capacity = 4096) : data_(new LoggedStep[capacity]), capacity_(capacity) {}

  void clear() noexcept { size_ = 0; }
  void push(const LoggedStep& s) {
    if (size_ == capacity_) [[unlikely]] grow();
    data_[size_++] = s;
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const LoggedStep& operator[](std::size_t i) const noexcept { return data_[i]; }
  const LoggedStep* begin() const noexcept { return data_.get(); }
  const LoggedStep* end() const noexcept { return data_.get() + size_; }
  std::vector<report::TraceStep> to_vector() const {
    std::vector<report::TraceStep> out;
    out.reserve(size_);
    for (const LoggedStep& s : *this) out.push_back(s.trace_step());
    return out;
  }

 private:
  [[gnu::noinline]] void grow() {
    std::unique_ptr<LoggedStep[]> bigger(new LoggedStep[capacity_ * 2]);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = data_[i];
    data_ = std::move(bigger);
    capacity_ *= 2;
  }

  std::unique_ptr<LoggedStep[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_STEP_LOG_H_
