// scenarios/generators/queue_gen.h
// -----------------------------------------------------------------------------
// Generated queue programs (braid::queue::Queue, LifoQueue, PriorityQueue).
//
//   FifoProgram      one producer -> one consumer, n items, maxsize 0-3; each
//                    put and get is blocking or timed (a timed call that
//                    raises Full/Empty is retried). Property: the consumer
//                    receives exactly the items sent, in order.
//   PxCProgram       1-3 producers x 1-3 consumers, maxsize 0-3, consumers
//                    stop at a sentinel. Property: the multiset received is
//                    the multiset sent, nothing lost or duplicated, and in
//                    the global order of gets each producer's items keep
//                    their order.
//   TaskDoneProgram  workers get items and call task_done(); the main thread
//                    join()s the queue. Property: join() returns only after
//                    every item was processed.
//   OrderProgram     producers put concurrently, then consumers drain
//                    concurrently. Property: gets come out in LIFO order of
//                    the puts (LifoQueue) or in sorted order (PriorityQueue).
//
// The checks are templates over the queue type Q (of int): Q(maxsize),
// put(item, block, timeout), get(block, timeout), get_nowait(), task_done(),
// join(); Full and Empty are braid::queue::Full / braid::queue::Empty.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_QUEUE_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_QUEUE_GEN_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <vector>

#include "braid/errors.h"
#include "braid/thread.h"
#include "braid/tracked.h"
#include "generators/common.h"

namespace braid::gen {

inline constexpr Duration kQueueTimeout = std::chrono::milliseconds(1);

// put() with an optional timeout; a timed put that raises Full is retried.
template <class Q>
void put_retrying(Q& q, int item, bool timed) {
  if (!timed) {
    q.put(item, true, std::nullopt);
    return;
  }
  for (;;) {
    try {
      q.put(item, true, kQueueTimeout);
      return;
    } catch (const queue::Full&) {
    }
  }
}

// get() with an optional timeout; a timed get that raises Empty is retried.
template <class Q>
int get_retrying(Q& q, bool timed) {
  if (!timed) return q.get(true, std::nullopt);
  for (;;) {
    try {
      return q.get(true, kQueueTimeout);
    } catch (const queue::Empty&) {
    }
  }
}

struct FifoProgram {
  std::vector<int> items;
  std::vector<bool> timed_puts;  // per item
  std::vector<bool> timed_gets;  // per item
  int maxsize = 0;
  std::uint64_t seed = 0;
};

inline void show_bools(const std::vector<bool>& v, std::ostream& os) {
  os << '[';
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << (v[i] ? 1 : 0);
  os << ']';
}

inline void showValue(const FifoProgram& p, std::ostream& os) {
  os << "FifoProgram{items=";
  show_int_list(p.items, os);
  os << ", timed_puts=";
  show_bools(p.timed_puts, os);
  os << ", timed_gets=";
  show_bools(p.timed_gets, os);
  os << ", maxsize=" << p.maxsize << ", seed=" << p.seed << '}';
}

inline rc::Gen<FifoProgram> fifo_program() {
  return rc::gen::exec([] {
    FifoProgram p;
    const auto n = static_cast<std::size_t>(*rc::gen::inRange(1, 9));
    p.items = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(0, 100));
    p.timed_puts = *rc::gen::container<std::vector<bool>>(n, rc::gen::arbitrary<bool>());
    p.timed_gets = *rc::gen::container<std::vector<bool>>(n, rc::gen::arbitrary<bool>());
    p.maxsize = *rc::gen::inRange(0, 4);
    p.seed = *seed_gen();
    return p;
  });
}

template <class Q>
CheckResult check_fifo(const FifoProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    Q q(p.maxsize);
    std::vector<int> received;
    Thread producer([&] {
      for (std::size_t i = 0; i < p.items.size(); ++i) put_retrying(q, p.items[i], p.timed_puts[i]);
    });
    Thread consumer([&] {
      for (std::size_t i = 0; i < p.items.size(); ++i) received.push_back(get_retrying(q, p.timed_gets[i]));
    });
    producer.start();
    consumer.start();
    producer.join();
    consumer.join();
    BRAID_ASSERT(received == p.items, "1->1 queue is not FIFO: sent ", p.items.size(),
                 " items, received a different sequence of ", received.size());
  });
}

struct PxCProgram {
  std::vector<int> producers;  // items each producer sends
  int consumers = 1;
  int maxsize = 0;
  bool timed = false;  // consumers use timed gets (retried)
  std::uint64_t seed = 0;
};

inline void showValue(const PxCProgram& p, std::ostream& os) {
  os << "PxCProgram{producers=";
  show_int_list(p.producers, os);
  os << ", consumers=" << p.consumers << ", maxsize=" << p.maxsize << ", timed=" << p.timed
     << ", seed=" << p.seed << '}';
}

inline rc::Gen<PxCProgram> pxc_program() {
  return rc::gen::exec([] {
    PxCProgram p;
    const auto np = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
    p.producers = *rc::gen::container<std::vector<int>>(np, rc::gen::inRange(0, 5));
    p.consumers = *rc::gen::inRange(1, 4);
    p.maxsize = *rc::gen::inRange(0, 4);
    p.timed = *rc::gen::arbitrary<bool>();
    p.seed = *seed_gen();
    return p;
  });
}

template <class Q>
CheckResult check_pxc(const PxCProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    constexpr int kStop = -1;
    Q q(p.maxsize);
    std::vector<int> log;  // every item in the order the gets returned it
    std::vector<Thread> producers, consumers;
    for (std::size_t k = 0; k < p.producers.size(); ++k) {
      producers.emplace_back([&q, k, count = p.producers[k]] {
        for (int i = 0; i < count; ++i) q.put(static_cast<int>(k) * 100 + i, true, std::nullopt);
      });
    }
    for (int c = 0; c < p.consumers; ++c) {
      consumers.emplace_back([&q, &log, timed = p.timed] {
        for (;;) {
          const int item = get_retrying(q, timed);
          if (item == kStop) return;
          log.push_back(item);  // atomic with the get: no scheduling point between
        }
      });
    }
    for (Thread& t : producers) t.start();
    for (Thread& t : consumers) t.start();
    for (Thread& t : producers) t.join();
    for (int c = 0; c < p.consumers; ++c) q.put(kStop, true, std::nullopt);
    for (Thread& t : consumers) t.join();
    std::map<int, int> next;  // producer -> index of its next expected item
    for (int item : log) {
      const int k = item / 100, i = item % 100;
      BRAID_ASSERT(k >= 0 && k < static_cast<int>(p.producers.size()), "unknown item ", item);
      BRAID_ASSERT(i == next[k], "producer ", k, "'s item ", i, " came out when item ", next[k],
                   " was due (lost, duplicated or reordered)");
      ++next[k];
    }
    for (std::size_t k = 0; k < p.producers.size(); ++k) {
      BRAID_ASSERT(next[static_cast<int>(k)] == p.producers[k], "producer ", k, " sent ", p.producers[k],
                   " items, ", next[static_cast<int>(k)], " arrived");
    }
  });
}

struct TaskDoneProgram {
  int items = 1;
  int workers = 1;
  int maxsize = 0;
  std::uint64_t seed = 0;
};

inline void showValue(const TaskDoneProgram& p, std::ostream& os) {
  os << "TaskDoneProgram{items=" << p.items << ", workers=" << p.workers << ", maxsize=" << p.maxsize
     << ", seed=" << p.seed << '}';
}

inline rc::Gen<TaskDoneProgram> task_done_program() {
  return rc::gen::exec([] {
    TaskDoneProgram p;
    p.items = *rc::gen::inRange(0, 7);
    p.workers = *rc::gen::inRange(1, 4);
    p.maxsize = *rc::gen::inRange(0, 3);
    p.seed = *seed_gen();
    return p;
  });
}

template <class Q>
CheckResult check_task_done(const TaskDoneProgram& p, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p] {
    constexpr int kStop = -1;
    Q q(p.maxsize);
    Atomic<int> processed{0};
    std::vector<Thread> workers;
    for (int w = 0; w < p.workers; ++w) {
      workers.emplace_back([&] {
        for (;;) {
          const int item = q.get(true, std::nullopt);
          if (item != kStop) processed.fetch_add(1);
          q.task_done();
          if (item == kStop) return;
        }
      });
    }
    for (Thread& t : workers) t.start();
    for (int i = 0; i < p.items; ++i) q.put(i, true, std::nullopt);
    q.join();
    BRAID_ASSERT(processed.load() == p.items, "join() returned after ", processed.load(), " of ",
                 p.items, " items were processed");
    for (int w = 0; w < p.workers; ++w) q.put(kStop, true, std::nullopt);
    q.join();
    for (Thread& t : workers) t.join();
  });
}

struct OrderProgram {
  std::vector<std::vector<int>> producers;  // values each producer puts
  int consumers = 1;
  std::uint64_t seed = 0;
};

inline void showValue(const OrderProgram& p, std::ostream& os) {
  os << "OrderProgram{producers=";
  show_list(p.producers, os, [](const std::vector<int>& v, std::ostream& o) { show_int_list(v, o); });
  os << ", consumers=" << p.consumers << ", seed=" << p.seed << '}';
}

inline rc::Gen<OrderProgram> order_program() {
  return rc::gen::exec([] {
    OrderProgram p;
    const auto np = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
    for (std::size_t k = 0; k < np; ++k) {
      p.producers.push_back(*rc::gen::container<std::vector<int>>(
          static_cast<std::size_t>(*rc::gen::inRange(0, 4)), rc::gen::inRange(0, 20)));
    }
    p.consumers = *rc::gen::inRange(1, 4);
    p.seed = *seed_gen();
    return p;
  });
}

enum class Order { kLifo, kPriority };

// Producers put concurrently (each put logged atomically with it), then
// consumers drain concurrently with get_nowait (each get logged likewise).
template <class Q>
CheckResult check_order(const OrderProgram& p, Order order, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p, order] {
    Q q(0);
    std::vector<int> puts, gets;
    std::vector<Thread> producers, consumers;
    for (const std::vector<int>& values : p.producers) {
      producers.emplace_back([&q, &puts, values] {
        for (int v : values) {
          q.put(v, true, std::nullopt);
          puts.push_back(v);
        }
      });
    }
    for (Thread& t : producers) t.start();
    for (Thread& t : producers) t.join();
    for (int c = 0; c < p.consumers; ++c) {
      consumers.emplace_back([&q, &gets] {
        for (;;) {
          try {
            gets.push_back(q.get_nowait());
          } catch (const queue::Empty&) {
            return;
          }
        }
      });
    }
    for (Thread& t : consumers) t.start();
    for (Thread& t : consumers) t.join();
    std::vector<int> expected = puts;
    if (order == Order::kLifo) {
      std::reverse(expected.begin(), expected.end());
    } else {
      std::sort(expected.begin(), expected.end());
    }
    BRAID_ASSERT(gets == expected, order == Order::kLifo ? "LIFO" : "priority",
                 " order broken: ", puts.size(), " puts, ", gets.size(), " gets");
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::FifoProgram> {
  static Gen<braid::gen::FifoProgram> arbitrary() { return braid::gen::fifo_program(); }
};
template <>
struct Arbitrary<braid::gen::PxCProgram> {
  static Gen<braid::gen::PxCProgram> arbitrary() { return braid::gen::pxc_program(); }
};
template <>
struct Arbitrary<braid::gen::TaskDoneProgram> {
  static Gen<braid::gen::TaskDoneProgram> arbitrary() { return braid::gen::task_done_program(); }
};
template <>
struct Arbitrary<braid::gen::OrderProgram> {
  static Gen<braid::gen::OrderProgram> arbitrary() { return braid::gen::order_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_QUEUE_GEN_H_
