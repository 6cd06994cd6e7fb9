// fuzz/schedule_driver.h
// -----------------------------------------------------------------------------
// The body of every schedule fuzzer (fuzz/schedule_<family>.cc): one
// libFuzzer input = one execution of a program (schedule_programs.h) under
// the schedule the bytes describe (braid::run_bytes). A failure prints the
// braid report, with its replay token and command, and aborts: a libFuzzer
// crash, whose input file `braid replay --from-fuzz FILE <scenario>` (for the
// tutorial's scenarios) or `BRAID_FUZZ_PROGRAM=<name> <fuzzer> FILE` turns
// back into the report.
//
// Environment:
//   BRAID_FUZZ_PROGRAM=<name>   fuzz that program instead of the target's own
//   BRAID_FUZZ_FEATURES=0       no interleaving features (code coverage only)
//   BRAID_REPLAY=<token>        replay the token on the program, print the
//                               report and trace, exit (1 if it fails)
// Interleaving features (reads-from and conflicting pairs, braid/fuzz.h) are
// folded into libFuzzer's extra counters (`__libfuzzer_extra_counters`).
// -----------------------------------------------------------------------------
#ifndef BRAID_FUZZ_SCHEDULE_DRIVER_H_
#define BRAID_FUZZ_SCHEDULE_DRIVER_H_

#include <cstddef>
#include <cstdint>

namespace braid::fuzz {

// LLVMFuzzerInitialize's work for a target whose own program is `program`.
void initialize(const char* program, int* argc, char*** argv);

// LLVMFuzzerTestOneInput's work.
int run_input(const std::uint8_t* data, std::size_t size);

}  // namespace braid::fuzz

// Defines the two libFuzzer entry points for a target fuzzing `program`.
#define BRAID_SCHEDULE_FUZZER(program)                                                        \
  extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {                              \
    ::braid::fuzz::initialize(program, argc, argv);                                           \
    return 0;                                                                                 \
  }                                                                                           \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {         \
    return ::braid::fuzz::run_input(data, size);                                              \
  }

#endif  // BRAID_FUZZ_SCHEDULE_DRIVER_H_
