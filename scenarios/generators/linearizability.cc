// generators/linearizability.cc — see linearizability.h.
#include "generators/linearizability.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace braid::gen::lin {
namespace {

constexpr std::uint64_t kBase1 = 0x9e3779b97f4a7c15ull;  // odd: invertible modulo 2^64
constexpr std::uint64_t kBase2 = 0xc2b2ae3d27d4eb4full;

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t inverse(std::uint64_t odd) {  // Newton's iteration modulo 2^64
  std::uint64_t x = odd;
  for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
  return x;
}

struct Hash2 {
  std::uint64_t a = 0, b = 0;
};

// The sequential queue with O(1) undo and an incremental 128-bit hash of its
// contents. apply() either changes the state and returns true, or returns
// false and leaves it unchanged; undo() reverts the latest successful apply.
class State {
 public:
  State(const Model& model, std::size_t n) : model_(model) {
    pow1_.resize(n + 2);
    pow2_.resize(n + 2);
    inv1_.resize(n + 2);
    inv2_.resize(n + 2);
    const std::uint64_t i1 = inverse(kBase1), i2 = inverse(kBase2);
    pow1_[0] = pow2_[0] = inv1_[0] = inv2_[0] = 1;
    for (std::size_t i = 1; i < n + 2; ++i) {
      pow1_[i] = pow1_[i - 1] * kBase1;
      pow2_[i] = pow2_[i - 1] * kBase2;
      inv1_[i] = inv1_[i - 1] * i1;
      inv2_[i] = inv2_[i - 1] * i2;
    }
  }

  bool apply(const Operation& op) {
    const std::size_t size = this->size();
    switch (op.kind) {
      case OpKind::kPut:
        if (model_.maxsize != 0 && size >= model_.maxsize) return false;
        push(op.value);
        return true;
      case OpKind::kGet:
        if (size == 0 || next() != op.value) return false;
        pop();
        return true;
      case OpKind::kGetEmpty: return size == 0;
      case OpKind::kPutFull: return model_.maxsize != 0 && size == model_.maxsize;
    }
    return false;
  }

  void undo(const Operation& op) {
    if (op.kind == OpKind::kPut) undo_put(op.value);
    else if (op.kind == OpKind::kGet) unpop(op.value);
  }

  Hash2 hash() const {
    Hash2 h = hash_;
    if (model_.order == Order::kFifo) {  // positions are absolute: rebase on the head
      h.a *= inv1_[head_];
      h.b *= inv2_[head_];
    }
    h.a ^= mix(size() + 0x51);
    h.b ^= mix(size() + 0x93);
    return h;
  }

 private:
  std::size_t size() const { return model_.order == Order::kPriority ? heap_.size() : items_.size(); }

  std::int64_t next() const {
    switch (model_.order) {
      case Order::kFifo: return items_.front();
      case Order::kLifo: return items_.back();
      case Order::kPriority: return *heap_.begin();
    }
    return 0;
  }

  static std::uint64_t f1(std::int64_t v) { return mix(static_cast<std::uint64_t>(v)); }
  static std::uint64_t f2(std::int64_t v) { return mix(static_cast<std::uint64_t>(v) ^ 0x5bd1e995ull); }

  // Adds (sign +1) or removes (-1) value v at position p.
  void account(std::int64_t v, std::size_t p, int sign) {
    std::uint64_t a = f1(v), b = f2(v);
    if (model_.order != Order::kPriority) {
      a *= pow1_[p];
      b *= pow2_[p];
    }
    if (sign > 0) {
      hash_.a += a;
      hash_.b += b;
    } else {
      hash_.a -= a;
      hash_.b -= b;
    }
  }

  void push(std::int64_t v) {
    if (model_.order == Order::kPriority) {
      heap_.insert(v);
      account(v, 0, +1);
      return;
    }
    account(v, head_ + items_.size(), +1);
    items_.push_back(v);
  }
  void pop() {
    switch (model_.order) {
      case Order::kFifo:
        account(items_.front(), head_, -1);
        items_.pop_front();
        ++head_;
        break;
      case Order::kLifo:
        account(items_.back(), items_.size() - 1, -1);
        items_.pop_back();
        break;
      case Order::kPriority:
        account(*heap_.begin(), 0, -1);
        heap_.erase(heap_.begin());
        break;
    }
  }
  void unpop(std::int64_t v) {
    switch (model_.order) {
      case Order::kFifo:
        --head_;
        items_.push_front(v);
        account(v, head_, +1);
        break;
      case Order::kLifo:
        account(v, items_.size(), +1);
        items_.push_back(v);
        break;
      case Order::kPriority:
        heap_.insert(v);
        account(v, 0, +1);
        break;
    }
  }
  // Reverts a put of `v` (the most recent successful apply).
  void undo_put(std::int64_t v) {
    if (model_.order == Order::kPriority) {
      heap_.erase(heap_.find(v));
      account(v, 0, -1);
      return;
    }
    items_.pop_back();
    account(v, head_ + items_.size(), -1);
  }

 private:
  Model model_;
  std::deque<std::int64_t> items_;  // FIFO and LIFO
  std::multiset<std::int64_t> heap_;  // priority
  std::size_t head_ = 0;            // FIFO: items popped from the front so far
  Hash2 hash_;
  std::vector<std::uint64_t> pow1_, pow2_, inv1_, inv2_;
};

struct Key {
  std::uint64_t a, b;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept { return static_cast<std::size_t>(k.a ^ (k.b >> 7)); }
};

const char* order_name(Order order) {
  switch (order) {
    case Order::kFifo: return "FIFO queue";
    case Order::kLifo: return "LIFO queue";
    case Order::kPriority: return "priority queue";
  }
  return "queue";
}

std::vector<Operation> by_invoke(std::vector<Operation> ops) {
  std::stable_sort(ops.begin(), ops.end(), [](const Operation& x, const Operation& y) { return x.invoke < y.invoke; });
  return ops;
}

// `ops` without ops[i]; when ops[i] is the only put of its value, also
// without the gets of that value (a get with no put would fail trivially and
// explain nothing).
std::vector<Operation> without(const std::vector<Operation>& ops, std::size_t i) {
  const Operation& victim = ops[i];
  bool drop_gets = false;
  if (victim.kind == OpKind::kPut) {
    drop_gets = true;
    for (std::size_t j = 0; j < ops.size(); ++j) {
      if (j != i && ops[j].kind == OpKind::kPut && ops[j].value == victim.value) drop_gets = false;
    }
  }
  std::vector<Operation> out;
  out.reserve(ops.size());
  for (std::size_t j = 0; j < ops.size(); ++j) {
    if (j == i) continue;
    if (drop_gets && ops[j].kind == OpKind::kGet && ops[j].value == victim.value) continue;
    out.push_back(ops[j]);
  }
  return out;
}

// A small sub-history of `ops` (not linearizable) that is still not
// linearizable: the shortest failing prefix in invocation order, then
// operations dropped one at a time (a put with the gets of its value) while
// the rest still fails.
std::vector<Operation> shrink(std::vector<Operation> ops, const Model& model) {
  ops = by_invoke(std::move(ops));
  // Only a proven violation counts: a search out of budget keeps the larger history.
  auto fails = [&](std::span<const Operation> h) { return linearizable(h, model) == Search::kNotLinearizable; };
  std::size_t lo = 0, hi = ops.size();  // prefix lo passes, prefix hi fails
  while (hi - lo > 1) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (fails(std::span(ops.data(), mid))) hi = mid;
    else lo = mid;
  }
  ops.resize(hi);
  if (ops.size() > 400) return ops;
  for (int pass = 0; pass < 2; ++pass) {
    bool changed = false;
    for (std::size_t i = 0; i < ops.size();) {
      std::vector<Operation> smaller = without(ops, i);
      if (fails(smaller)) {
        ops = std::move(smaller);
        changed = true;
      } else {
        ++i;
      }
    }
    if (!changed) break;
  }
  return ops;
}

std::string explain(std::uint64_t object, const std::vector<Operation>& witness, std::size_t total,
                    const Model& model) {
  std::string out = "object " + std::to_string(object) + " (" + order_name(model.order);
  if (model.maxsize != 0) out += ", maxsize " + std::to_string(model.maxsize);
  out += ") is not linearizable: ";
  if (witness.size() == 1 && witness[0].kind == OpKind::kGet) {
    out += "a get returned " + std::to_string(witness[0].value) + ", which no put supplied";
  } else {
    out += "no order of these " + std::to_string(witness.size()) + " operations (of " + std::to_string(total) +
           ") that respects their [invoke, response] intervals is a legal run of the queue";
  }
  out += ":\n";
  for (const Operation& op : witness) out += "  " + describe(op) + "\n";
  return out;
}

}  // namespace

Search linearizable(std::span<const Operation> ops, const Model& model, std::uint64_t* visited) {
  const std::size_t n = ops.size();
  if (visited) *visited = 0;
  if (n == 0) return Search::kLinearizable;
  // Events: 2i is the call of ops[i], 2i+1 its return; sorted by time, calls
  // before returns at equal times; linked in that order after the head.
  std::vector<std::uint32_t> order(2 * n);
  for (std::uint32_t i = 0; i < 2 * n; ++i) order[i] = i;
  auto time = [&](std::uint32_t e) { return (e & 1) ? ops[e >> 1].response : ops[e >> 1].invoke; };
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    const std::uint64_t tx = time(x), ty = time(y);
    if (tx != ty) return tx < ty;
    if ((x & 1) != (y & 1)) return (x & 1) == 0;
    return x < y;
  });
  constexpr std::int64_t kNull = -1;
  const std::int64_t head = static_cast<std::int64_t>(2 * n);
  std::vector<std::int64_t> next(2 * n + 1, kNull), prev(2 * n + 1, kNull);
  std::int64_t last = head;
  for (std::uint32_t e : order) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
  auto unlink = [&](std::int64_t e) {
    next[prev[e]] = next[e];
    if (next[e] != kNull) prev[next[e]] = prev[e];
  };
  auto relink = [&](std::int64_t e) {
    next[prev[e]] = e;
    if (next[e] != kNull) prev[next[e]] = e;
  };

  std::vector<Hash2> zobrist(n);
  for (std::size_t i = 0; i < n; ++i) zobrist[i] = {mix(2 * i + 0x1234567), mix(2 * i + 1 + 0x89abcdef)};
  State state(model, n);
  Hash2 set;
  std::unordered_set<Key, KeyHash> seen;
  seen.reserve(2 * n);
  std::vector<std::int64_t> stack;
  std::uint64_t steps = 0;
  std::int64_t e = next[head];
  Search verdict = Search::kLinearizable;
  while (next[head] != kNull) {
    if (++steps > model.search_budget) {
      verdict = Search::kBudgetExhausted;
      break;
    }
    if ((e & 1) == 0) {  // a call: try to linearize it here
      const std::size_t i = static_cast<std::size_t>(e >> 1);
      if (state.apply(ops[i])) {
        set.a ^= zobrist[i].a;
        set.b ^= zobrist[i].b;
        const Hash2 s = state.hash();
        if (seen.insert(Key{set.a ^ (s.a * 0x2545f4914f6cdd1dull), set.b + s.b}).second) {
          stack.push_back(e);
          unlink(e);
          unlink(e + 1);
          e = next[head];
          continue;
        }
        set.a ^= zobrist[i].a;
        set.b ^= zobrist[i].b;
        state.undo(ops[i]);
      }
      e = next[e];
    } else {  // the return of an operation not yet linearized: backtrack
      if (stack.empty()) {
        verdict = Search::kNotLinearizable;
        break;
      }
      const std::int64_t c = stack.back();
      stack.pop_back();
      const std::size_t i = static_cast<std::size_t>(c >> 1);
      state.undo(ops[i]);
      set.a ^= zobrist[i].a;
      set.b ^= zobrist[i].b;
      relink(c + 1);
      relink(c);
      e = next[c];
    }
  }
  if (visited) *visited = steps;
  return verdict;
}

std::vector<Operation> quick_violation(std::span<const Operation> ops, const Model& model) {
  constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();
  std::map<std::int64_t, std::vector<std::size_t>> puts, gets;
  std::vector<std::size_t> empties;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].kind == OpKind::kPut) puts[ops[i].value].push_back(i);
    else if (ops[i].kind == OpKind::kGet) gets[ops[i].value].push_back(i);
    else if (ops[i].kind == OpKind::kGetEmpty) empties.push_back(i);
  }
  auto pick = [&](std::initializer_list<std::size_t> idx) {
    std::vector<Operation> w;
    for (std::size_t i : idx) w.push_back(ops[i]);
    return by_invoke(std::move(w));
  };
  auto earliest_first = [&](std::vector<std::size_t>& v) {
    std::sort(v.begin(), v.end(), [&](std::size_t x, std::size_t y) { return ops[x].invoke < ops[y].invoke; });
  };
  // A value got more often than it was put: invented or duplicated.
  for (auto& [value, got] : gets) {
    std::vector<std::size_t>& put = puts[value];
    if (got.size() <= put.size()) continue;
    earliest_first(got);
    std::vector<Operation> w;
    for (std::size_t i : put) w.push_back(ops[i]);
    for (std::size_t k = 0; k <= put.size(); ++k) w.push_back(ops[got[k]]);
    return by_invoke(std::move(w));
  }
  // The rest needs each value put at most once (so at most one get of it).
  std::vector<std::size_t> put_of;  // the puts
  std::vector<std::uint64_t> taken;  // per put: its get's invoke, or kNever
  std::vector<std::size_t> taker;
  for (auto& [value, put] : puts) {
    if (put.size() != 1) return {};
    const auto g = gets.find(value);
    const bool got = g != gets.end() && !g->second.empty();
    put_of.push_back(put[0]);
    taken.push_back(got ? ops[g->second[0]].invoke : kNever);
    taker.push_back(got ? g->second[0] : 0);
    // A get that returns before its value's put is invoked.
    if (got && ops[g->second[0]].response < ops[put[0]].invoke) return pick({put[0], g->second[0]});
  }
  // Admits puts in order of their response; remembers the admitted one whose
  // item is taken last (never taken = last of all).
  std::vector<std::size_t> by_response(put_of.size());
  for (std::size_t k = 0; k < by_response.size(); ++k) by_response[k] = k;
  std::sort(by_response.begin(), by_response.end(),
            [&](std::size_t x, std::size_t y) { return ops[put_of[x]].response < ops[put_of[y]].response; });
  struct Sweep {
    std::size_t next = 0;
    std::optional<std::size_t> latest;  // index into put_of
  };
  auto admit = [&](Sweep& sw, std::uint64_t before) {
    while (sw.next < by_response.size() && ops[put_of[by_response[sw.next]]].response < before) {
      const std::size_t k = by_response[sw.next++];
      if (!sw.latest || taken[k] > taken[*sw.latest]) sw.latest = k;
    }
  };
  // A get raising Empty although an item put before it is taken only after it
  // (or never).
  earliest_first(empties);
  Sweep sweep;
  for (std::size_t e : empties) {
    admit(sweep, ops[e].invoke);
    if (sweep.latest && taken[*sweep.latest] > ops[e].response) return pick({put_of[*sweep.latest], e});
  }
  // FIFO: put(a) completes before put(b) starts, yet get(b) returns before
  // get(a) starts (or a is never taken).
  if (model.order == Order::kFifo) {
    std::vector<std::size_t> got_b;
    for (std::size_t k = 0; k < put_of.size(); ++k) {
      if (taken[k] != kNever) got_b.push_back(k);
    }
    std::sort(got_b.begin(), got_b.end(),
              [&](std::size_t x, std::size_t y) { return ops[put_of[x]].invoke < ops[put_of[y]].invoke; });
    Sweep fifo;
    for (std::size_t b : got_b) {
      admit(fifo, ops[put_of[b]].invoke);
      if (fifo.latest && taken[*fifo.latest] > ops[taker[b]].response) {
        return pick({put_of[*fifo.latest], put_of[b], taker[b]});
      }
    }
  }
  return {};
}

Result check(std::span<const Operation> history, const Model& model) {
  std::map<std::uint64_t, std::vector<Operation>> parts;
  for (const Operation& op : history) {
    if (op.response <= op.invoke) {
      throw std::invalid_argument("linearizability: operation '" + describe(op) +
                                  "' does not return after it is invoked");
    }
    parts[op.object].push_back(op);
  }
  Result result;
  result.objects = parts.size();
  result.operations = history.size();
  for (auto& [object, ops] : parts) {
    std::vector<Operation> witness = quick_violation(ops, model);
    if (witness.empty()) {
      std::uint64_t visited = 0;
      const Search verdict = linearizable(ops, model, &visited);
      result.states_visited += visited;
      if (verdict == Search::kLinearizable) continue;
      if (verdict == Search::kBudgetExhausted) {
        result.ok = false;
        result.inconclusive = true;
        result.object = object;
        result.explanation = "object " + std::to_string(object) + " (" + order_name(model.order) + "): the search gave up after " +
                             std::to_string(visited) + " steps (Model::search_budget) on its " +
                             std::to_string(ops.size()) + " operations: linearizability not decided\n";
        break;
      }
      witness = shrink(ops, model);
    }
    result.ok = false;
    result.object = object;
    result.witness = std::move(witness);
    result.explanation = explain(object, result.witness, ops.size(), model);
    break;
  }
  return result;
}

}  // namespace braid::gen::lin
