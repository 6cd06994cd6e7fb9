// libFuzzer target: decode arbitrary bytes as a replay token.
//
// An input that starts with a 0 byte is the payload of a version-1 token: the
// target seals it (prefix, checksum, base64url) first, so that the payload
// parser is exercised past the checksum. Any other input is the token text.
//
// Rejection with braid::ValueError is fine; any other exception, a crash, a
// sanitizer report, or a decoded token that does not survive re-encoding is a
// finding. Decoded tokens of up to 2^20 choices are re-encoded and must
// decode to the same data.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "report/token.h"

constexpr std::size_t kMaxRoundTripChoices = std::size_t{1} << 20;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using braid::report::TokenData;
  std::string token;
  if (size > 0 && data[0] == 0) {
    token = braid::report::detail::seal_payload(std::vector<std::uint8_t>(data + 1, data + size));
  } else {
    token.assign(reinterpret_cast<const char*>(data), size);
  }
  TokenData decoded;
  try {
    decoded = braid::report::decode_token(token);
  } catch (const braid::ValueError&) {
    return 0;
  }
  // Runs and sparse choices let a few bytes describe millions of choices; the
  // decoder handles those, but re-encoding them on every such input would
  // slow the fuzzer to a crawl for no new coverage.
  if (decoded.choices.size() > kMaxRoundTripChoices) return 0;
  const std::string again = braid::report::encode_token(decoded);
  if (!(braid::report::decode_token(again) == decoded)) {
    std::fprintf(stderr, "re-encoded token decodes differently: %s\n", again.c_str());
    std::abort();
  }
  return 0;
}
