// scenarios/generators/process_program.h
// -----------------------------------------------------------------------------
// Generated process programs (braid::mp::Process, Queue, Pipe). Each
// program runs unchanged on both runtimes: under braid::explore (modelled
// processes: logical threads in simulated address spaces) and on real forked
// processes. A runner returns the first mismatch it saw as a message (nullopt
// when the run met every expectation); check_* wraps a runner in an
// exploration, where a mismatch is a BRAID_ASSERT failure. (The Pool
// programs, whose functions must be named functions, are in
// properties/process_properties.cc.)
//
//   ForkCopyProgram     the main thread makes 1-3 Shared<int> and 0-2
//                       Atomic<int>, starts 1-3 child processes at generated
//                       points among its own writes; each child writes
//                       generated values (store, or read-modify-write) and
//                       reports, through an mp::Queue or its own Pipe, what it
//                       read back after each write and its final values; the
//                       parent reads back each of its own writes too.
//                       Property: every child saw exactly the parent's values
//                       at its start plus its own writes, and the parent (both
//                       while the children run and after joining them) sees
//                       exactly its own writes.
//   QueueWritersProgram 1-3 writer processes each put a generated sequence of
//                       (writer, index, value) into one mp::Queue (bounded or
//                       not, blocking or timed puts); the parent gets them all
//                       (blocking or timed gets). Property: nothing lost or
//                       duplicated, each writer's items in its order.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_PROCESS_PROGRAM_H_
#define BRAID_SCENARIOS_GENERATORS_PROCESS_PROGRAM_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "braid/errors.h"
#include "braid/mp/connection.h"
#include "braid/mp/process.h"
#include "braid/mp/queue.h"
#include "braid/runtime.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

namespace braid::gen {

// A runner's verdict: nullopt, or what went wrong first.
using Mismatch = std::optional<std::string>;

template <typename... Parts>
std::string describe(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

inline std::string show_ints(const std::vector<int>& v) {
  std::ostringstream os;
  show_int_list(v, os);
  return os.str();
}

// How long a parent waits for a child's message before calling it lost (a
// child that died): forever under the model, where a timeout firing is a
// scheduler choice; on real processes a bound far above any run's duration,
// so that a lost message fails the case instead of hanging it.
inline Timeout lost_message_timeout() {
  return runtime::model() != nullptr ? Timeout() : Timeout(std::chrono::seconds(30));
}

// An int in [-bound, bound] that shrinks towards 0.
inline rc::Gen<int> small_int(int bound) {
  return rc::gen::map(rc::gen::inRange(0, 2 * bound + 1), [](int k) { return k % 2 == 0 ? k / 2 : -(k + 1) / 2; });
}

// Explores a runner: a mismatch fails the execution with its message.
inline CheckResult explore_runner(const Options& options, std::function<Mismatch()> runner) {
  return explore_case(options, [runner = std::move(runner)] {
    const Mismatch m = runner();
    BRAID_ASSERT(!m.has_value(), m.value_or(""));
  });
}

// ---------------------------------------------------------------------------
// ForkCopyProgram
// ---------------------------------------------------------------------------

// A write to variable `var` (Shared variables first, then Atomic ones):
// store(value), or add value (Shared: store(load() + value); Atomic:
// fetch_add(value)).
struct VarWrite {
  int var = 0;
  int value = 0;
  bool add = false;
};

// One step of the parent: start child `start`, or (start < 0) `write`.
struct ParentStep {
  int start = -1;
  VarWrite write;
};

struct ForkCopyProgram {
  std::vector<int> shared_init;                 // Shared<int> variables (1-3)
  std::vector<int> atomic_init;                 // Atomic<int> variables (0-2)
  std::vector<std::vector<VarWrite>> children;  // each child's writes (1-3 children)
  std::vector<ParentStep> parent;               // every child started exactly once
  bool pipes = false;                           // report through a Pipe per child, else one Queue
  std::uint64_t seed = 0;

  int vars() const { return static_cast<int>(shared_init.size() + atomic_init.size()); }
};

inline void show_write(const VarWrite& w, std::ostream& os) { os << 'v' << w.var << (w.add ? "+=" : "=") << w.value; }

inline void showValue(const ForkCopyProgram& p, std::ostream& os) {
  os << "ForkCopyProgram{shared=";
  show_int_list(p.shared_init, os);
  os << ", atomic=";
  show_int_list(p.atomic_init, os);
  os << ", children=";
  show_list(p.children, os, [](const std::vector<VarWrite>& ws, std::ostream& o) { show_list(ws, o, show_write); });
  os << ", parent=";
  show_list(p.parent, os, [](const ParentStep& s, std::ostream& o) {
    if (s.start >= 0) {
      o << "start(" << s.start << ')';
    } else {
      show_write(s.write, o);
    }
  });
  os << ", pipes=" << p.pipes << ", seed=" << p.seed << '}';
}

inline rc::Gen<VarWrite> var_write(int vars) {
  return rc::gen::exec([vars] {
    VarWrite w;
    w.var = *rc::gen::inRange(0, vars);
    w.value = *rc::gen::inRange(0, 100);
    w.add = *rc::gen::arbitrary<bool>();
    return w;
  });
}

// `max_writes` bounds each child's and the parent's writes.
inline rc::Gen<ForkCopyProgram> fork_copy_program(int max_writes = 4) {
  return rc::gen::exec([max_writes] {
    ForkCopyProgram p;
    p.shared_init = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(*rc::gen::inRange(1, 4)),
                                                          rc::gen::inRange(0, 100));
    p.atomic_init = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(*rc::gen::inRange(0, 3)),
                                                          rc::gen::inRange(0, 100));
    const int vars = p.vars();
    const int k = *rc::gen::inRange(1, 4);
    for (int c = 0; c < k; ++c) {
      p.children.push_back(*rc::gen::container<std::vector<VarWrite>>(
          static_cast<std::size_t>(*rc::gen::inRange(0, max_writes + 1)), var_write(vars)));
    }
    const auto writes = *rc::gen::container<std::vector<VarWrite>>(
        static_cast<std::size_t>(*rc::gen::inRange(0, max_writes + 1)), var_write(vars));
    // Child c starts just before parent write at[c] (writes.size(): after the last).
    const auto at = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(k),
                                                          rc::gen::inRange(0, static_cast<int>(writes.size()) + 1));
    for (std::size_t i = 0; i <= writes.size(); ++i) {
      for (int c = 0; c < k; ++c) {
        if (at[static_cast<std::size_t>(c)] == static_cast<int>(i)) p.parent.push_back({c, {}});
      }
      if (i < writes.size()) p.parent.push_back({-1, writes[i]});
    }
    p.pipes = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

// What one child reports: its number, the value it read back after each of
// its writes, and all the variables at its end.
using ChildReport = std::tuple<int, std::vector<int>, std::vector<int>>;

// The sequential meaning of a ForkCopyProgram: memory after fork is a copy.
struct ForkCopyExpectation {
  std::vector<int> parent;                  // the parent's values at the end
  std::vector<int> parent_readbacks;        // what the parent reads back after each of its writes
  std::vector<std::vector<int>> readbacks;  // per child
  std::vector<std::vector<int>> finals;     // per child
};

inline void apply_write(std::vector<int>& values, const VarWrite& w) {
  int& v = values[static_cast<std::size_t>(w.var)];
  v = w.add ? v + w.value : w.value;
}

inline ForkCopyExpectation expect_fork_copy(const ForkCopyProgram& p) {
  ForkCopyExpectation e;
  std::vector<int> values = p.shared_init;
  values.insert(values.end(), p.atomic_init.begin(), p.atomic_init.end());
  e.readbacks.resize(p.children.size());
  e.finals.resize(p.children.size());
  for (const ParentStep& s : p.parent) {
    if (s.start < 0) {
      apply_write(values, s.write);
      e.parent_readbacks.push_back(values[static_cast<std::size_t>(s.write.var)]);
      continue;
    }
    const auto c = static_cast<std::size_t>(s.start);
    std::vector<int> copy = values;  // the child's memory at its start
    for (const VarWrite& w : p.children[c]) {
      apply_write(copy, w);
      e.readbacks[c].push_back(copy[static_cast<std::size_t>(w.var)]);
    }
    e.finals[c] = copy;
  }
  e.parent = values;
  return e;
}

// The variables of one run: Shared ones, then Atomic ones.
class ForkCopyVars {
 public:
  explicit ForkCopyVars(const ForkCopyProgram& p) {
    for (int v : p.shared_init) shared_.emplace_back(v);
    for (int v : p.atomic_init) atomic_.emplace_back(v);
  }
  int read(int var) {
    const auto i = static_cast<std::size_t>(var);
    return i < shared_.size() ? shared_[i].load() : atomic_[i - shared_.size()].load();
  }
  void write(const VarWrite& w) {
    const auto i = static_cast<std::size_t>(w.var);
    if (i < shared_.size()) {
      Shared<int>& s = shared_[i];
      s.store(w.add ? s.load() + w.value : w.value);
    } else if (w.add) {
      atomic_[i - shared_.size()].fetch_add(w.value);
    } else {
      atomic_[i - shared_.size()].store(w.value);
    }
  }
  std::vector<int> snapshot() {
    std::vector<int> out;
    for (int v = 0; v < static_cast<int>(shared_.size() + atomic_.size()); ++v) out.push_back(read(v));
    return out;
  }

 private:
  std::deque<Shared<int>> shared_;
  std::deque<Atomic<int>> atomic_;
};

// Runs `p` on the current runtime (modelled or real processes).
inline Mismatch run_fork_copy(const ForkCopyProgram& p) {
  const ForkCopyExpectation expected = expect_fork_copy(p);
  const std::size_t k = p.children.size();
  ForkCopyVars vars(p);
  mp::Queue<ChildReport> reports;
  std::vector<std::pair<mp::Connection, mp::Connection>> pipes;  // (reader, writer) per child
  if (p.pipes) {
    for (std::size_t c = 0; c < k; ++c) pipes.push_back(mp::Pipe(false));
  }
  std::vector<std::unique_ptr<mp::Process>> children;
  for (std::size_t c = 0; c < k; ++c) {
    mp::Connection writer = p.pipes ? pipes[c].second : mp::Connection();
    children.push_back(std::make_unique<mp::Process>([&p, &vars, &reports, c, writer] {
      std::vector<int> readbacks;
      for (const VarWrite& w : p.children[c]) {
        vars.write(w);
        readbacks.push_back(vars.read(w.var));
      }
      ChildReport report(static_cast<int>(c), std::move(readbacks), vars.snapshot());
      if (p.pipes) {
        writer.send(report);
      } else {
        reports.put(report);
      }
    }));
  }
  Mismatch mismatch;
  auto expect = [&mismatch](bool ok, auto&&... what) {
    if (!ok && !mismatch) mismatch = describe(what...);
  };
  std::vector<int> parent_readbacks;
  for (const ParentStep& s : p.parent) {
    if (s.start >= 0) {
      children[static_cast<std::size_t>(s.start)]->start();
    } else {
      vars.write(s.write);
      parent_readbacks.push_back(vars.read(s.write.var));
    }
  }
  expect(parent_readbacks == expected.parent_readbacks, "the parent read back ", show_ints(parent_readbacks),
         " after its writes, expected ", show_ints(expected.parent_readbacks), ": a child wrote into its parent");
  std::vector<int> running = vars.snapshot();  // the children may still be running
  expect(running == expected.parent, "while its children run the parent sees ", show_ints(running),
         ", its own writes give ", show_ints(expected.parent), ": a child wrote into its parent");
  std::vector<bool> reported(k, false);
  for (std::size_t i = 0; i < k && !mismatch; ++i) {
    ChildReport r;
    try {
      if (p.pipes && runtime::model() == nullptr && !pipes[i].first.poll(lost_message_timeout())) {
        throw queue::Empty("");
      }
      r = p.pipes ? pipes[i].first.recv<ChildReport>() : reports.get(true, lost_message_timeout());
    } catch (const queue::Empty&) {
      expect(false, "a child's report never arrived");
      break;
    }
    const auto c = static_cast<std::size_t>(std::get<0>(r));
    if (c >= k || reported[c]) {
      expect(false, "unexpected or repeated report from child ", std::get<0>(r));
      continue;
    }
    reported[c] = true;
    expect(std::get<1>(r) == expected.readbacks[c], "child ", c, " read back ", show_ints(std::get<1>(r)),
           " after its writes, expected ", show_ints(expected.readbacks[c]));
    expect(std::get<2>(r) == expected.finals[c], "child ", c, " ended with ", show_ints(std::get<2>(r)),
           ", expected its parent's values at its start plus its own writes: ", show_ints(expected.finals[c]));
  }
  for (std::size_t c = 0; c < k; ++c) {
    children[c]->join();
    expect(children[c]->exitcode() == 0, "child ", c, " exited with ", children[c]->exitcode().value_or(-999));
  }
  const std::vector<int> after = vars.snapshot();
  expect(after == expected.parent, "after joining its children the parent sees ", show_ints(after),
         ", its own writes give ", show_ints(expected.parent), ": a child wrote into its parent");
  return mismatch;
}

inline CheckResult check_fork_copy(const ForkCopyProgram& p, const CaseBudget& budget = {}) {
  return explore_runner(case_options(p.seed, budget), [&p] { return run_fork_copy(p); });
}

// ---------------------------------------------------------------------------
// QueueWritersProgram
// ---------------------------------------------------------------------------

// An item: (writer, index in the writer's sequence, value).
using TaggedItem = std::tuple<int, int, int>;

struct QueueWritersProgram {
  std::vector<std::vector<int>> writers;  // what each writer process puts (1-3 writers)
  long maxsize = 0;                       // 0: unbounded
  bool timed_puts = false;                // put(item, 1 ms) retried on Full
  bool timed_gets = false;                // get(1 ms) retried on Empty
  std::uint64_t seed = 0;
};

inline void showValue(const QueueWritersProgram& p, std::ostream& os) {
  os << "QueueWritersProgram{writers=";
  show_list(p.writers, os, [](const std::vector<int>& v, std::ostream& o) { show_int_list(v, o); });
  os << ", maxsize=" << p.maxsize << ", timed_puts=" << p.timed_puts << ", timed_gets=" << p.timed_gets
     << ", seed=" << p.seed << '}';
}

// Each writer puts 0..max_items values; maxsize is 0..max_size.
inline rc::Gen<QueueWritersProgram> queue_writers_program(int max_items, int max_size) {
  return rc::gen::exec([max_items, max_size] {
    QueueWritersProgram p;
    const int n = *rc::gen::inRange(1, 4);
    for (int w = 0; w < n; ++w) {
      p.writers.push_back(*rc::gen::container<std::vector<int>>(
          static_cast<std::size_t>(*rc::gen::inRange(0, max_items + 1)), small_int(100)));
    }
    p.maxsize = *rc::gen::inRange(0, max_size + 1);
    p.timed_puts = *rc::gen::arbitrary<bool>();
    p.timed_gets = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

inline constexpr std::chrono::milliseconds kProcessQueueTimeout{1};

// Runs `p` on the current runtime. Q is a queue of TaggedItem with Q(maxsize),
// put(item, block, timeout) and get(block, timeout), raising queue::Full /
// queue::Empty on timeouts (braid::mp::Queue<TaggedItem>).
template <class Q>
Mismatch run_queue_writers(const QueueWritersProgram& p) {
  Q q(p.maxsize);
  std::vector<std::unique_ptr<mp::Process>> writers;
  for (std::size_t w = 0; w < p.writers.size(); ++w) {
    writers.push_back(std::make_unique<mp::Process>([&q, &p, w] {
      const std::vector<int>& values = p.writers[w];
      for (std::size_t i = 0; i < values.size(); ++i) {
        const TaggedItem item(static_cast<int>(w), static_cast<int>(i), values[i]);
        for (;;) {
          try {
            q.put(item, true, p.timed_puts ? Timeout(kProcessQueueTimeout) : Timeout());
            break;
          } catch (const queue::Full&) {
          }
        }
      }
    }));
  }
  for (auto& w : writers) w->start();
  std::size_t total = 0;
  for (const auto& v : p.writers) total += v.size();
  const Timeout lost = lost_message_timeout();
  const long max_retries = lost ? static_cast<long>(*lost / kProcessQueueTimeout) : -1;
  Mismatch mismatch;
  std::vector<TaggedItem> got;
  for (std::size_t i = 0; i < total && !mismatch; ++i) {
    for (long retries = 0;; ++retries) {
      try {
        got.push_back(q.get(true, p.timed_gets ? Timeout(kProcessQueueTimeout) : lost));
        break;
      } catch (const queue::Empty&) {
        if (!p.timed_gets || retries == max_retries) {
          mismatch = describe("only ", got.size(), " of ", total, " items arrived (a writer died?)");
          break;
        }
      }
    }
  }
  for (std::size_t w = 0; w < writers.size(); ++w) {
    if (mismatch && writers[w]->is_alive()) writers[w]->terminate();  // may wait on a full queue
    writers[w]->join();
    if (writers[w]->exitcode() != 0 && !mismatch) {
      mismatch = describe("writer ", w, " exited with ", writers[w]->exitcode().value_or(-999));
    }
  }
  if (mismatch) return mismatch;
  std::vector<std::size_t> next(p.writers.size(), 0);  // per writer: the index due next
  for (std::size_t g = 0; g < got.size(); ++g) {
    const auto [w, i, value] = got[g];
    if (w < 0 || static_cast<std::size_t>(w) >= p.writers.size()) {
      return describe("get ", g, " returned an item of no writer: ", w);
    }
    const auto wi = static_cast<std::size_t>(w);
    if (static_cast<std::size_t>(i) != next[wi]) {
      return describe("get ", g, " returned writer ", w, "'s item ", i, " when its item ", next[wi],
                      " was due (lost, duplicated or reordered)");
    }
    if (next[wi] >= p.writers[wi].size() || value != p.writers[wi][next[wi]]) {
      return describe("writer ", w, "'s item ", i, " arrived as ", value, ", not as it was put");
    }
    ++next[wi];
  }
  for (std::size_t w = 0; w < p.writers.size(); ++w) {
    if (next[w] != p.writers[w].size()) {
      return describe("writer ", w, " put ", p.writers[w].size(), " items, ", next[w], " arrived");
    }
  }
  bool extra = false;
  try {
    q.get(false, Timeout());
    extra = true;
  } catch (const queue::Empty&) {
  }
  if (extra) return describe("the queue still held an item after every item sent had arrived");
  return std::nullopt;
}

template <class Q>
CheckResult check_queue_writers(const QueueWritersProgram& p, const CaseBudget& budget = {}) {
  return explore_runner(case_options(p.seed, budget), [&p] { return run_queue_writers<Q>(p); });
}

}  // namespace braid::gen

#endif  // BRAID_SCENARIOS_GENERATORS_PROCESS_PROGRAM_H_
