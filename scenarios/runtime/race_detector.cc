// runtime/race_detector.cc — see race_detector.h.
#include "runtime/race_detector.h"

namespace braid::engine {
namespace {
bool ordered_before(const Access& a, std::uint32_t thread, const VectorClock& clock) {
  return a.thread == Access::kNoThread || a.thread == thread || a.epoch <= clock.get(a.thread);
}
}  // namespace

bool RaceDetector::access(std::uint32_t var, std::uint32_t thread, const VectorClock& clock,
                          bool write, const braid::source_location& where, Access* earlier) {
  if (var >= vars_.size()) vars_.resize(var + 1);
  Var& v = vars_[var];
  if (v.gen != gen_) {
    v.gen = gen_;
    v.last_write = Access{};
    for (Access& r : v.reads) r = Access{};
  }
  if (!ordered_before(v.last_write, thread, clock)) {
    *earlier = v.last_write;
    return true;
  }
  const Access now{thread, clock.get(thread), write, where};
  if (write) {
    for (Access& r : v.reads) {
      if (r.epoch != 0 && !ordered_before(r, thread, clock)) {
        *earlier = r;
        return true;
      }
    }
    for (Access& r : v.reads) r = Access{};
    v.last_write = now;
    return false;
  }
  if (thread >= v.reads.size()) v.reads.resize(thread + 1);
  v.reads[thread] = now;
  return false;
}

}  // namespace braid::engine
