// The tutorial's MyThreadLock and MyThreadRLock: a thread that takes the same
// lock twice. A plain Lock has no owner, so the second acquire waits for a
// release that never comes (a deadlock); an RLock counts its owner's
// acquisitions and lets it in.
//
//   class MyThread(threading.Thread):
//       def run(self):
//           if lock.acquire():
//               if lock.acquire():      # Lock: blocks forever; RLock: ok
//                   num = num + 1
//                   lock.release()
//               lock.release()
#include "blog/scenario.h"
#include "braid/threading.h"
#include "braid/tracked.h"

namespace braid::blog {
namespace {

// acquire() is a try-acquire for clang's thread-safety analysis, and taking a
// lock twice is the point of this program: no static analysis here.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wthread-safety-analysis"
#endif
template <typename L>
void my_thread_program() {
  L lock;
  Shared<int> num{0};
  auto run = [&] {
    lock.acquire();
    lock.acquire();
    num = num + 1;
    lock.release();
    lock.release();
  };
  std::vector<Thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(run);
  for (Thread& t : threads) t.start();
  for (Thread& t : threads) t.join();
  BRAID_ASSERT(num == 3, "num is ", num.load(), ", not 3");
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

}  // namespace

void add_lock_scenarios(std::vector<Scenario>& out) {
  out.push_back({"my-thread-lock",
                 "a thread acquires a plain Lock it already holds: deadlock",
                 "lock = threading.Lock(); lock.acquire(); lock.acquire()", Verdict::kFail,
                 FailureKind::kDeadlock, [] { my_thread_program<Lock>(); }});
  out.push_back({"my-thread-rlock",
                 "the same with an RLock: reentrant, so every thread finishes and num == 3",
                 "lock = threading.RLock(); lock.acquire(); lock.acquire()", Verdict::kPass,
                 FailureKind::kNone, [] { my_thread_program<RLock>(); }});
}

}  // namespace braid::blog
