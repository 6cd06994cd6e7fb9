// libFuzzer target: schedule fuzzing of the "queue" family (schedule_programs.h).
// By default it fuzzes the fixed program "queue-pipeline", which must never fail;
// BRAID_FUZZ_PROGRAM=<name> fuzzes another program (e.g. a seeded bug).
#include "schedule_driver.h"

BRAID_SCHEDULE_FUZZER("queue-pipeline")
