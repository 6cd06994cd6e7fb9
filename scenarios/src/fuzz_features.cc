// src/fuzz_features.cc
// -----------------------------------------------------------------------------
// Interleaving features for schedule fuzzing (braid/fuzz.h), computed from a
// finished execution's step log: code between two steps runs atomically, so
// the log's order is the order in which the operations took effect.
//
//   reads-from       a read of a Shared<T>/Atomic<T> (or a query of another
//                    object) -> (location of the last write to the object, or
//                    0 for the initial value; location of the read; whether
//                    another thread wrote it)
//   conflicting pair two consecutive operations on one object by different
//                    threads, not both reads -> (location and operation of the
//                    first, location and operation of the second)
//
// Locations are hashed from (file, line) of the step's source_location. The
// features are 32-bit hashes; a fuzzer folds them into its counters.
// -----------------------------------------------------------------------------
#include <cstdint>
#include <vector>

#include "runtime/step_log.h"

namespace braid::engine {
namespace {

using runtime::Op;

std::uint32_t mix(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return static_cast<std::uint32_t>(x);
}

std::uint32_t combine(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) noexcept {
  return mix((std::uint64_t{a} << 32 | b) ^ mix(std::uint64_t{c} << 32 | d) * 0x9E3779B97F4A7C15ull);
}

std::uint32_t location(const LoggedStep& s) noexcept {
  return mix(reinterpret_cast<std::uintptr_t>(s.where.file_name()) * 0x9E3779B97F4A7C15ull + s.where.line());
}

bool is_read(Op op) noexcept {
  switch (op) {
    case Op::kSharedRead:
    case Op::kAtomicLoad:
    case Op::kEventQuery:
    case Op::kQueueQuery:
    case Op::kChannelQuery:
      return true;
    default:
      return false;
  }
}

// A read-modify-write both reads (from the last write) and writes.
bool reads_value(Op op) noexcept { return is_read(op) || op == Op::kAtomicRmw; }

struct Last {
  std::uint32_t location = 0;
  std::uint32_t thread = ~0u;  // ~0u: none yet
  Op op = Op::kUser;
};

struct ObjectState {
  Last write;   // the last non-read operation
  Last access;  // the last operation of any kind
};

}  // namespace

void interleaving_features(const StepLog& log, std::vector<std::uint32_t>& out) {
  thread_local std::vector<ObjectState> objects;
  objects.clear();
  for (const LoggedStep& s : log) {
    if (s.object == 0) continue;
    if (s.object >= objects.size()) objects.resize(s.object + 1);
    ObjectState& o = objects[s.object];
    const std::uint32_t here = location(s);
    const bool read = is_read(s.op);
    if (reads_value(s.op)) {
      const std::uint32_t cross = o.write.thread != ~0u && o.write.thread != s.thread;
      out.push_back(combine(o.write.location, here, 1, cross));
    }
    if (o.access.thread != ~0u && o.access.thread != s.thread && !(read && is_read(o.access.op))) {
      const std::uint32_t ops = (2u << 16) | (static_cast<std::uint32_t>(o.access.op) << 8) |
                                static_cast<std::uint32_t>(s.op);
      out.push_back(combine(o.access.location, here, ops, 0));
    }
    const Last now{here, s.thread, s.op};
    o.access = now;
    if (!read) o.write = now;
  }
}

}  // namespace braid::engine
