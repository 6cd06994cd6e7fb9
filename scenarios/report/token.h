// report/token.h
// -----------------------------------------------------------------------------
// Replay tokens: the short printable string that reproduces one execution.
//
// When an exploration fails, braid prints the failing execution as a token:
//
//   BRAID_REPLAY=b1.AQO5YBEJAgIQKgEmvle7 ctest --test-dir build -R 'Suite.Test'
//
// The token carries the strategy that found the execution, its parameter, the
// run's seed, the index of the execution within the run and every scheduler
// decision of the execution, so the replay strategy can feed the same choices
// back and get the same interleaving on any machine.
//
// Format, version 1
// -----------------
//
//   token    = "b1." base64url(payload || crc32)        (no '=' padding)
//   payload  = varint strategy        (StrategyKind as integer, 0..4)
//              varint strategy_param  (fits 32 bits)
//              varint seed
//              varint execution
//              varint count           (number of choices, <= kMaxTokenChoices)
//              byte   encoding        (how the choices follow, see below)
//              choices
//   crc32    = CRC-32 (IEEE 802.3, the zlib one) of the ASCII prefix "b1."
//              followed by the payload, 4 bytes little-endian.
//
// `varint` is unsigned LEB128: 7 bits per byte, low group first, high bit set
// on every byte but the last; at most 10 bytes. The choices use whichever of
// four encodings is smallest for the list at hand:
//
//   0 (varints)  `count` varints, one per choice.
//   1 (runs)     pairs (varint value, varint run_length - 1) until `count`
//                choices are described; a schedule that mostly continues the
//                same thread collapses to a few bytes.
//   2 (packed)   one byte `width` (0..32), then the choices as `width`-bit
//                fields, least significant bit first, in ceil(count*width/8)
//                bytes; unused bits of the last byte are zero. Random choices
//                among 4 threads cost 2 bits each.
//   3 (sparse)   varint `common` (the most frequent value), byte `width`
//                (0..32, bits of the largest other value), varint `exceptions`,
//                then per choice that is not `common`, in order, one varint
//                (gap << width) | value, where gap counts the `common` choices
//                since the previous exception; the choices after the last
//                exception are `common`. A schedule that mostly makes one
//                choice with scattered switches costs about a byte per switch.
//
// Measured (tests/scenarios/token_test.cc prints them), 1,000 choices with a
// 64-bit seed: uniformly random in 0..3 -> 363 characters (packed, 2 bits
// each); mostly 0 with a switch to 1..3 one time in 20 -> 133 (sparse); all
// one value -> 30 (packed with width 0, or runs).
//
// The alphabet of a token is [A-Za-z0-9_.-]: it can be pasted into a shell,
// an environment variable, a URL or a file name without quoting.
//
// Versioning: the number after 'b' is the format version. A reader accepts only
// the versions it knows and names the version it found otherwise; new formats
// take a new number rather than changing this one.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_REPORT_TOKEN_H_
#define BRAID_SCENARIOS_REPORT_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "braid/errors.h"

namespace braid::report {

// StrategyKind
//
// The exploration strategy that produced an execution. The integer values are
// part of the token format: never renumber, only append.
enum class StrategyKind : std::uint8_t { kRandom = 0, kPct = 1, kDfs = 2, kReplay = 3, kFuzz = 4 };

// TokenData
//
// Everything a replay token carries.
struct TokenData {
  StrategyKind strategy = StrategyKind::kRandom;
  std::uint32_t strategy_param = 0;  // PCT depth, DFS bound, ...
  std::uint64_t seed = 0;
  std::uint64_t execution = 0;       // index of the execution within the run
  std::vector<std::uint32_t> choices;  // every scheduler decision of the execution, in order
  bool operator==(const TokenData&) const = default;
};

// The format version this build writes and reads.
inline constexpr unsigned kTokenVersion = 1;

// The prefix of every token this build writes.
inline constexpr std::string_view kTokenPrefix = "b1.";

// The largest number of choices a token may carry. A decoder never allocates
// more than this many choices, nor more than the token's bytes describe.
inline constexpr std::uint64_t kMaxTokenChoices = 50'000'000;

// encode_token()
//
// Returns the token for `data`: "b1." followed by base64url characters, using
// the smallest choice encoding. Throws ValueError if `data` has more than
// kMaxTokenChoices choices (no decoder would accept the token).
std::string encode_token(const TokenData& data);

// decode_token()
//
// Parses a token written by encode_token. Throws braid::ValueError, with a
// message that names the problem, when `token`
//   * is empty ("replay token is empty");
//   * does not start with "b<digits>." ("not a braid replay token ...");
//   * has a version other than 1 ("unsupported replay token version 7 ...");
//   * holds a character outside base64url ("... bad character '%' at index 12");
//   * fails its checksum, including any truncation or single-bit change
//     ("... token is corrupt or was cut short");
//   * has a well-formed checksum around a malformed payload: a truncated or
//     over-long varint, an unknown strategy or encoding, a value out of range,
//     more than kMaxTokenChoices choices, fewer choice bytes than declared, or
//     bytes after the choices ("trailing garbage").
// Never crashes, never loops for longer than the input is long (plus the
// choices it describes), never allocates more than the input can describe.
TokenData decode_token(std::string_view token);

// strategy_name()
//
// "random", "pct", "dfs", "replay" or "fuzz"; "unknown" for any other value.
const char* strategy_name(StrategyKind kind) noexcept;

namespace detail {

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), continuing from `crc`
// (0 for a fresh checksum). crc32("123456789") == 0xCBF43926.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) noexcept;

// Base64url without padding, and its strict inverse (throws ValueError naming
// the first bad character's index, offset by `index_base` for messages).
std::string base64url_encode(const std::uint8_t* data, std::size_t size);
std::vector<std::uint8_t> base64url_decode(std::string_view text, std::size_t index_base = 0);

// Wraps an arbitrary payload as a version-1 token (prefix, checksum, base64url).
// Tests and the fuzzer use it to reach the payload parser past the checksum.
std::string seal_payload(const std::vector<std::uint8_t>& payload);

}  // namespace detail
}  // namespace braid::report

#endif  // BRAID_SCENARIOS_REPORT_TOKEN_H_
