// generators/linearizability.h
// -----------------------------------------------------------------------------
// A linearizability checker for queue histories.
//
// A history is what the threads of a run observed: for every operation on a
// queue, which thread called it, what it did (a put that succeeded, a get that
// returned a value, a get that raised Empty, a put that raised Full), with
// which value, and when it was invoked and when it returned, as sequence
// numbers from one counter shared by all threads. The history is linearizable
// when every operation can be given an instant between its invocation and its
// response such that, taken in that order, the operations are a legal run of
// a sequential queue (FIFO, LIFO or priority).
//
//   braid::gen::lin::Recorder rec;
//   // thread 1:                           // thread 2:
//   auto id = rec.invoke(q_id, 1);         auto id = rec.invoke(q_id, 2);
//   q.put(7);                              int v = q.get();
//   rec.put(id, 7);                        rec.get(id, v);
//   ...
//   braid::gen::lin::Result r = braid::gen::lin::check(rec.history(), {});
//   if (!r.ok) std::cerr << r.explanation;
//
// How the check works
// -------------------
// * The history is split per object (the queue each operation touched):
//   queues are independent, so the whole history is linearizable exactly when
//   each queue's history is (Herlihy and Wing's locality; Porcupine's
//   P-compositionality). Each part is checked on its own, which keeps the
//   search small.
// * Each part is searched in the manner of Wing and Gong as refined by Lowe
//   ("Testing for linearizability", 2017): walk the invocation/response events
//   in time order; at an invocation, try to linearize that operation now
//   (apply it to the sequential model); at a response whose operation is not
//   yet linearized, backtrack. Every (set of linearized operations, model
//   state) pair reached is remembered and never explored twice; the set and
//   the state are kept as incremental 128-bit hashes, so a step costs O(1)
//   (O(log n) for a priority queue) and the memo stores 32 bytes per entry.
//   A sequential or mostly-sequential history of 10,000 operations is checked
//   in a few milliseconds (bench/engine_lin_bench.cc measures it).
// * Before the search, quick O(n log n) checks look for the common
//   violations (lost, duplicated, invented or reordered items) and report a
//   witness of 1 to 4 operations directly. The search is exponential in the
//   worst case (many concurrent puts whose order only a much later get
//   settles, and a violation after them); Model::search_budget bounds it and
//   Result::inconclusive says when it ran out.
// * On failure the part is shrunk to a small non-linearizable sub-history
//   (the shortest failing prefix in invocation order, then operations removed
//   one at a time while the rest still fails): the `witness` and the
//   `explanation` show just the operations that cannot be ordered.
//
// Limits: operations that never returned must be left out of the history
// (Recorder::history() drops them); hash collisions in the memo could in
// principle hide a linearization (probability about 2^-100 per pair).
//
// Python equivalence: queue.Queue (FIFO), queue.LifoQueue and
// queue.PriorityQueue (smallest value first, as heapq orders it); get_nowait
// raising queue.Empty is kGetEmpty and put_nowait raising queue.Full is
// kPutFull.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_H_
#define BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace braid::gen::lin {

// OpKind
//
// What an operation did, as its caller observed it.
enum class OpKind : std::uint8_t {
  kPut,       // put(value) returned: value entered the queue
  kGet,       // get() returned value
  kGetEmpty,  // get (non-blocking or timed out) raised Empty: the queue was empty
  kPutFull,   // put (non-blocking or timed out) raised Full: the queue held maxsize items
};

// "put", "get", "get-empty", "put-full".
const char* op_kind_name(OpKind kind) noexcept;

// Operation
//
// One completed operation. `invoke < response` (both from one counter shared
// by every thread of the run). `value` is meaningful for kPut and kGet.
struct Operation {
  std::uint64_t object = 0;   // which queue; operations on different objects are independent
  std::uint32_t thread = 0;   // who called it (only for explanations)
  OpKind kind = OpKind::kPut;
  std::int64_t value = 0;
  std::uint64_t invoke = 0;
  std::uint64_t response = 0;
};

// "thread 1: put(7) [3, 8]" — one operation as the explanation shows it.
std::string describe(const Operation& op);

// Order
//
// The sequential model the history is checked against.
enum class Order : std::uint8_t {
  kFifo,      // queue.Queue
  kLifo,      // queue.LifoQueue
  kPriority,  // queue.PriorityQueue: get returns the smallest value
};

// Model
//
// The sequential queue every object is checked against. `maxsize` 0 means
// unbounded (as in Python); then kPutFull is never legal, and a put is legal
// only while the queue holds fewer than `maxsize` items.
struct Model {
  Order order = Order::kFifo;
  std::size_t maxsize = 0;
  // Search steps allowed per object before giving up (Result::inconclusive).
  // Linearizable histories need about one step per operation; a history that
  // is not linearizable may need the whole search space, which grows
  // exponentially with the number of concurrent puts whose order is still
  // open (see the file comment).
  std::uint64_t search_budget = 2'000'000;
};

// Result
//
// `ok` when every object's history is linearizable. Otherwise `object` is the
// first (smallest id) object whose history is not, `witness` a small
// sub-history of it that is still not linearizable (operations in invocation
// order) and `explanation` says so in words, one operation per line.
struct Result {
  bool ok = true;
  bool inconclusive = false;        // !ok because an object's search ran out of budget
  std::uint64_t object = 0;
  std::vector<Operation> witness;
  std::string explanation;
  std::size_t objects = 0;          // objects checked
  std::size_t operations = 0;       // operations checked
  std::uint64_t states_visited = 0; // search steps, all objects together
};

// check()
//
// Checks `history` (any order; operations of several objects mixed) against
// `model`, object by object. Throws std::invalid_argument when an operation
// has response <= invoke. Never blocks; pure function of its arguments.
Result check(std::span<const Operation> history, const Model& model);

// Verdict of the search alone.
enum class Search : std::uint8_t { kLinearizable, kNotLinearizable, kBudgetExhausted };

// linearizable()
//
// The search alone, without splitting by object, quick checks or shrinking,
// all operations taken as one object, at most `model.search_budget` steps.
// `visited`, when not null, receives the number of search steps.
Search linearizable(std::span<const Operation> ops, const Model& model, std::uint64_t* visited = nullptr);

// quick_violation()
//
// Sound quick checks, O(n log n), that catch the common violations with a
// minimal witness (returned; empty when none is found, which proves nothing):
// a get of a value put fewer times than it is got, a get that returns before
// its put is invoked, a get that raises Empty although an item put before it
// cannot have been taken, and (FIFO) an item put after another completed yet
// taken while the other was never taken or taken only later. The last two
// need the values of one object to be put at most once each.
std::vector<Operation> quick_violation(std::span<const Operation> ops, const Model& model);

// Recorder
//
// Collects a history from concurrent threads (OS threads or braid's logical
// threads): call invoke() right before the operation and one of put(), get(),
// get_empty(), put_full() right after it returns (or raises). Thread-safe;
// uses a std::mutex held only for the few instructions of each call (never
// across a braid scheduling point).
class Recorder {
 public:
  using Id = std::size_t;

  // Starts an operation of `thread` on `object`; returns its id.
  Id invoke(std::uint64_t object, std::uint32_t thread);
  // Completes operation `id` with what it observed.
  void put(Id id, std::int64_t value) { respond(id, OpKind::kPut, value); }
  void get(Id id, std::int64_t value) { respond(id, OpKind::kGet, value); }
  void get_empty(Id id) { respond(id, OpKind::kGetEmpty, 0); }
  void put_full(Id id) { respond(id, OpKind::kPutFull, 0); }
  void respond(Id id, OpKind kind, std::int64_t value);

  // The completed operations (operations never completed are left out).
  std::vector<Operation> history() const;

 private:
  mutable std::mutex mu_;
  std::uint64_t clock_ = 0;
  std::vector<Operation> ops_;
  std::vector<bool> done_;
};

}  // namespace braid::gen::lin

#endif  // BRAID_SCENARIOS_GENERATORS_LINEARIZABILITY_H_
