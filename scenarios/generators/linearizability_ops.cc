// generators/linearizability_ops.cc — the names and descriptions of history
// operations, and the Recorder that collects them; see linearizability.h.
#include <mutex>
#include <string>
#include <vector>

#include "generators/linearizability.h"

namespace braid::gen::lin {

const char* op_kind_name(OpKind kind) noexcept {
  switch (kind) {
    case OpKind::kPut: return "put";
    case OpKind::kGet: return "get";
    case OpKind::kGetEmpty: return "get-empty";
    case OpKind::kPutFull: return "put-full";
  }
  return "?";
}

std::string describe(const Operation& op) {
  std::string what;
  switch (op.kind) {
    case OpKind::kPut: what = "put(" + std::to_string(op.value) + ")"; break;
    case OpKind::kGet: what = "get() -> " + std::to_string(op.value); break;
    case OpKind::kGetEmpty: what = "get() raised Empty"; break;
    case OpKind::kPutFull: what = "put() raised Full"; break;
  }
  return "thread " + std::to_string(op.thread) + ": " + what + " [" + std::to_string(op.invoke) + ", " +
         std::to_string(op.response) + "]";
}

Recorder::Id Recorder::invoke(std::uint64_t object, std::uint32_t thread) {
  std::lock_guard<std::mutex> lock(mu_);
  Operation op;
  op.object = object;
  op.thread = thread;
  op.invoke = ++clock_;
  ops_.push_back(op);
  done_.push_back(false);
  return ops_.size() - 1;
}

void Recorder::respond(Id id, OpKind kind, std::int64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  Operation& op = ops_.at(id);
  op.kind = kind;
  op.value = value;
  op.response = ++clock_;
  done_[id] = true;
}

std::vector<Operation> Recorder::history() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Operation> out;
  out.reserve(ops_.size());
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (done_[i]) out.push_back(ops_[i]);
  }
  return out;
}

}  // namespace braid::gen::lin
