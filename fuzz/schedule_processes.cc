// libFuzzer target: schedule fuzzing of the "processes" family (schedule_programs.h):
// the tutorial's multiprocessing programs, run as modelled processes (each in
// its own simulated address space). By default it fuzzes "queue-write-read",
// which must never fail; BRAID_FUZZ_PROGRAM=<name> fuzzes another program
// (e.g. the seeded bug "queue-join-reader").
#include "schedule_driver.h"

BRAID_SCHEDULE_FUZZER("queue-write-read")
