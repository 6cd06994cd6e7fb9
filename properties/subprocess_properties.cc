// braid::subprocess properties, checked with real children (braid_chatter,
// tests/helpers/): whatever the sizes of input, output and error, and whether
// the child stops reading early or the first call times out,
// Popen::communicate() returns exactly the bytes the child wrote, never
// deadlocks, and leaves no descriptor and no child behind.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "braid/subprocess.h"
#include "helpers/chatter.h"
#include "helpers/subprocess_test_support.h"

namespace {

using namespace braid::subprocess;
using namespace braid::testing_support;

// A size: mostly small or around a pipe's buffer, sometimes up to `max`.
rc::Gen<std::size_t> size_up_to(std::size_t max) {
  return rc::gen::oneOf(rc::gen::inRange<std::size_t>(0, 200),
                        rc::gen::inRange<std::size_t>(65536 - 100, 65536 + 100),
                        rc::gen::inRange<std::size_t>(0, max + 1));
}

RC_GTEST_PROP(SubprocessProperties, CommunicateReturnsExactlyTheBytes, ()) {
  const auto seed = *rc::gen::inRange<std::uint32_t>(0, 1000000);
  const std::size_t in_size = *size_up_to(8u << 20);
  const std::size_t out_size = *size_up_to(4u << 20);
  const std::size_t err_size = *size_up_to(4u << 20);
  // Sometimes the child reads only a prefix and closes its stdin (EPIPE).
  const bool read_all = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
  const std::size_t read_limit = read_all ? in_size : *rc::gen::inRange<std::size_t>(0, in_size + 1);
  // Sometimes a first call times out; the second must still get everything.
  const bool first_times_out = *rc::gen::arbitrary<bool>();

  const int fds_before = count_open_fds();
  const std::string input = chatter_bytes(seed, 0, in_size);
  Popen::Output result;
  {
    Popen p({kChatter, "seed=" + std::to_string(seed), "out=" + std::to_string(out_size),
             "err=" + std::to_string(err_size),
             "read=" + (read_all ? std::string("all") : std::to_string(read_limit))},
            {.stdin_ = PIPE, .stdout_ = PIPE, .stderr_ = PIPE});
    if (first_times_out) {
      try {
        result = p.communicate(input, std::chrono::milliseconds(1));
      } catch (const TimeoutExpired& e) {
        RC_ASSERT(e.output.value_or("").size() <= out_size + 64);
        result = p.communicate();
      }
    } else {
      result = p.communicate(input);
    }
    RC_ASSERT(p.returncode() == std::optional<int>(0));
  }
  const std::string expected_out =
      chatter_expected_stdout(seed, out_size, std::string_view(input).substr(0, read_limit));
  RC_ASSERT(result.stdout_.value().size() == expected_out.size());
  RC_ASSERT(*result.stdout_ == expected_out);
  RC_ASSERT(*result.stderr_ == chatter_bytes(seed, 2, err_size));
  RC_ASSERT(count_open_fds() == fds_before);
  RC_ASSERT(no_children());
}

}  // namespace
