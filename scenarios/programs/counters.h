// scenarios/programs/counters.h
// -----------------------------------------------------------------------------
// The counter programs the exhaustive-exploration issue names, shared by the
// counts tests and the benchmarks:
//
//   S1(t x n): t threads, each n times {acquire a Lock; read a Shared<int>
//              counter; write counter + 1; release}; main starts all, joins
//              all, and asserts counter == t * n. Its distinct executions are
//              its lock-acquisition orders: (t*n)! / (n!)^t.
//   S2(t x n): the same without the lock, the counter an Atomic<int> read and
//              written as two steps: updates are lost in some interleavings.
//
// Both run as the body of braid::explore (they use BRAID_ASSERT).
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_PROGRAMS_COUNTERS_H_
#define BRAID_SCENARIOS_PROGRAMS_COUNTERS_H_

namespace braid::programs {

// S1(threads x iterations): locked increments of a Shared<int>.
void locked_counter(int threads, int iterations);

// S2(threads x iterations): unlocked load-then-store increments of an Atomic<int>.
void racy_atomic_counter(int threads, int iterations);

}  // namespace braid::programs

#endif  // BRAID_SCENARIOS_PROGRAMS_COUNTERS_H_
