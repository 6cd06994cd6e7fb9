// scenarios/generators/queue_lin_gen.h
// -----------------------------------------------------------------------------
// Generated queue histories checked for linearizability
// (generators/linearizability.h, braid::gen::lin).
//
//   HistoryProgram  2-3 threads, each a sequence (1-6) of put_nowait, timed put,
//                   get_nowait and timed get on one queue of maxsize 0-3. Every
//                   operation is recorded with its invocation and response
//                   (Full and Empty included). Property: the history of every
//                   explored execution is linearizable against a sequential
//                   queue of the same order and maxsize.
//
// check_linearizable<Q>(program, order) needs Q(maxsize), put(item, block,
// timeout), get(block, timeout); Full and Empty as braid::queue::Full/Empty.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_GENERATORS_QUEUE_LIN_GEN_H_
#define BRAID_SCENARIOS_GENERATORS_QUEUE_LIN_GEN_H_

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "braid/errors.h"
#include "braid/thread.h"
#include "generators/common.h"
#include "generators/linearizability.h"

namespace braid::gen {

// One queue operation of a generated history.
enum class QueueOp : std::uint8_t { kPutNowait, kPutTimed, kGetNowait, kGetTimed };

struct HistoryProgram {
  std::vector<std::vector<QueueOp>> threads;
  int maxsize = 0;
  std::uint64_t seed = 0;
};

inline const char* queue_op_name(QueueOp op) {
  switch (op) {
    case QueueOp::kPutNowait: return "put_nowait";
    case QueueOp::kPutTimed: return "put(1ms)";
    case QueueOp::kGetNowait: return "get_nowait";
    case QueueOp::kGetTimed: return "get(1ms)";
  }
  return "?";
}

inline void showValue(const HistoryProgram& p, std::ostream& os) {
  os << "HistoryProgram{threads=";
  show_list(p.threads, os, [](const std::vector<QueueOp>& ops, std::ostream& o) {
    show_list(ops, o, [](QueueOp op, std::ostream& oo) { oo << queue_op_name(op); });
  });
  os << ", maxsize=" << p.maxsize << ", seed=" << p.seed << '}';
}

inline rc::Gen<HistoryProgram> history_program() {
  return rc::gen::exec([] {
    HistoryProgram p;
    const int n = *rc::gen::inRange(2, 4);
    for (int i = 0; i < n; ++i) {
      p.threads.push_back(*rc::gen::container<std::vector<QueueOp>>(
          static_cast<std::size_t>(*rc::gen::inRange(1, 7)),
          rc::gen::element(QueueOp::kPutNowait, QueueOp::kPutTimed, QueueOp::kGetNowait, QueueOp::kGetTimed)));
    }
    p.maxsize = *rc::gen::inRange(0, 4);
    p.seed = *seed_gen();
    return p;
  });
}

template <class Q>
CheckResult check_linearizable(const HistoryProgram& p, lin::Order order, const CaseBudget& budget = {}) {
  return explore_case(case_options(p.seed, budget), [&p, order] {
    using namespace std::chrono_literals;
    Q q(p.maxsize);
    lin::Recorder rec;
    std::vector<Thread> threads;
    for (std::size_t k = 0; k < p.threads.size(); ++k) {
      threads.emplace_back([&q, &rec, &ops = p.threads[k], k] {
        const auto me = static_cast<std::uint32_t>(k + 1);
        int next = 0;
        for (QueueOp op : ops) {
          const lin::Recorder::Id id = rec.invoke(0, me);
          if (op == QueueOp::kPutNowait || op == QueueOp::kPutTimed) {
            const int v = static_cast<int>(me) * 100 + next++;
            try {
              q.put(v, op == QueueOp::kPutTimed, op == QueueOp::kPutTimed ? Timeout(1ms) : std::nullopt);
              rec.put(id, v);
            } catch (const queue::Full&) {
              rec.put_full(id);
            }
          } else {
            try {
              const int v = q.get(op == QueueOp::kGetTimed, op == QueueOp::kGetTimed ? Timeout(1ms) : std::nullopt);
              rec.get(id, v);
            } catch (const queue::Empty&) {
              rec.get_empty(id);
            }
          }
        }
      });
    }
    for (Thread& t : threads) t.start();
    for (Thread& t : threads) t.join();
    const lin::Result r = lin::check(rec.history(), lin::Model{order, static_cast<std::size_t>(p.maxsize)});
    BRAID_ASSERT(r.ok, "queue history is not linearizable:\n", r.explanation);
  });
}

}  // namespace braid::gen

namespace rc {
template <>
struct Arbitrary<braid::gen::HistoryProgram> {
  static Gen<braid::gen::HistoryProgram> arbitrary() { return braid::gen::history_program(); }
};
}  // namespace rc

#endif  // BRAID_SCENARIOS_GENERATORS_QUEUE_LIN_GEN_H_
