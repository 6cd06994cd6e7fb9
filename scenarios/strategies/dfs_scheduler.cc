// strategies/dfs_scheduler.cc
// -----------------------------------------------------------------------------
// The DFS/DPOR scheduler. See dfs_scheduler.h for the algorithm and
// dpor_dependence.h for the dependence relation.
//
// The decision tree is kept as a stack of nodes, one per decision of the last
// execution. An execution replays the stack's choices up to its last node
// (whose choice the previous backtrack() changed) and then extends it with
// fresh nodes, choosing the running thread when it can (fewest preemptions).
// At its end, analyse() (dfs_races.cc) finds the races of the execution and
// grows the backtrack sets; backtrack() then picks the deepest node with an
// unexplored alternative.
// -----------------------------------------------------------------------------
#include "strategies/dfs_scheduler.h"

#include <algorithm>

namespace braid::engine {
namespace {

constexpr std::uint64_t bit(std::uint32_t t) noexcept { return std::uint64_t{1} << t; }
constexpr std::uint32_t lowest(std::uint64_t m) noexcept { return static_cast<std::uint32_t>(__builtin_ctzll(m)); }

}  // namespace

DfsScheduler::DfsScheduler(DfsConfig config) : config_(config) {
  if (config_.shard_count > 1) {
    std::uint32_t b = 0;
    while ((1u << b) < config_.shard_count) ++b;
    split_depth_ = 4 + 2 * b;
  }
  nodes_.reserve(256);
}

void DfsScheduler::begin_execution(std::uint64_t) {
  depth_ = 0;
  replay_nodes_ = nodes_.size();
  processed_ = 0;
  keys_.clear();
  started_ = 0;
  std::fill(ctx_of_.begin(), ctx_of_.end(), 0);
  sleep_active_ = replay_nodes_ == 0;
  sleep_ = 0;
  cost_ = 0;
  block_pos_ = 0;
  blocked_ = foreign_ = false;
  mismatch_.clear();
}

dpor::Access DfsScheduler::key_access(const StepKey& k) {
  const bool self = k.op == runtime::Op::kThreadStart && k.thread < 64 && (started_ & bit(k.thread)) == 0;
  if (self) {
    if (k.thread >= ctx_of_.size()) ctx_of_.resize(k.thread + 1, 0);
    ctx_of_[k.thread] = k.object;
  }
  return dpor::access_of(k.op, k.object, self);
}

bool DfsScheduler::sleep_dependent(const dpor::Access& a, std::uint32_t x, std::uint32_t y) const {
  const std::uint32_t cx = x < ctx_of_.size() ? ctx_of_[x] : 0;
  const std::uint32_t cy = y < ctx_of_.size() ? ctx_of_[y] : 0;
  return dpor::dependent(a, cx, sleep_keys_[y], cy);
}

void DfsScheduler::catch_up(std::size_t upto) {
  for (std::size_t s = processed_; s < upto; ++s) {
    const StepKey k = view_->step_at(s);
    if (s == keys_.size()) keys_.push_back(k);  // analyse() reads them again
    dpor::Access a;
    if (k.op == runtime::Op::kThreadEnd) {
      a = dpor::end_access(k.object);
    } else {
      a = key_access(k);
      if (k.thread < 64) started_ |= bit(k.thread);
    }
    if (!sleep_active_ || sleep_ == 0) continue;
    if (k.thread < 64 && (sleep_ & bit(k.thread)) != 0 && k.op != runtime::Op::kThreadEnd) {
      blocked_ = true;  // a forced step of a sleeping thread: this execution is redundant
      block_pos_ = s;
      processed_ = s;
      return;
    }
    for (std::uint64_t m = sleep_; m != 0; m &= m - 1) {
      const std::uint32_t r = lowest(m);
      if (sleep_dependent(a, k.thread, r)) sleep_ &= ~bit(r);
    }
  }
  processed_ = upto;
}

std::uint32_t DfsScheduler::alt_cost(const Node& node, std::uint32_t i) const {
  if (config_.bound == DfsConfig::Bound::kNone) return 0;
  const std::uint32_t* alts = alt_pool_.data() + node.alts;
  const std::uint32_t t = choice_thread(alts[i]);
  if (config_.bound == DfsConfig::Bound::kPreemption) {
    bool current_ready = false;
    for (std::uint32_t k = 0; k < node.n; ++k) current_ready |= alts[k] == encode_choice(node.current, ChoiceKind::kReady);
    return current_ready && t != node.current ? 1 : 0;
  }
  std::uint32_t start = 0;  // delay bound: round robin from the running thread
  if (node.current != kNoThread) {
    while (start < node.n && choice_thread(alts[start]) < node.current) ++start;
    if (start == node.n) start = 0;
  }
  return (i + node.n - start) % node.n;
}

bool DfsScheduler::shard_gate() {
  if (config_.shard_count <= 1 || depth_ != split_depth_) return true;
  const std::uint64_t leaf = leaf_counter_++;
  if (leaf % config_.shard_count == config_.shard_index) return true;
  foreign_ = true;
  return false;
}

std::uint32_t DfsScheduler::enter_replayed(Node& node, std::span<const std::uint32_t> alternatives) {
  if (node.kind == Kind::kThread) {
    for (std::uint32_t i = 0; i < alternatives.size(); ++i) {
      if (alternatives[i] == encode_choice(node.chosen, ChoiceKind::kReady)) return i;
    }
    return kInvalidChoice;
  }
  if (node.kind != Kind::kAlt || alternatives.size() != node.n) return kInvalidChoice;
  if (!std::equal(alternatives.begin(), alternatives.end(), alt_pool_.begin() + node.alts)) return kInvalidChoice;
  return node.chosen;
}

std::uint32_t DfsScheduler::choose(std::span<const std::uint32_t> alternatives, std::uint32_t current) {
  const std::size_t pos = view_->step_count();
  if (depth_ < replay_nodes_) {
    Node& node = nodes_[depth_];
    const std::uint32_t i = node.pos == pos ? enter_replayed(node, alternatives) : kInvalidChoice;
    if (config_.bound == DfsConfig::Bound::kNone) {
      // Object ids are handed out in order of first sight, and pending()
      // sees objects early: ask exactly as the node's first visit did, so
      // that the ids (and with them the stored keys) stay the same.
      for (std::uint64_t m = node.enabled & ~node.sleep; m != 0; m &= m - 1) view_->pending(lowest(m));
    }
    if (i == kInvalidChoice) {
      mismatch_ = "dfs: decision " + std::to_string(depth_) + " differs from the earlier execution with the same "
                  "choices (the program is not a function of its schedule)";
      return kInvalidChoice;
    }
    if (++depth_ == replay_nodes_) {  // the node whose choice changed: from here on, sleep sets apply
      catch_up(pos);
      const std::uint32_t t = choice_thread(alternatives[i]);
      sleep_ = node.sleep;
      if (node.kind == Kind::kThread) sleep_ |= node.done & ~bit(node.chosen);
      if (t < 64) sleep_ &= ~bit(t);
      for (std::uint64_t m = sleep_; m != 0; m &= m - 1) sleep_keys_[lowest(m)] = key_pool_[node.keys + lowest(m)];
      sleep_active_ = config_.bound == DfsConfig::Bound::kNone;
      cost_ = node.cost + (node.kind == Kind::kAlt ? alt_cost(node, i) : 0);
    }
    return i;
  }

  catch_up(pos);
  if (blocked_) return kAbandon;
  if (!shard_gate()) return kAbandon;

  Node node;
  node.pos = static_cast<std::uint32_t>(pos);
  node.current = current;
  node.cost = cost_;
  node.sleep = sleep_active_ ? sleep_ : 0;
  bool timed = config_.bound != DfsConfig::Bound::kNone;
  std::uint32_t top = 0;
  for (std::uint32_t a : alternatives) {
    const std::uint32_t t = choice_thread(a);
    if (choice_kind(a) != ChoiceKind::kReady || t >= 64) timed = true;
    if (t < 64) node.enabled |= bit(t), top = std::max(top, t + 1);
  }
  for (std::uint64_t m = node.sleep; m != 0; m &= m - 1) top = std::max(top, lowest(m) + 1);
  node.keys = static_cast<std::uint32_t>(key_pool_.size());
  node.alts = static_cast<std::uint32_t>(alt_pool_.size());
  if (config_.bound == DfsConfig::Bound::kNone) {
    node.nthreads = top;
    key_pool_.resize(key_pool_.size() + top);
    for (std::uint64_t m = node.sleep; m != 0; m &= m - 1) key_pool_[node.keys + lowest(m)] = sleep_keys_[lowest(m)];
    for (std::uint64_t m = node.enabled & ~node.sleep; m != 0; m &= m - 1) {
      key_pool_[node.keys + lowest(m)] = key_access(view_->pending(lowest(m)));
    }
  }

  std::uint32_t pick;
  if (timed) {
    node.kind = Kind::kAlt;
    node.n = static_cast<std::uint32_t>(alternatives.size());
    alt_pool_.insert(alt_pool_.end(), alternatives.begin(), alternatives.end());
    pick = kInvalidChoice;
    for (std::uint32_t i = 0; i < node.n; ++i) {
      const std::uint32_t t = choice_thread(alternatives[i]);
      if (choice_kind(alternatives[i]) == ChoiceKind::kReady && t < 64 && (node.sleep & bit(t)) != 0) continue;
      if (node.cost + alt_cost(node, i) > config_.limit && config_.bound != DfsConfig::Bound::kNone) {
        pruned_ = true;
        continue;
      }
      // Prefer the running thread's normal step (no preemption), else the first.
      if (pick == kInvalidChoice || (node.n <= 64 && alternatives[i] == encode_choice(current, ChoiceKind::kReady))) {
        pick = i;
      }
    }
    if (pick == kInvalidChoice) {
      alt_pool_.resize(node.alts);
      key_pool_.resize(node.keys);
      blocked_ = true;
      block_pos_ = pos;
      return kAbandon;
    }
    node.chosen = pick;
    node.done = pick < 64 ? bit(pick) : 0;  // explored alternative indices
    const std::uint32_t t = choice_thread(alternatives[pick]);
    if (t < 64) sleep_ &= ~bit(t);
    cost_ += alt_cost(node, pick);
  } else {
    node.kind = Kind::kThread;
    node.all = depth_ < split_depth_;
    const std::uint64_t cand = node.enabled & ~node.sleep;
    if (cand == 0) {
      key_pool_.resize(node.keys);
      blocked_ = true;
      block_pos_ = pos;
      return kAbandon;
    }
    const std::uint32_t t = current < 64 && (cand & bit(current)) != 0 ? current : lowest(cand);
    node.chosen = t;
    node.done = bit(t);
    node.backtrack = node.all ? node.enabled : bit(t);
    pick = 0;
    while (alternatives[pick] != encode_choice(t, ChoiceKind::kReady)) ++pick;
  }
  nodes_.push_back(node);
  ++depth_;
  return pick;
}

std::uint64_t DfsScheduler::choose_value(std::uint64_t n) {
  const std::size_t pos = view_->step_count();
  if (depth_ < replay_nodes_) {
    Node& node = nodes_[depth_];
    if (node.kind != Kind::kValue || node.n != n || node.pos != pos) {
      mismatch_ = "dfs: data choice " + std::to_string(depth_) + " differs from the earlier execution";
      return n;
    }
    if (++depth_ == replay_nodes_) {
      catch_up(pos);
      sleep_ = node.sleep;
      for (std::uint64_t m = sleep_; m != 0; m &= m - 1) sleep_keys_[lowest(m)] = key_pool_[node.keys + lowest(m)];
      sleep_active_ = config_.bound == DfsConfig::Bound::kNone;
      cost_ = node.cost;
    }
    return node.chosen;
  }
  catch_up(pos);
  if (blocked_) return kAbandonValue;
  if (!shard_gate()) return kAbandonValue;
  Node node;
  node.kind = Kind::kValue;
  node.pos = static_cast<std::uint32_t>(pos);
  node.n = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, ~0u));
  node.cost = cost_;
  node.sleep = sleep_active_ ? sleep_ : 0;
  node.keys = static_cast<std::uint32_t>(key_pool_.size());
  node.alts = static_cast<std::uint32_t>(alt_pool_.size());
  std::uint32_t top = 0;
  for (std::uint64_t m = node.sleep; m != 0; m &= m - 1) top = lowest(m) + 1;
  node.nthreads = top;
  key_pool_.resize(key_pool_.size() + top);
  for (std::uint64_t m = node.sleep; m != 0; m &= m - 1) key_pool_[node.keys + lowest(m)] = sleep_keys_[lowest(m)];
  nodes_.push_back(node);
  ++depth_;
  return 0;
}

void DfsScheduler::end_execution(std::uint64_t) {
  if (!blocked_) catch_up(view_->step_count());
  if (config_.shard_count > 1 && !foreign_ && !blocked_ && depth_ <= split_depth_) {
    // A whole execution above the split: it is a part of its own.
    if (leaf_counter_++ % config_.shard_count != config_.shard_index) foreign_ = true;
  }
  if (!foreign_ && config_.bound == DfsConfig::Bound::kNone) {
    analyse(blocked_ ? block_pos_ : view_->step_count());
  } else {
    valid_events_ = 0;  // the next analysis has nothing to start from
  }
  backtrack();
}

void DfsScheduler::truncate(std::size_t size) {
  nodes_.resize(size);
  const Node& last = nodes_.back();
  key_pool_.resize(last.keys + last.nthreads);
  alt_pool_.resize(last.alts + (last.kind == Kind::kAlt ? last.n : 0));
}

void DfsScheduler::backtrack() {
  for (std::size_t i = nodes_.size(); i-- > 0;) {
    Node& node = nodes_[i];
    if (node.kind == Kind::kThread) {
      const std::uint64_t cand = node.backtrack & node.enabled & ~node.done & ~node.sleep;
      if (cand == 0) continue;
      node.chosen = lowest(cand);
      node.done |= bit(node.chosen);
      same_steps_ = node.pos;
      truncate(i + 1);
      return;
    }
    if (node.kind == Kind::kValue) {
      if (node.chosen + 1 >= node.n) continue;
      ++node.chosen;
      same_steps_ = node.pos;
      truncate(i + 1);
      return;
    }
    const std::uint32_t* alts = alt_pool_.data() + node.alts;
    for (std::uint32_t idx = node.n <= 64 ? 0 : node.chosen + 1; idx < node.n; ++idx) {
      if (idx < 64 && (node.done & bit(idx)) != 0) continue;
      const std::uint32_t t = choice_thread(alts[idx]);
      if (choice_kind(alts[idx]) == ChoiceKind::kReady && t < 64 && (node.sleep & bit(t)) != 0) continue;
      if (config_.bound != DfsConfig::Bound::kNone && node.cost + alt_cost(node, idx) > config_.limit) {
        pruned_ = true;
        continue;
      }
      node.chosen = idx;
      if (idx < 64) node.done |= bit(idx);
      same_steps_ = node.pos;
      truncate(i + 1);
      return;
    }
  }
  nodes_.clear();
  key_pool_.clear();
  alt_pool_.clear();
  same_steps_ = 0;
  exhausted_ = true;
}

}  // namespace braid::engine
