// tests/mutants/mutant_local.h
// A thread-local that is not (compare primitives/include/braid/local.h).
#ifndef BRAID_TESTS_MUTANTS_MUTANT_LOCAL_H_
#define BRAID_TESTS_MUTANTS_MUTANT_LOCAL_H_

#include <functional>
#include <memory>
#include <utility>

#include "braid/runtime.h"
#include "mutant_support.h"

namespace braid::mutants {

// A Local shared by all threads. Bug: one value for every thread (created by
// the first access, destroyed with the Local, never at a thread's end).
template <typename T>
class SharedLocal {
 public:
  explicit SharedLocal(std::function<T()> init) : init_(std::move(init)) {}
  SharedLocal(const SharedLocal&) = delete;
  SharedLocal& operator=(const SharedLocal&) = delete;
  ~SharedLocal() { forget(this); }

  T& get(Where where = Where::current()) {
    model().step(Op::kLocalAccess, this, where);
    if (!value_) value_ = std::make_unique<T>(init_());  // BUG: not per thread
    return *value_;
  }

 private:
  std::function<T()> init_;
  std::unique_ptr<T> value_;
};

}  // namespace braid::mutants

#endif  // BRAID_TESTS_MUTANTS_MUTANT_LOCAL_H_
