// The tutorial's first thread programs: the LoopThread and the thread-local
// students.
//
//   def loop():                                  # LoopThread
//       n = 0
//       while n < 5:
//           n = n + 1
//           time.sleep(1)
//   t = threading.Thread(target=loop, name='LoopThread'); t.start(); t.join()
//
//   local_school = threading.local()             # students
//   def process_thread(name):
//       local_school.student = name
//       process_student()                        # reads local_school.student
//   threading.Thread(target=process_thread, args=('Alice',), name='Thread-A')
#include <chrono>
#include <string>

#include "blog/scenario.h"
#include "braid/threading.h"
#include "braid/tracked.h"

namespace braid::blog {
namespace {

void loop_thread_program() {
  Shared<int> steps{0};
  auto loop = [&] {
    BRAID_ASSERT(current_thread().name() == "LoopThread", "running in ", current_thread().name());
    int n = 0;
    while (n < 5) {
      n = n + 1;
      steps = n;
      braid::sleep(std::chrono::seconds(1));
    }
  };
  Thread t(ThreadOptions{.name = "LoopThread"}, loop);
  t.start();
  t.join();
  BRAID_ASSERT(steps == 5, "the loop ran ", steps.load(), " times, not 5");
  BRAID_ASSERT(current_thread().name() == "MainThread", "main is ", current_thread().name());
}

void students_program() {
  Local<std::string> student;
  auto process_student = [&](const std::string& expected) {
    const std::string& std = student.get();
    BRAID_ASSERT(std == expected, current_thread().name(), " sees student ", std, ", not ",
                 expected);
  };
  auto process_thread = [&](std::string name) {
    student.get() = name;
    process_student(name);
  };
  Thread a(ThreadOptions{.name = "Thread-A"}, process_thread, std::string("Alice"));
  Thread b(ThreadOptions{.name = "Thread-B"}, process_thread, std::string("Bob"));
  a.start();
  b.start();
  a.join();
  b.join();
  BRAID_ASSERT(student.get().empty(), "main sees a student: ", student.get());
}

}  // namespace

void add_thread_scenarios(std::vector<Scenario>& out) {
  out.push_back({"loop-thread",
                 "a named thread loops five times with 1 s sleeps (virtual time: instant)",
                 "threading.Thread(target=loop, name='LoopThread')", Verdict::kPass,
                 FailureKind::kNone, loop_thread_program});
  out.push_back({"local-students",
                 "threading.local(): each thread reads back its own student, never another's",
                 "local_school = threading.local()", Verdict::kPass, FailureKind::kNone,
                 students_program});
}

}  // namespace braid::blog
