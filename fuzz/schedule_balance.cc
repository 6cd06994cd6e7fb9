// libFuzzer target: schedule fuzzing of the "balance" family (schedule_programs.h).
// By default it fuzzes the fixed program "balance-lock", which must never fail;
// BRAID_FUZZ_PROGRAM=<name> fuzzes another program (e.g. a seeded bug).
#include "schedule_driver.h"

BRAID_SCHEDULE_FUZZER("balance-lock")
