// tests/tsan/model_race.cc
// -----------------------------------------------------------------------------
// ThreadSanitizer inside the model: the tutorial's balance on a PLAIN int (not
// a Shared<int>), explored under braid's controlled scheduler in a build where
// the engine tells TSan about its fibers (the tsan preset). TSan reports the
// race inside a controlled interleaving and braid's report, with the replay
// line, follows. Modes: "racy" (no lock) and "locked" (one shared Lock: no
// report). BRAID_REPLAY=<token> replays the reported interleaving.
// Exit status: 0 when the exploration passed, 1 when it failed (TSan itself
// exits 66 when it printed a report).
// -----------------------------------------------------------------------------
#include <cstdio>
#include <cstring>
#include <mutex>

#include "braid/explore.h"
#include "braid/threading.h"

int main(int argc, char** argv) {
  const bool locked = argc > 1 && std::strcmp(argv[1], "locked") == 0;
  braid::Options options;
  options.executions = 300;
  options.seed = 7;
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
