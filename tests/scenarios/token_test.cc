// Replay tokens: round trips, the wording of every rejection, corruption and
// truncation detection, and the size of typical tokens.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "../../scenarios/report/token.h"

namespace braid::report {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Expects decode_token(token) to throw ValueError whose message contains `words`.
void expect_rejected(const std::string& token, const std::string& words) {
  try {
    TokenData data = decode_token(token);
    ADD_FAILURE() << "token \"" << token << "\" was accepted with " << data.choices.size() << " choices";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos)
        << "message \"" << e.what() << "\" lacks \"" << words << "\"";
  }
}

void put_varint(Bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// A payload header: strategy random, param 0, seed 7, execution 3, `count` choices.
Bytes header(std::uint64_t count, std::uint64_t strategy = 0) {
  Bytes b;
  put_varint(b, strategy);
  put_varint(b, 0);
  put_varint(b, 7);
  put_varint(b, 3);
  put_varint(b, count);
  return b;
}

std::vector<std::uint32_t> random_choices(std::size_t n, std::uint32_t bound, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> out(n);
  for (auto& c : out) c = static_cast<std::uint32_t>(rng() % bound);
  return out;
}

// Mostly 0 (the scheduler continuing the current thread), a switch now and then.
std::vector<std::uint32_t> mostly_same_choices(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> out(n, 0);
  for (auto& c : out)
    if (rng() % 20 == 0) c = 1 + static_cast<std::uint32_t>(rng() % 3);
  return out;
}

TokenData sample() {
  TokenData d;
  d.strategy = StrategyKind::kPct;
  d.strategy_param = 3;
  d.seed = 0x0123456789abcdefULL;
  d.execution = 41;
  d.choices = random_choices(100, 4, 1);
  return d;
}

TEST(TokenCodec, Crc32MatchesTheStandardCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(detail::crc32(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), 0xCBF43926u);
}

TEST(TokenCodec, Base64UrlRoundTripsEveryLength) {
  Bytes b;
  for (int n = 0; n < 20; ++n) {
    std::string text = detail::base64url_encode(b.data(), b.size());
    EXPECT_EQ(text.size(), (b.size() * 4 + 2) / 3);
    EXPECT_EQ(detail::base64url_decode(text), b);
    b.push_back(static_cast<std::uint8_t>(0xfb - 13 * n));
  }
  EXPECT_EQ(detail::base64url_encode(reinterpret_cast<const std::uint8_t*>("\xfb\xff"), 2), "-_8");
}

TEST(Token, StartsWithTheVersionPrefix) {
  EXPECT_EQ(encode_token(sample()).substr(0, 3), "b1.");
}

TEST(Token, RoundTripsEachChoiceEncoding) {
  TokenData d = sample();
  for (const auto& choices : {std::vector<std::uint32_t>{}, std::vector<std::uint32_t>{0},
                              std::vector<std::uint32_t>(500, 2),                     // runs
                              random_choices(300, 4, 2),                              // packed
                              std::vector<std::uint32_t>{0, 4'000'000'000u, 1, 7},    // varints
                              mostly_same_choices(400, 3)}) {                         // sparse
    d.choices = choices;
    EXPECT_EQ(decode_token(encode_token(d)), d) << encode_token(d);
  }
}

TEST(Token, StrategyNames) {
  EXPECT_STREQ(strategy_name(StrategyKind::kRandom), "random");
  EXPECT_STREQ(strategy_name(StrategyKind::kPct), "pct");
  EXPECT_STREQ(strategy_name(StrategyKind::kDfs), "dfs");
  EXPECT_STREQ(strategy_name(StrategyKind::kReplay), "replay");
  EXPECT_STREQ(strategy_name(StrategyKind::kFuzz), "fuzz");
  EXPECT_STREQ(strategy_name(static_cast<StrategyKind>(99)), "unknown");
}

rc::Gen<std::vector<std::uint32_t>> gen_choices() {
  using namespace rc;
  return gen::oneOf(gen::arbitrary<std::vector<std::uint32_t>>(),
                    gen::container<std::vector<std::uint32_t>>(gen::inRange<std::uint32_t>(0, 4)),
                    gen::map(gen::arbitrary<std::vector<std::pair<std::uint8_t, std::uint8_t>>>(),
                             [](const std::vector<std::pair<std::uint8_t, std::uint8_t>>& runs) {
                               std::vector<std::uint32_t> out;
                               for (auto [value, length] : runs) out.insert(out.end(), length, value % 5);
                               return out;
                             }));
}

RC_GTEST_PROP(TokenProperty, AnyTokenDataRoundTrips, ()) {
  TokenData d;
  d.strategy = *rc::gen::element(StrategyKind::kRandom, StrategyKind::kPct, StrategyKind::kDfs,
                                 StrategyKind::kReplay, StrategyKind::kFuzz);
  d.strategy_param = *rc::gen::arbitrary<std::uint32_t>();
  d.seed = *rc::gen::arbitrary<std::uint64_t>();
  d.execution = *rc::gen::arbitrary<std::uint64_t>();
  d.choices = *gen_choices();
  const std::string token = encode_token(d);
  RC_ASSERT(decode_token(token) == d);
  for (char c : token) {
    RC_ASSERT((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-');
  }
}

TEST(TokenRejects, Empty) { expect_rejected("", "replay token is empty"); }

TEST(TokenRejects, ForeignPrefix) {
  expect_rejected("x1.AAAAAAAA", "not a braid replay token");
  expect_rejected("b", "not a braid replay token");
  expect_rejected("b1", "not a braid replay token");
  expect_rejected("b.AAAA", "not a braid replay token");
  expect_rejected("B1.AAAA", "should start with \"b1.\"");
  expect_rejected("b12345678901.AAAA", "not a braid replay token");
}

TEST(TokenRejects, UnsupportedVersionIsNamed) {
  expect_rejected("b2.AAAAAAAA", "unsupported replay token version 2");
  expect_rejected("b0.AAAAAAAA", "unsupported replay token version 0");
  expect_rejected("b17." + encode_token(sample()).substr(3), "version 17: this build of braid reads version 1");
}

TEST(TokenRejects, BadCharacterIsNamedWithItsIndex) {
  std::string token = encode_token(sample());
  std::string bad = token;
  bad[10] = '%';
  expect_rejected(bad, "bad character '%' at index 10");
  expect_rejected(token + "=", "bad character '=' at index " + std::to_string(token.size()));
  bad = token;
  bad[5] = ' ';
  expect_rejected(bad, "bad character byte 0x20 at index 5");
  bad[5] = '\xc3';
  expect_rejected(bad, "bad character byte 0xc3 at index 5");
}

TEST(TokenRejects, ChecksumMismatch) {
  std::string token = encode_token(sample());
  token[6] = token[6] == 'A' ? 'B' : 'A';
  expect_rejected(token, "checksum mismatch: token is corrupt or was cut short");
}

TEST(TokenRejects, TruncatedVarint) {
  expect_rejected(detail::seal_payload({0x80}), "truncated varint in field 'strategy'");
  Bytes b = header(2);
  b.push_back(0);  // varints
  b.push_back(1);
  b.push_back(0x81);
  expect_rejected(detail::seal_payload(b), "truncated varint in field 'choice'");
  b = {0, 0, 0xff, 0xff};
  expect_rejected(detail::seal_payload(b), "truncated varint in field 'seed'");
}

TEST(TokenRejects, OverlongVarintAndOutOfRangeFields) {
  Bytes b = {0, 0};
  for (int i = 0; i < 10; ++i) b.push_back(0xff);
  b.push_back(0x01);
  expect_rejected(detail::seal_payload(b), "varint in field 'seed' overflows 64 bits");
  b = {0};
  put_varint(b, 1ULL << 32);
  expect_rejected(detail::seal_payload(b), "field 'strategy_param' is 4294967296, more than 32 bits allow");
  expect_rejected(detail::seal_payload(header(0, 9)), "unknown strategy 9");
  Bytes e = header(0);
  e.push_back(7);
  expect_rejected(detail::seal_payload(e), "unknown choice encoding 7");
  expect_rejected(detail::seal_payload(header(0)), "missing field 'choice encoding'");
}

TEST(TokenRejects, AbsurdSizesWithoutAllocating) {
  Bytes b = header(60'000'000);
  b.push_back(1);
  expect_rejected(detail::seal_payload(b), "declares 60000000 choices, more than the limit of 50000000");
  b = header(~0ULL);
  b.push_back(0);
  expect_rejected(detail::seal_payload(b), "more than the limit");
  // Within the limit, but more than the bytes can hold: refused before any allocation.
  for (std::uint8_t encoding : {0, 2}) {
    b = header(40'000'000);
    b.push_back(encoding);
    if (encoding == 2) b.push_back(32);
    b.insert(b.end(), {1, 2, 3});
    expect_rejected(detail::seal_payload(b), "declares 40000000 choices but holds fewer");
  }
  // Runs: the declared count is only reached by runs actually present.
  b = header(40'000'000);
  b.insert(b.end(), {1, 5, 9});
  expect_rejected(detail::seal_payload(b), "declares 40000000 choices but holds fewer");
  b = header(10);
  b.insert(b.end(), {1, 5, 10});
  expect_rejected(detail::seal_payload(b), "overflows the declared count 10");
  b = header(4);
  b.insert(b.end(), {2, 33});
  expect_rejected(detail::seal_payload(b), "packed width 33 is more than 32 bits");
}

TEST(TokenRejects, SparseEncodingBounds) {
  Bytes b = header(10);
  b.insert(b.end(), {3, 0, 2, 11, 1});  // common 0, width 2, 11 exceptions > 10 choices
  expect_rejected(detail::seal_payload(b), "declares 10 choices but holds fewer");
  b = header(10);
  b.insert(b.end(), {3, 0, 2, 2, (5 << 2) | 1});  // 2 exceptions, only one present
  expect_rejected(detail::seal_payload(b), "declares 10 choices but holds fewer");
  b = header(100);
  b.insert(b.end(), {3, 0, 2, 2, 0x85, 0x81});  // the first exception's varint never ends
  expect_rejected(detail::seal_payload(b), "truncated varint in field 'sparse exception'");
  b = header(10);
  b.insert(b.end(), {3, 0, 2, 1, (10 << 2) | 1});  // a gap of 10, then the exception: 11 choices
  expect_rejected(detail::seal_payload(b), "a gap of 10 choices overflows the declared count 10");
  b = header(10);
  b.insert(b.end(), {3, 0, 40, 0});
  expect_rejected(detail::seal_payload(b), "sparse width 40 is more than 32 bits");
  b = header(4);
  b.insert(b.end(), {3, 5, 2, 1, (2 << 2) | 3});
  TokenData d = decode_token(detail::seal_payload(b));
  EXPECT_EQ(d.choices, (std::vector<std::uint32_t>{5, 5, 3, 5}));
  EXPECT_EQ(d.seed, 7u);
  EXPECT_EQ(d.execution, 3u);
}

TEST(TokenRejects, TrailingGarbage) {
  Bytes b = header(2);
  b.insert(b.end(), {0, 1, 2, 0xaa});
  expect_rejected(detail::seal_payload(b), "trailing garbage: 1 unexpected byte(s) after the choices");
  b = header(3);
  b.insert(b.end(), {2, 2, 0x3f, 0xff});  // 3 two-bit choices in one byte, then one more
  expect_rejected(detail::seal_payload(b), "trailing garbage");
  b = header(3);
  b.insert(b.end(), {2, 2, 0x7f});  // padding bits 6..7 set
  expect_rejected(detail::seal_payload(b), "non-zero padding bits");
}

TEST(TokenRejects, EveryBitFlipAnywhere) {
  const std::string token = encode_token(sample());
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = token;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_THROW(decode_token(bad), ValueError) << "index " << i << " bit " << bit;
    }
  }
}

TEST(TokenRejects, EveryTruncation) {
  for (const TokenData& d : {sample(), TokenData{}}) {
    const std::string token = encode_token(d);
    for (std::size_t n = 0; n < token.size(); ++n) {
      EXPECT_THROW(decode_token(token.substr(0, n)), ValueError) << "length " << n;
    }
    for (std::size_t n = 4; n < token.size(); ++n) {
      expect_rejected(token.substr(0, n), "token is corrupt or was cut short");
    }
  }
}

TEST(TokenSize, ThousandChoices) {
  TokenData d = sample();
  d.choices = random_choices(1000, 4, 7);
  const std::string random4 = encode_token(d);
  d.choices = mostly_same_choices(1000, 7);
  const std::string mostly = encode_token(d);
  d.choices.assign(1000, 0);
  const std::string same = encode_token(d);
  d.choices = random_choices(1000, 4, 7);
  for (auto& c : d.choices) c = c * 3 + 250;  // values past one varint byte
  const std::string wide = encode_token(d);
  std::cout << "1000 choices: random 0..3 -> " << random4.size() << " chars; mostly one value -> "
            << mostly.size() << " chars; all one value -> " << same.size() << " chars; random 250..259 -> "
            << wide.size() << " chars\n";
  RecordProperty("chars_random_0_3", static_cast<int>(random4.size()));
  RecordProperty("chars_mostly_same", static_cast<int>(mostly.size()));
  RecordProperty("chars_all_same", static_cast<int>(same.size()));
  // Structural bounds, not timings: 2 bits per choice plus a small header.
  EXPECT_LE(random4.size(), 3 + (1000 / 4 + 40) * 4 / 3 + 1);
  EXPECT_LT(mostly.size() * 2, random4.size());
  EXPECT_LT(same.size(), 40u);
}

TEST(Token, ManyChoicesInRunsDecode) {
  TokenData d;
  d.choices.assign(1'000'000, 1);
  d.choices.back() = 2;
  const std::string token = encode_token(d);
  EXPECT_LT(token.size(), 40u);
  EXPECT_EQ(decode_token(token), d);
}

}  // namespace
}  // namespace braid::report
