// tests/mutants/mutant_support.h
// What every mutant shares: mutants exist only under the model runtime (they
// are explored, never run on OS threads), so each operation asks for the
// running model first.
#ifndef BRAID_TESTS_MUTANTS_MUTANT_SUPPORT_H_
#define BRAID_TESTS_MUTANTS_MUTANT_SUPPORT_H_

#include <stdexcept>

#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid::mutants {

using Where = braid::source_location;
using runtime::Guard;
using runtime::Op;
using runtime::Wake;

// The running model; a mutant outside braid::explore is a test bug.
inline runtime::Model& model() {
  runtime::Model* m = runtime::model();
  if (m == nullptr) throw std::logic_error("braid: mutants run only under braid::explore");
  return *m;
}

// Forgets the object's clocks and ownership when it dies (as real primitives do).
inline void forget(const void* self) noexcept {
  if (runtime::Model* m = runtime::model()) m->forget(self);
}

// The calling logical thread, as an owner identity.
inline const void* me() { return &runtime::current_context(); }

}  // namespace braid::mutants

#endif  // BRAID_TESTS_MUTANTS_MUTANT_SUPPORT_H_
