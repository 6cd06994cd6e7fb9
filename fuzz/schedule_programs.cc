// fuzz/schedule_programs.cc — the programs of schedule_programs.h.
#include "schedule_programs.h"

#include <memory>
#include <mutex>
#include <vector>

#include "blog/scenario.h"
#include "braid/explore.h"
#include "braid/queue.h"
#include "braid/threading.h"
#include "braid/tracked.h"

// Locks are taken and released inside lambdas run as logical threads, and some
// programs misuse them on purpose: no static thread-safety analysis here.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif

namespace braid::fuzz {
namespace {

// Visible steps that change nothing another thread reads: they lengthen an
// execution (more scheduling points, a longer way to the buggy window), as
// real code does between its interesting operations.
void noise(Atomic<int>& own, int steps) {
  for (int i = 0; i < steps; ++i) own.store(i);
}

void start_all(std::vector<std::unique_ptr<Thread>>& threads) {
  for (auto& t : threads) t->start();
}
void join_all(std::vector<std::unique_ptr<Thread>>& threads) {
  for (auto& t : threads) t->join();
}

// rlock-nesting: two threads re-enter one RLock three deep; inside, the
// shared total moves only by their own updates.
void rlock_nesting() {
  RLock lock;
  Shared<int> total{0};
  auto work = [&](int n) {
    for (int round = 0; round < 2; ++round) {
      std::scoped_lock outer(lock);
      const int before = total.load();
      {
        std::scoped_lock middle(lock);
        total.store(total.load() + n);
        {
          std::scoped_lock inner(lock);
          total.store(total.load() + n);
        }
      }
      BRAID_ASSERT(total.load() == before + 2 * n, "another thread changed the total inside the RLock");
    }
  };
  Thread a(work, 1), b(work, 10);
  a.start();
  b.start();
  a.join();
  b.join();
  BRAID_ASSERT(total.load() == 44, "total is ", total.load(), ", not 44");
}

// lock-order: rounds of work under two locks; in its last round the second
// thread takes them in the opposite order. A deadlock needs the first thread
// preempted between its two acquires while the second is in that round.
void lock_order() {
  Lock a, b;
  Atomic<int> na{0}, nb{0};
  Shared<int> done{0};
  auto first = [&] {
    for (int round = 0; round < 3; ++round) {
      std::scoped_lock la(a);
      noise(na, 2);
      std::scoped_lock lb(b);
      done.store(done.load() + 1);
    }
  };
  auto second = [&] {
    for (int round = 0; round < 3; ++round) {
      if (round < 2) {
        std::scoped_lock la(a);
        std::scoped_lock lb(b);
        done.store(done.load() + 1);
      } else {
        std::scoped_lock lb(b);
        noise(nb, 2);
        std::scoped_lock la(a);
        done.store(done.load() + 1);
      }
    }
  };
  Thread t1(first), t2(second);
  t1.start();
  t2.start();
  t1.join();
  t2.join();
  BRAID_ASSERT(done.load() == 6, "done is ", done.load());
}

// queue-pipeline: a producer puts 1..6 into a bounded Queue and a sentinel per
// consumer; two consumers sum what they get and call task_done; the main
// thread joins the queue: every item is consumed exactly once.
void queue_pipeline() {
  queue::Queue<int> q(2);
  Shared<int> sum{0};
  Lock sum_lock;
  auto producer = [&] {
    for (int i = 1; i <= 6; ++i) q.put(i);
    q.put(0);
    q.put(0);
  };
  auto consumer = [&] {
    for (;;) {
      const int item = q.get();
      q.task_done();
      if (item == 0) return;
      std::scoped_lock g(sum_lock);
      sum.store(sum.load() + item);
    }
  };
  Thread p(producer), c1(consumer), c2(consumer);
  p.start();
  c1.start();
  c2.start();
  q.join();
  p.join();
  c1.join();
  c2.join();
  std::scoped_lock g(sum_lock);
  BRAID_ASSERT(sum.load() == 21, "the consumers got ", sum.load(), ", not 21");
}

// queue-check-then-get: consumers test `not q.empty()` and then call
// get_nowait(): between the two, another consumer may take the last item
// (queue.Empty escapes). The fixed twin would use get(timeout).
void queue_check_then_get() {
  queue::Queue<int> q;
  Atomic<int> n1{0}, n2{0};
  Shared<int> taken{0};
  Lock taken_lock;
  auto producer = [&] {
    for (int i = 1; i <= 3; ++i) {
      q.put(i);
      noise(n1, 2);
    }
  };
  auto consumer = [&](Atomic<int>* own) {
    for (int tries = 0; tries < 4; ++tries) {
      if (!q.empty()) {
        noise(*own, 1);
        q.get_nowait();
        std::scoped_lock g(taken_lock);
        taken.store(taken.load() + 1);
      }
    }
  };
  Thread p(producer), c1(consumer, &n1), c2(consumer, &n2);
  p.start();
  c1.start();
  c2.start();
  p.join();
  c1.join();
  c2.join();
}

// condition-handoff / condition-if-not-while: a producer adds two items, one
// notify() each; two consumers take one item each. The fixed consumers wait
// with `while not items: cond.wait()` (wait_for); the buggy ones with `if`,
// so a consumer woken after another consumer took the item takes from an
// empty list.
void condition_program(bool buggy) {
  Condition cond;
  Shared<int> items{0};
  Atomic<int> np{0};
  auto producer = [&] {
    for (int i = 0; i < 2; ++i) {
      noise(np, 1);
      std::scoped_lock g(cond);
      items.store(items.load() + 1);
      cond.notify();
    }
  };
  auto consumer = [&] {
    std::scoped_lock g(cond);
    if (buggy) {
      if (items.load() == 0) cond.wait();
    } else {
      cond.wait_for([&] { return items.load() > 0; });
    }
    items.store(items.load() - 1);
    BRAID_ASSERT(items.load() >= 0, "took an item from an empty list (items = ", items.load(), ")");
  };
  Thread c1(consumer), c2(consumer), p(producer);
  c1.start();
  c2.start();
  p.start();
  c1.join();
  c2.join();
  p.join();
  BRAID_ASSERT(items.load() == 0, "items left: ", items.load());
}

// event-gate: workers wait for an Event the main thread sets after it has
// written the configuration; each worker reads the configuration, then they
// meet at a Barrier and the last one out clears the Event.
void event_gate() {
  Event ready;
  Barrier barrier(2);
  Shared<int> config{0};
  Shared<int> seen{0};
  Lock seen_lock;
  auto worker = [&] {
    ready.wait();
    const int c = config.load();
    BRAID_ASSERT(c == 42, "a worker read config ", c, " before it was published");
    {
      std::scoped_lock g(seen_lock);
      seen.store(seen.load() + 1);
    }
    if (barrier.wait() == 0) ready.clear();
  };
  Thread w1(worker), w2(worker);
  w1.start();
  w2.start();
  config.store(42);
  ready.set();
  w1.join();
  w2.join();
  BRAID_ASSERT(!ready.is_set(), "the event is still set");
  BRAID_ASSERT(seen.load() == 2, "seen is ", seen.load());
}

// atomic-counter / lost-update-N: N threads increment one Atomic<int> after
// 4, 14, 24, ... steps of other work. The fixed twin uses fetch_add; the
// buggy one loads, does two more steps, and stores the loaded value + 1 (no
// data race: every access is atomic, the bug is the atomicity violation).
// The assertion fires only when all N threads read 0 before any of them
// stored: the earlier threads must be held inside their two-step window while
// the later threads run their longer prefixes.
void counter_program(int threads, bool buggy) {
  Atomic<int> x{0};
  std::vector<std::unique_ptr<Atomic<int>>> own;
  for (int i = 0; i < threads; ++i) own.push_back(std::make_unique<Atomic<int>>(0));
  std::vector<std::unique_ptr<Thread>> ts;
  for (int i = 0; i < threads; ++i) {
    ts.push_back(std::make_unique<Thread>([&, i] {
      noise(*own[i], 4 + 10 * i);
      if (buggy) {
        const int v = x.load();
        noise(*own[i], 2);
        x.store(v + 1);
      } else {
        x.fetch_add(1);
      }
      noise(*own[i], 2);
    }));
  }
  start_all(ts);
  join_all(ts);
  const int final = x.load();
  BRAID_ASSERT(final != 1, "every thread read 0: all but one of ", threads, " increments were lost");
  if (!buggy) BRAID_ASSERT(final == threads, "x is ", final);
}

void add_blog(std::vector<Program>& out, const char* name, const char* family) {
  const blog::Scenario* s = blog::find(name);
  if (s == nullptr) return;
  out.push_back({s->name, family, s->expect == blog::Verdict::kFail, true, s->summary, s->body});
}

}  // namespace

const std::vector<Program>& schedule_programs() {
  static const std::vector<Program> programs = [] {
    std::vector<Program> out;
    add_blog(out, "balance-lock", "balance");
    add_blog(out, "balance-nolock", "balance");
    add_blog(out, "balance-fresh-lock", "balance");
    out.push_back({"rlock-nesting", "rlock", false, false, "two threads re-enter one RLock three deep", rlock_nesting});
    add_blog(out, "my-thread-rlock", "rlock");
    add_blog(out, "my-thread-lock", "rlock");
    out.push_back({"lock-order", "rlock", true, false,
                   "the second thread's last round takes two locks in the opposite order: deadlock", lock_order});
    out.push_back({"queue-pipeline", "queue", false, false,
                   "producer, two consumers, bounded Queue, task_done/join: every item once", queue_pipeline});
    out.push_back({"queue-check-then-get", "queue", true, false,
                   "`if not q.empty(): q.get_nowait()` races with another consumer: queue.Empty",
                   queue_check_then_get});
    out.push_back({"condition-handoff", "condition", false, false,
                   "two consumers wait_for an item under a Condition, one notify per item",
                   [] { condition_program(false); }});
    out.push_back({"event-gate", "condition", false, false,
                   "workers wait for an Event set after the config is written; Barrier; clear", event_gate});
    out.push_back({"condition-if-not-while", "condition", true, false,
                   "`if not items: cond.wait()`: a consumer woken late takes from an empty list",
                   [] { condition_program(true); }});
    add_blog(out, "queue-write-read", "processes");
    add_blog(out, "pool-apply-async", "processes");
    add_blog(out, "fork-copy", "processes");
    add_blog(out, "process-join", "processes");
    add_blog(out, "fork-expects-shared", "processes");
    add_blog(out, "queue-join-reader", "processes");
    out.push_back({"atomic-counter", "counter", false, false, "four threads fetch_add one Atomic<int>",
                   [] { counter_program(4, false); }});
    out.push_back({"lost-update-3", "counter", true, false,
                   "three load/store increments; fails only if all three read 0",
                   [] { counter_program(3, true); }});
    out.push_back({"lost-update-4", "counter", true, false,
                   "four load/store increments; fails only if all four read 0",
                   [] { counter_program(4, true); }});
    return out;
  }();
  return programs;
}

const Program* find_program(std::string_view name) {
  for (const Program& p : schedule_programs()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace braid::fuzz
