// runtime/object_table.h
// -----------------------------------------------------------------------------
// ObjectTable: maps the addresses of primitives seen in one execution to small
// dense ids (1, 2, 3, ... in order of first use; 0 is "no object"). Ids index
// the engine's per-object vectors (clocks, race state, names), and they are
// what traces record, so they are the same in every replay of an execution.
//
// Open addressing with linear probing; `reset()` starts a new execution in
// O(1) by bumping a generation stamp (stale slots count as empty), so the
// table is never cleared or reallocated between executions. `forget()` makes
// the next use of an address (a new object at a reused address) get a fresh id.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_OBJECT_TABLE_H_
#define BRAID_SCENARIOS_RUNTIME_OBJECT_TABLE_H_

#include <cstdint>
#include <vector>

namespace braid::engine {

class ObjectTable {
 public:
  ObjectTable() { slots_.resize(64); }

  void reset() noexcept {
    if (++gen_ == 0) {  // wrapped: really clear once every 2^32 executions
      for (Slot& s : slots_) s.gen = 0;
      gen_ = 1;
    }
    used_ = 0;
    next_id_ = 1;
  }

  // The id of `p` in this execution, assigning the next id on first use.
  // `fresh` is set when the id was just assigned.
  std::uint32_t id(const void* p, bool& fresh) {
    fresh = false;
    if (p == nullptr) return 0;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(p) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.gen != gen_) {
        if ((used_ + 1) * 2 > slots_.size()) {
          grow();
          return id(p, fresh);
        }
        s = Slot{p, gen_, next_id_++};
        ++used_;
        fresh = true;
        return s.id;
      }
      if (s.ptr == p) {
        if (s.id == 0) {
          s.id = next_id_++;
          fresh = true;
        }
        return s.id;
      }
    }
  }

  // The id of `p` if it has one in this execution, else 0 (never assigns).
  std::uint32_t find(const void* p) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(p) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.gen != gen_) return 0;
      if (s.ptr == p) return s.id;
    }
  }

  // The next use of `p` gets a new id.
  void forget(const void* p) noexcept {
    if (p == nullptr) return;
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(p) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.gen != gen_) return;
      if (s.ptr == p) {
        s.id = 0;
        return;
      }
    }
  }

  // Ids assigned in this execution: 1..count().
  std::uint32_t count() const noexcept { return next_id_ - 1; }

 private:
  struct Slot {
    const void* ptr = nullptr;
    std::uint32_t gen = 0;
    std::uint32_t id = 0;
  };

  static std::size_t hash(const void* p) noexcept {
    auto x = reinterpret_cast<std::uintptr_t>(p);
    return static_cast<std::size_t>((x >> 3) * 0x9E3779B97F4A7C15ull >> 20);
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.gen != gen_) continue;
      std::size_t i = hash(s.ptr) & mask;
      while (slots_[i].gen == gen_) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::uint32_t gen_ = 1;
  std::uint32_t next_id_ = 1;
  std::size_t used_ = 0;
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_OBJECT_TABLE_H_
