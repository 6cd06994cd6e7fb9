// strategies/dfs_races.cc
// -----------------------------------------------------------------------------
// The race analysis of the DFS/DPOR scheduler (dfs_scheduler.h), run after
// each execution: the execution's events with vector clocks, the races of
// each event (dependent, not ordered through other events, reversible), and
// the backtrack points they add (the initials of the reversed sequence).
//
// Per object: an event is compared, latest first, only with the earlier
// accesses of its object and of its thread's context (linked lists through
// the events), main's final joins, and for a join the joined thread's events;
// a list's walk stops at the first write ordered before the event. The
// buffers are members kept across executions: no allocation once warm.
// -----------------------------------------------------------------------------
#include <algorithm>

#include "strategies/dfs_scheduler.h"

namespace braid::engine {
namespace {

constexpr std::uint64_t bit(std::uint32_t t) noexcept { return std::uint64_t{1} << t; }
constexpr std::uint32_t lowest(std::uint64_t m) noexcept { return static_cast<std::uint32_t>(__builtin_ctzll(m)); }

}  // namespace

void DfsScheduler::analyse(std::size_t steps) {
  // The events of the execution: one per step, a thread's end folded into
  // the step that ended it.
  events_.clear();
  event_step_.clear();
  const std::size_t valid = valid_events_;
  valid_events_ = 0;  // until this analysis completes
  std::uint32_t threads = 0, max_object = 0;
  std::uint32_t ctx[64] = {};
  std::uint32_t seq[64] = {};
  bool started[64] = {};
  last_of_.assign(64, -1);
  std::size_t ni = 0;
  for (std::size_t s = 0; s < steps; ++s) {
    const StepKey k = s < keys_.size() ? keys_[s] : view_->step_at(s);
    if (k.thread >= 64) return;  // every decision was explored in full (alt nodes)
    max_object = std::max(max_object, k.object);
    if (k.op == runtime::Op::kThreadEnd) {
      if (last_of_[k.thread] >= 0) events_[static_cast<std::size_t>(last_of_[k.thread])].end_ctx = k.object;
      continue;
    }
    const bool self = k.op == runtime::Op::kThreadStart && !started[k.thread];
    if (self) started[k.thread] = true, ctx[k.thread] = k.object;
    while (ni < nodes_.size() && (nodes_[ni].kind == Kind::kValue || nodes_[ni].pos < s)) ++ni;
    std::int32_t node = -1;
    std::uint64_t enabled = bit(k.thread);
    if (ni < nodes_.size() && nodes_[ni].pos == s) {
      enabled = nodes_[ni].enabled;
      if (nodes_[ni].kind == Kind::kThread && !nodes_[ni].all) node = static_cast<std::int32_t>(ni);
    }
    events_.push_back(Event{k.thread, ++seq[k.thread], dpor::access_of(k.op, k.object, self), 0, node, enabled,
                            k.guarded, last_of_[k.thread]});
    event_step_.push_back(static_cast<std::uint32_t>(s));
    last_of_[k.thread] = static_cast<std::int32_t>(events_.size() - 1);
    threads = std::max(threads, k.thread + 1);
  }

  // Each event is compared, latest first, with the earlier events it may
  // depend on (see dpor::dependent): the accesses of its object and of its
  // thread's context (joins of it, its own end), main's final joins, and for
  // a join every event of the joined thread; main's final join with all.
  const std::size_t n = events_.size();
  const std::uint32_t T = threads;
  // The events before k0 are the last analysis's: built from the same steps,
  // with the same clocks, their races already turned into backtrack points.
  // An event whose step is the last shared one may have its thread's end in
  // a step that is not shared: it is analysed again.
  std::size_t k0 = 0;
  if (T == valid_threads_) {
    while (k0 < n && k0 < valid && std::size_t{event_step_[k0]} + 1 < same_steps_) ++k0;
  }
  clocks_.resize(n * T);
  std::fill(clocks_.begin() + static_cast<std::ptrdiff_t>(k0 * T), clocks_.end(), 0u);
  obj_link_.assign(2 * n, -1);
  obj_last_.assign(std::size_t{max_object} + 1, -1);
  final_joins_.clear();
  std::fill(last_of_.begin(), last_of_.end(), -1);
  std::uint32_t race_clock[64];
  std::vector<std::uint32_t>& races = race_scratch_;
  // A candidate list is walked latest first. Each list is a chain in
  // happens-before wherever it holds a write: an object's earlier accesses
  // happen before a later write of it (dependent, or the same thread), a
  // thread's events are in program order, main's final joins too. So once a
  // write of the chain (any entry of a thread or final-join list) is ordered
  // before e (race_clock), every earlier entry is as well, and adds nothing
  // to e's clock: the walk of that list stops there.
  enum : std::uint8_t { kObject, kThread, kFinal };
  struct Cursor {
    std::int32_t at;     // slot (kObject), event (kThread) or index into final_joins_ (kFinal); -1: done
    std::int32_t event;  // the event at `at`, or -1
    std::uint8_t kind;
  };
  auto load = [&](Cursor& c) {
    c.event = c.at < 0 ? -1
              : c.kind == kObject ? c.at >> 1
              : c.kind == kThread ? c.at
                                  : final_joins_[static_cast<std::size_t>(c.at)];
  };
  auto advance = [&](Cursor& c) {
    c.at = c.kind == kObject ? obj_link_[static_cast<std::size_t>(c.at)]
           : c.kind == kThread ? events_[static_cast<std::size_t>(c.at)].prev_thread
                               : c.at - 1;
    load(c);
  };
  for (std::size_t k = 0; k < n; ++k) {
    const Event& e = events_[k];
    const std::uint32_t p = e.thread;
    if (k < k0) {  // known: only its place in the lists
      last_of_[p] = static_cast<std::int32_t>(k);
      link_event(k);
      continue;
    }
    std::uint32_t* full = &clocks_[k * T];
    if (last_of_[p] >= 0) std::copy_n(&clocks_[static_cast<std::size_t>(last_of_[p]) * T], T, full);
    std::copy_n(full, T, race_clock);
    races.clear();
    hold_depth_ = 0;
    if (dpor::final_join(e.acc)) {
      for (std::size_t j = k; j-- > 0;) race_candidate(k, j, ctx, T, race_clock);
    } else {
      Cursor cur[5];
      std::uint32_t nc = 0;
      auto add = [&](std::int32_t at, std::uint8_t kind) {
        if (at < 0) return;
        cur[nc] = Cursor{at, -1, kind};
        load(cur[nc++]);
      };
      if (e.acc.object != 0) add(obj_last_[e.acc.object], kObject);
      if (ctx[p] != 0 && ctx[p] != e.acc.object) add(obj_last_[ctx[p]], kObject);
      if (e.end_ctx != 0 && e.end_ctx != e.acc.object && e.end_ctx != ctx[p]) add(obj_last_[e.end_ctx], kObject);
      if (!final_joins_.empty()) add(static_cast<std::int32_t>(final_joins_.size()) - 1, kFinal);
      if (e.acc.op == runtime::Op::kThreadJoin) {
        for (std::uint32_t q = 0; q < T; ++q) {
          if (q != p && ctx[q] != 0 && ctx[q] == e.acc.object) {
            add(last_of_[q], kThread);
            break;
          }
        }
      }
      std::int32_t previous = -1;
      for (;;) {  // merge the lists, latest event first, each event once
        std::int32_t j = -1;
        std::uint32_t best = 0;
        for (std::uint32_t i = 0; i < nc; ++i) {
          if (cur[i].event > j) j = cur[i].event, best = i;
        }
        if (j < 0) break;
        Cursor& c = cur[best];
        const Event& f = events_[static_cast<std::size_t>(j)];
        if (j != previous) {
          previous = j;
          race_candidate(k, static_cast<std::size_t>(j), ctx, T, race_clock);
        }
        const bool write = c.kind != kObject || (c.at & 1) != 0 || f.acc.write;
        if (write && f.seq <= race_clock[f.thread]) {
          c.at = -1, c.event = -1;  // the rest of this list happens before f
        } else {
          advance(c);
        }
      }
    }
    full[p] = e.seq;
    last_of_[p] = static_cast<std::int32_t>(k);
    for (std::uint32_t j : races) add_backtrack(j, k, T);
    link_event(k);
  }
  valid_events_ = n;
  valid_threads_ = T;
}

void DfsScheduler::link_event(std::size_t k) {
  // Link event k into its objects' lists.
  const Event& e = events_[k];
  if (e.acc.object != 0) {
    obj_link_[2 * k] = obj_last_[e.acc.object];
    obj_last_[e.acc.object] = static_cast<std::int32_t>(2 * k);
  }
  if (e.end_ctx != 0) {
    obj_link_[2 * k + 1] = obj_last_[e.end_ctx];
    obj_last_[e.end_ctx] = static_cast<std::int32_t>(2 * k + 1);
  }
  if (dpor::final_join(e.acc)) final_joins_.push_back(static_cast<std::int32_t>(k));
}

[[gnu::always_inline]] inline void DfsScheduler::race_candidate(std::size_t k, std::size_t j, const std::uint32_t* ctx,
                                                                std::uint32_t T, std::uint32_t* race_clock) {
  const Event& e = events_[k];
  const Event& f = events_[j];
  const std::uint32_t p = e.thread, q = f.thread;
  if (q == p) return;
  bool dep = dpor::dependent(e.acc, ctx[p], f.acc, ctx[q]);
  if (!dep && e.end_ctx != 0) dep = dpor::dependent(dpor::end_access(e.end_ctx), ctx[p], f.acc, ctx[q]);
  if (!dep && f.end_ctx != 0) dep = dpor::dependent(e.acc, ctx[p], dpor::end_access(f.end_ctx), ctx[q]);
  if (!dep) return;
  std::uint32_t* full = &clocks_[k * T];
  const std::uint32_t* fc = &clocks_[j * T];
  if (f.seq > full[q]) {  // else f's clock is already below full
    for (std::uint32_t r = 0; r < T; ++r) full[r] = std::max(full[r], fc[r]);
  }
  if (f.seq <= race_clock[q]) return;  // already ordered through other steps
  // Reversible? If e itself was pending before f, exactly when p was enabled
  // there. Otherwise p's first step after f must have been enabled, and f
  // must not be what unblocked e: a guarded step that proceeded because its
  // guard held, whose guard f made true (a release before a blocking acquire,
  // a thread's end before its join; see dpor::enables). An unguarded step (a
  // try-lock) could have run before f, and is a race.
  if (hold_depth_ > 0 && q == hold_thread_ && f.acc.object == hold_object_) {
    // Inside the holding that ended with the release that unblocked e: a
    // re-acquisition (RLock) or an inner release is not a race of e either.
    if (f.acc.op == runtime::Op::kLockRelease || f.acc.op == runtime::Op::kRLockRelease) {
      ++hold_depth_;
      return;
    }
    if (--hold_depth_ > 0) return;
  }
  if ((f.enabled & bit(p)) == 0) return;
  if (e.guarded && last_of_[p] > static_cast<std::int32_t>(j) &&
      (dpor::enables(f.acc.op, e.acc.op) || (f.end_ctx != 0 && dpor::enables(runtime::Op::kThreadEnd, e.acc.op)))) {
    if (f.acc.op == runtime::Op::kLockRelease || f.acc.op == runtime::Op::kRLockRelease) {
      hold_thread_ = q, hold_object_ = f.acc.object, hold_depth_ = 1;
    }
    return;
  }
  for (std::uint32_t r = 0; r < T; ++r) race_clock[r] = std::max(race_clock[r], fc[r]);
  race_scratch_.push_back(static_cast<std::uint32_t>(j));
}

void DfsScheduler::add_backtrack(std::size_t j, std::size_t k, std::uint32_t T) {
  const Event& f = events_[j];
  if (f.node < 0) return;
  Node& node = nodes_[static_cast<std::size_t>(f.node)];
  const std::uint32_t p = events_[k].thread;
  // The initials of v = notdep(f).e: the threads whose first step in v has no
  // happens-before predecessor in v.
  std::uint32_t first[64];
  std::uint64_t in_v = 0, initials = 0;
  auto check = [&](const std::uint32_t* c, std::uint32_t r) {
    for (std::uint64_t m = in_v & ~bit(r); m != 0; m &= m - 1) {
      if (c[lowest(m)] >= first[lowest(m)]) return false;
    }
    return true;
  };
  for (std::size_t m = j + 1; m < k; ++m) {
    const std::uint32_t* c = &clocks_[m * T];
    if (c[f.thread] >= f.seq) continue;  // happens after f: not in v
    const std::uint32_t r = events_[m].thread;
    if ((in_v & bit(r)) != 0) continue;
    if (check(c, r)) initials |= bit(r);
    first[r] = events_[m].seq;
    in_v |= bit(r);
  }
  if ((in_v & bit(p)) == 0 && check(&clocks_[k * T], p)) initials |= bit(p);
  if ((initials & (node.backtrack | node.sleep)) != 0) return;
  std::uint64_t cand = initials & node.enabled & ~node.sleep;
  if (cand == 0) return;
  node.backtrack |= (cand & bit(p)) != 0 ? bit(p) : bit(lowest(cand));
}

}  // namespace braid::engine
