// The tutorial's process programs: fork, Process + join, a Pool of workers,
// and a Queue between a writer and a reader process. Under the model each
// process is a logical thread in its own simulated address space (tracked
// variables are copied at the fork), so these explore like thread programs.
//
//   pid = os.fork()                              # fork: the child has a copy
//   if pid == 0: ...child...                     # of the parent's memory
//
//   def run_proc(name): print('Run child process %s (%s)...' % (name, os.getpid()))
//   p = Process(target=run_proc, args=('test',)); p.start(); p.join()
//
//   def long_time_task(name):
//       time.sleep(random.random() * 3)
//   p = Pool(4)
//   for i in range(5): p.apply_async(long_time_task, args=(i,))
//   p.close(); p.join()
//
//   def write(q):
//       for value in ['A', 'B', 'C']: q.put(value); time.sleep(random.random())
//   def read(q):
//       while True: value = q.get(True)
//   pw.start(); pr.start(); pw.join(); pr.terminate()
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "blog/scenario.h"
#include "braid/multiprocessing.h"
#include "braid/thread.h"
#include "braid/tracked.h"

namespace braid::blog {
namespace {

using std::chrono::milliseconds;

// random.random() * scale: a scheduler choice under the model (so every
// duration is explored and replays), a fixed value on real processes.
milliseconds random_sleep(int steps, milliseconds unit) {
  runtime::Model* m = runtime::model();
  const auto k = m != nullptr ? static_cast<int>(m->choose(static_cast<std::uint64_t>(steps))) : 1;
  return unit * k;
}

// fork: the child changes its copy of the balance; the parent's is untouched.
// With `expect_shared` the parent wrongly expects to see the child's write.
void fork_program(bool expect_shared) {
  Shared<int> balance{100};
  mp::Process child([&] { balance.store(balance.load() + 50); });
  child.start();
  child.join();
  BRAID_ASSERT(child.exitcode() == 0, "the child exited with ", child.exitcode().value_or(-1));
  if (expect_shared) {
    BRAID_ASSERT(balance.load() == 150, "the parent's balance is ", balance.load(),
                 ": a child process never writes into its parent's memory");
  } else {
    BRAID_ASSERT(balance.load() == 100, "the child's write reached the parent: balance ", balance.load());
  }
}

void run_proc(const std::string& name) { BRAID_ASSERT(name == "test", "run_proc got ", name); }

void process_join_program() {
  mp::Process p(run_proc, std::string("test"));
  p.start();
  BRAID_ASSERT(p.pid().has_value(), "a started process has a pid");
  p.join();
  BRAID_ASSERT(p.exitcode() == 0, "the child exited with ", p.exitcode().value_or(-1));
  BRAID_ASSERT(!p.is_alive(), "a joined process is not alive");
}

// long_time_task: sleeps a random time; returns its (start, end) in
// milliseconds of the (virtual) clock.
std::pair<long long, long long> long_time_task(int name) {
  (void)name;
  auto ms = [] { return std::chrono::duration_cast<milliseconds>(runtime::now()).count(); };
  const long long start = ms();
  braid::sleep(random_sleep(4, milliseconds(1000)));
  return {start, ms()};
}

constexpr int kPoolSize = 3;
constexpr int kTasks = 5;

void pool_program() {
  mp::Pool pool(kPoolSize);
  std::vector<mp::AsyncResult<std::pair<long long, long long>>> results;
  for (int i = 0; i < kTasks; ++i) results.push_back(pool.apply_async(long_time_task, i));
  pool.close();
  pool.join();
  std::vector<std::pair<long long, long long>> spans;
  for (auto& r : results) spans.push_back(r.get());
  BRAID_ASSERT(spans.size() == kTasks, "results delivered: ", spans.size());
  // At no moment do more tasks run than the pool has workers.
  for (const auto& [start, end] : spans) {
    int running = 0;
    for (const auto& [s, e] : spans) running += (s <= start && start < e) ? 1 : 0;
    BRAID_ASSERT(running <= kPoolSize, running, " tasks ran at once in a pool of ", kPoolSize);
  }
}

void write(mp::Queue<std::string>& q) {
  for (const char* value : {"A", "B", "C"}) {
    q.put(value);
    braid::sleep(random_sleep(3, milliseconds(300)));
  }
}

void read(mp::Queue<std::string>& q, int count) {
  const std::string expected = "ABC";
  for (int i = 0; count < 0 || i < count; ++i) {
    const std::string value = q.get();
    BRAID_ASSERT(i < 3 && value == expected.substr(static_cast<std::size_t>(i), 1), "the reader got ", value,
                 " as item ", i + 1);
  }
}

// The tutorial's writer/reader; with `join_reader` the parent joins the
// reader (which reads forever) instead of terminating it: a deadlock.
void queue_program(bool join_reader) {
  mp::Queue<std::string> q;
  mp::Process pw([&q] { write(q); });
  mp::Process pr([&q] { read(q, -1); });
  pw.start();
  pr.start();
  pw.join();
  if (join_reader) {
    pr.join();
  } else {
    pr.terminate();
    pr.join();
  }
}

}  // namespace

void add_process_scenarios(std::vector<Scenario>& out) {
  out.push_back({"fork-copy",
                 "a forked child changes its copy of a variable; the parent's copy is untouched",
                 "pid = os.fork()", Verdict::kPass, FailureKind::kNone, [] { fork_program(false); }});
  out.push_back({"fork-expects-shared",
                 "the parent expects to see its child's write: processes share no memory (fails)",
                 "pid = os.fork()", Verdict::kFail, FailureKind::kAssertion, [] { fork_program(true); }});
  out.push_back({"process-join", "start a child process running run_proc('test') and join it",
                 "Process(target=run_proc, args=('test',))", Verdict::kPass, FailureKind::kNone,
                 process_join_program});
  out.push_back({"pool-apply-async",
                 "Pool(3) runs five tasks with random sleeps (virtual time); never more than 3 at once",
                 "p = Pool(3); p.apply_async(long_time_task, args=(i,))", Verdict::kPass, FailureKind::kNone,
                 pool_program});
  out.push_back({"queue-write-read",
                 "a writer process puts A, B, C; a reader process gets them in order; then it is terminated",
                 "q = Queue(); Process(target=write, args=(q,))", Verdict::kPass, FailureKind::kNone,
                 [] { queue_program(false); }});
  out.push_back({"queue-join-reader",
                 "joining the reader, which reads forever, instead of terminating it: a deadlock (fails)",
                 "pr.join()  # instead of pr.terminate()", Verdict::kFail, FailureKind::kDeadlock,
                 [] { queue_program(true); }});
}

}  // namespace braid::blog
