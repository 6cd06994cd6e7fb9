// runtime/process_spaces.h
// -----------------------------------------------------------------------------
// ProcessSpaces: the simulated address spaces of modelled processes.
//
// A modelled process (mp::Process, a Pool worker) is a logical thread that
// runs in its own simulated process. Tracked variables (Shared<T>, Atomic<T>)
// then behave as memory after fork(2): the child sees the values its parent
// saw at the fork, and a write on either side is never seen by the other.
//
// Copy on write, per tracked variable:
//   * Process 0 (the program's own) always uses the variable's own storage.
//   * Process p > 0 gets its own heap copy on its first access, cloned from
//     what it sees: the copy of its nearest ancestor that has one, else the
//     own storage. Keeping every such view equal to the fork-time value is the
//     job of the write rule:
//   * Before any process q writes its storage, every other process that has
//     no copy yet and would see q's storage gets one (the value before the
//     write). So a fork-time view never changes under a later write.
//
// Every access by p > 0 materialises p's copy, so each process touches only
// its own storage: the copy's address is the object's identity in that
// process (race detection and partial-order reduction never relate accesses
// of two processes to one variable, which indeed never conflict).
//
// Costs nothing until the first modelled process starts in an execution.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_PROCESS_SPACES_H_
#define BRAID_SCENARIOS_RUNTIME_PROCESS_SPACES_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "braid/runtime.h"

namespace braid::engine {

class ProcessSpaces {
 public:
  ProcessSpaces() = default;
  ~ProcessSpaces() { reset(); }
  ProcessSpaces(const ProcessSpaces&) = delete;
  ProcessSpaces& operator=(const ProcessSpaces&) = delete;

  // A new process forked from `parent`; returns its id (1, 2, ...).
  std::uint32_t fork(std::uint32_t parent);

  // The number of processes, including process 0.
  std::uint32_t count() const noexcept { return static_cast<std::uint32_t>(parent_.size()); }

  // The storage process `pid` uses for the tracked variable whose own storage
  // is `own`, applying the copy-on-write rules above (`write`: the caller is
  // about to write it).
  void* storage(std::uint32_t pid, void* own, const runtime::TrackedOps& ops, bool write);

  // The variable at `own` is destroyed: frees its copies and appends their
  // addresses to `dropped` (their identities are to be forgotten too).
  void forget(const void* own, std::vector<const void*>* dropped) noexcept;

  // Back to one process and no copies.
  void reset() noexcept;

 private:
  struct Entry {
    const runtime::TrackedOps* ops = nullptr;
    std::vector<void*> copies;  // by process id; null: none (always null for 0)
  };
  // What process `pid` sees: its copy, its nearest ancestor's, or `own`.
  void* resolve(const Entry& e, std::uint32_t pid, void* own) const noexcept;

  std::vector<std::uint32_t> parent_{0};  // by process id; parent_[0] unused
  std::unordered_map<const void*, Entry> objects_;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_PROCESS_SPACES_H_
