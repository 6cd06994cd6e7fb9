// runtime/process_spaces.cc
// -----------------------------------------------------------------------------
// Copy-on-write storage of tracked variables per modelled process; see
// process_spaces.h for the rules.
// -----------------------------------------------------------------------------
#include "runtime/process_spaces.h"

namespace braid::engine {

std::uint32_t ProcessSpaces::fork(std::uint32_t parent) {
  parent_.push_back(parent);
  return static_cast<std::uint32_t>(parent_.size() - 1);
}

void* ProcessSpaces::resolve(const Entry& e, std::uint32_t pid, void* own) const noexcept {
  while (pid != 0) {
    if (pid < e.copies.size() && e.copies[pid] != nullptr) return e.copies[pid];
    pid = parent_[pid];
  }
  return own;
}

void* ProcessSpaces::storage(std::uint32_t pid, void* own, const runtime::TrackedOps& ops, bool write) {
  if (pid == 0 && !write) return own;
  Entry& e = objects_[own];
  e.ops = &ops;
  if (e.copies.size() < parent_.size()) e.copies.resize(parent_.size(), nullptr);
  if (pid != 0 && e.copies[pid] == nullptr) e.copies[pid] = ops.clone(resolve(e, parent_[pid], own));
  void* mine = pid == 0 ? own : e.copies[pid];
  if (write) {
    // Processes still seeing `mine` keep the value from before this write.
    // Ancestors first (ids grow with forks), so a descendant that would see a
    // freshly made copy of its ancestor gets none of its own: it sees that one.
    for (std::uint32_t q = 1; q < parent_.size(); ++q) {
      if (q != pid && e.copies[q] == nullptr && resolve(e, q, own) == mine) e.copies[q] = ops.clone(mine);
    }
  }
  return mine;
}

void ProcessSpaces::forget(const void* own, std::vector<const void*>* dropped) noexcept {
  auto it = objects_.find(own);
  if (it == objects_.end()) return;
  for (void* copy : it->second.copies) {
    if (copy == nullptr) continue;
    dropped->push_back(copy);
    it->second.ops->destroy(copy);
  }
  objects_.erase(it);
}

void ProcessSpaces::reset() noexcept {
  for (auto& [own, e] : objects_) {
    for (void* copy : e.copies) {
      if (copy != nullptr) e.ops->destroy(copy);
    }
  }
  objects_.clear();
  parent_.assign(1, 0);
}

}  // namespace braid::engine
