// fuzz/schedule_programs.h
// -----------------------------------------------------------------------------
// The programs the schedule fuzzers explore: the tutorial's scenarios
// (scenarios/blog/) and seeded-bug programs of our own, each a test body whose
// invariants (BRAID_ASSERT, deadlock, data race, uncaught exception) are the
// oracle. Every buggy program has a fixed twin that must never fail.
//
// Families (one libFuzzer target each, fuzzing the family's fixed program by
// default; BRAID_FUZZ_PROGRAM=<name> picks any program):
//   balance    balance-lock | balance-nolock, balance-fresh-lock   (blog)
//   rlock      rlock-nesting, my-thread-rlock | my-thread-lock (blog), lock-order
//   queue      queue-pipeline | queue-check-then-get
//   condition  condition-handoff, event-gate | condition-if-not-while
//   processes  queue-write-read, pool-apply-async, fork-copy, process-join |
//              fork-expects-shared, queue-join-reader (blog: modelled processes)
//   counter    atomic-counter | lost-update-3, lost-update-4 (the failure needs
//              every thread's read before any write, after prefixes of 4, 14,
//              24, 34 steps)
// -----------------------------------------------------------------------------
#ifndef BRAID_FUZZ_SCHEDULE_PROGRAMS_H_
#define BRAID_FUZZ_SCHEDULE_PROGRAMS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace braid::fuzz {

struct Program {
  std::string name;
  std::string family;
  bool buggy = false;        // a seeded bug: exploring it must find a failure
  bool in_cli = false;       // a tutorial scenario: `braid replay ... <name>` knows it
  std::string summary;
  std::function<void()> body;
};

// Every program, fixed twins first within each family.
const std::vector<Program>& schedule_programs();

// The program called `name`, or null.
const Program* find_program(std::string_view name);

}  // namespace braid::fuzz

#endif  // BRAID_FUZZ_SCHEDULE_PROGRAMS_H_
