// tests/helpers/chatter.h
// -----------------------------------------------------------------------------
// The protocol of braid_chatter (chatter_main.cc), shared with the tests that
// drive it: the deterministic bytes it writes and the trailer that reports
// what it read, so a test can compute the exact expected output.
//
//   braid_chatter seed=7 out=100000 err=5000 [read=all|N] [exit=N] [gate=FD]
//   braid_chatter fds        (prints its open descriptors: "0 1 2\n")
//
// The program reads its stdin and writes `out` bytes to stdout and `err`
// bytes to stderr in random-sized chunks, interleaved at random (seeded) with
// its reads, so that it blocks on full pipes in every order. With read=N it
// reads at most N bytes and then closes its stdin (the writer sees EPIPE).
// With gate=FD it stops halfway through its output until FD reaches end of
// file. Last it writes the trailer "in=<bytes read> fnv=<16 hex digits>\n" to
// stdout and exits with `exit` (default 0).
// -----------------------------------------------------------------------------
#ifndef BRAID_TESTS_HELPERS_CHATTER_H_
#define BRAID_TESTS_HELPERS_CHATTER_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace braid::testing_support {

inline std::uint64_t chatter_mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Byte `i` of stream `stream` (1 stdout, 2 stderr) for `seed`, written into
// out[0 .. n) for positions offset .. offset + n.
inline void chatter_fill(std::uint64_t seed, int stream, std::uint64_t offset, std::size_t n,
                         char* out) {
  const std::uint64_t key = chatter_mix(seed * 4 + static_cast<std::uint64_t>(stream));
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint64_t i = offset + k;
    const std::uint64_t word = chatter_mix(key ^ (i >> 3));
    out[k] = static_cast<char>(word >> (8 * (i & 7)));
  }
}

inline std::string chatter_bytes(std::uint64_t seed, int stream, std::size_t n) {
  std::string s(n, '\0');
  chatter_fill(seed, stream, 0, n, s.data());
  return s;
}

// FNV-1a, 64 bits, continued from `h`.
inline std::uint64_t chatter_fnv(std::string_view data, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

inline std::string chatter_trailer(std::uint64_t count, std::uint64_t fnv) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "in=%llu fnv=%016llx\n", static_cast<unsigned long long>(count),
                static_cast<unsigned long long>(fnv));
  return buf;
}

// What braid_chatter writes to stdout after reading `input`.
inline std::string chatter_expected_stdout(std::uint64_t seed, std::size_t out,
                                           std::string_view input) {
  return chatter_bytes(seed, 1, out) + chatter_trailer(input.size(), chatter_fnv(input));
}

}  // namespace braid::testing_support

#endif  // BRAID_TESTS_HELPERS_CHATTER_H_
