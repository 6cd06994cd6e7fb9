// tests/tsan/model_race.cc
// -----------------------------------------------------------------------------
// ThreadSanitizer inside the model: the tutorial's balance on a PLAIN int (not
// a Shared<int>), explored under braid's controlled scheduler in a build where
// the engine tells TSan about its fibers (the tsan preset). TSan reports the
// race inside a controlled interleaving and braid's report, with the replay
// line, follows. Modes: "racy" (no lock) and "locked" (one shared Lock: no
// report). BRAID_REPLAY=<token> replays the reported interleaving.
// Mode "processes": modelled multiprocessing (Process, Pipe, wait() on several
// connections, Queue, Pool, terminate) with no race, so no report: the
// primitives give TSan their happens-before and hide their bookkeeping.
// BRAID_TSAN_MODEL=0 switches TSan inside the model off (it is on by default).
// Exit status: 0 when the exploration passed, 1 when it failed (TSan itself
// exits 66 when it printed a report).
// -----------------------------------------------------------------------------
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <mutex>

#include <vector>

#include "braid/explore.h"
#include "braid/multiprocessing.h"
#include "braid/threading.h"

namespace {

int square(int x) { return x * x; }

// Every message and result crosses a channel; plain memory written before a
// start() is read by the child after it.
void processes_program() {
  using braid::mp::Connection;
  int base = 40;  // plain: the child reads its parent's write from before start()
  braid::mp::Queue<int> queue;
  std::vector<Connection> readers;
  std::vector<braid::mp::Process> children;
  for (int i = 0; i < 2; ++i) {
    auto [reader, writer] = braid::mp::Pipe(false);
    readers.push_back(reader);
    children.emplace_back([writer = writer, &queue, &base, i] {
      writer.send(base + i);
      queue.put(i);
    });
  }
  // Children that only start and end: their exits release the pipe ends
  // they inherited, with nothing else in between.
  children.emplace_back([] {});
  children.emplace_back([] { braid::mp::exit(3); });
  for (braid::mp::Process& p : children) p.start();
  int sum = 0;
  std::vector<Connection> open = readers;
  while (!open.empty()) {
    for (const Connection& c : braid::mp::wait(open)) {
      sum += c.recv<int>();
      std::erase_if(open, [&c](const Connection& o) { return o.impl() == c.impl(); });
    }
  }
  const int got = queue.get() + queue.get();
  for (braid::mp::Process& p : children) p.join();
  BRAID_ASSERT(sum == 81 && got == 1, "sum ", sum, " got ", got);
  BRAID_ASSERT(children[0].exitcode() == 0 && children[1].exitcode() == 0 && children[2].exitcode() == 0 &&
               children[3].exitcode() == 3);

  braid::mp::Pool pool(2);
  const std::vector<int> squares = pool.map(square, std::vector<int>{1, 2, 3});
  pool.close();
  pool.join();
  BRAID_ASSERT(squares == std::vector<int>({1, 4, 9}));

  auto [reader, writer] = braid::mp::Pipe(false);
  braid::mp::Process sleeper([reader = reader] { (void)reader.poll(std::nullopt); });
  sleeper.start();
  sleeper.terminate();
  sleeper.join();
  BRAID_ASSERT(sleeper.exitcode() == -SIGTERM, "exit code ", sleeper.exitcode().value_or(0));
  BRAID_ASSERT(braid::mp::active_children().empty());
}

}  // namespace

int main(int argc, char** argv) {
  const bool locked = argc > 1 && std::strcmp(argv[1], "locked") == 0;
  braid::Options options;
  options.executions = 300;
  options.seed = 7;
  if (argc > 1 && std::strcmp(argv[1], "processes") == 0) {
    options.executions = 100;
    braid::Report report = braid::explore(options, processes_program);
    std::printf("%s\n", report.to_string().c_str());
    std::printf("executions=%llu ok=%d\n", static_cast<unsigned long long>(report.executions), report.ok ? 1 : 0);
    return report.ok ? 0 : 1;
  }
  braid::Report report = braid::explore(options, [locked] {
    int balance = 0;  // plain memory: only TSan can see a race on it
    braid::Lock lock;
    auto run_thread = [&](int n) {
      for (int i = 0; i < 3; ++i) {
        if (locked) lock.acquire();
        balance = balance + n;
        // A scheduling point between the two updates (which also keeps the
        // compiler from folding them into nothing).
        braid::runtime::visible(braid::runtime::Op::kYield, nullptr);
        balance = balance - n;
        if (locked) lock.release();
      }
    };
    braid::Thread t1(run_thread, 5), t2(run_thread, 8);
    t1.start();
    t2.start();
    t1.join();
    t2.join();
    BRAID_ASSERT(balance == 0, "balance ended at ", balance);
  });
  std::printf("%s\n", report.to_string().c_str());
  std::printf("executions=%llu ok=%d\n", static_cast<unsigned long long>(report.executions), report.ok ? 1 : 0);
  return report.ok ? 0 : 1;
}
