// Tests for braid/codec.h: the wire format of each supported type, round
// trips (hand-picked values and RapidCheck properties), and every class of
// corrupt input: truncation at every offset, bad tags, oversized and
// non-minimal lengths, out-of-range variant indices, unordered map keys,
// excessive nesting and trailing bytes.
#include "braid/codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "braid/errors.h"

namespace {

using braid::codec::decode;
using braid::codec::decode_from;
using braid::codec::DecodeError;
using braid::codec::encode;
using braid::codec::encode_to;
using braid::codec::encoded_size;
using namespace std::string_literals;

enum class Color : std::uint8_t { kRed = 1, kBlue = 200 };
enum Plain : std::int64_t { kMinusOne = -1 };

struct Point {
  int x = 0;
  int y = 0;
  BRAID_CODEC_FIELDS(x, y)
  bool operator==(const Point&) const = default;
  bool operator<(const Point& o) const { return std::tie(x, y) < std::tie(o.x, o.y); }
};

// Private members, a member left out of the field list, a trailing semicolon.
class Account {
 public:
  Account() = default;
  Account(std::string owner, std::int64_t cents, int cache) : owner_(std::move(owner)), cents_(cents), cache_(cache) {}
  bool operator==(const Account&) const = default;
  int cache() const { return cache_; }

 private:
  std::string owner_;
  std::int64_t cents_ = 0;
  int cache_ = -1;

 public:
  BRAID_CODEC_FIELDS(owner_, cents_);
};

// A recursive type: nesting is bounded by kMaxDepth.
struct Tree {
  std::string label;
  std::vector<Tree> children;
  BRAID_CODEC_FIELDS(label, children)
  bool operator==(const Tree&) const = default;
};

struct Empty {
  BRAID_CODEC_FIELDS()
  bool operator==(const Empty&) const = default;
};

// Encodes, checks the size, decodes, re-encodes to the same bytes; every
// strict prefix and one extra byte must be rejected.
template <class T>
T round_trip(const T& v) {
  const std::string bytes = encode(v);
  EXPECT_EQ(bytes.size(), encoded_size(v));
  T back = decode<T>(bytes);
  EXPECT_EQ(encode(back), bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    EXPECT_THROW(decode<T>(std::string_view(bytes).substr(0, i)), DecodeError) << "prefix " << i;
  }
  EXPECT_THROW(decode<T>(bytes + "\x00"s), DecodeError);
  return back;
}

template <class T>
std::string decode_error(std::string_view bytes) {
  try {
    decode<T>(bytes);
  } catch (const DecodeError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no DecodeError";
  return "";
}

// -- wire format --------------------------------------------------------------------

TEST(CodecFormat, NumbersAreFixedWidthLittleEndian) {
  EXPECT_EQ(encode(true), "\x01"s);
  EXPECT_EQ(encode(false), "\x00"s);
  EXPECT_EQ(encode(std::int32_t{1}), "\x01\x00\x00\x00"s);
  EXPECT_EQ(encode(std::int16_t{-2}), "\xfe\xff"s);
  EXPECT_EQ(encode(std::uint64_t{0x0102030405060708}), "\x08\x07\x06\x05\x04\x03\x02\x01"s);
  EXPECT_EQ(encode(1.0), "\x00\x00\x00\x00\x00\x00\xf0\x3f"s);
  EXPECT_EQ(encode(Color::kBlue), "\xc8"s);
  EXPECT_EQ(encode(kMinusOne).size(), 8u);
}

TEST(CodecFormat, LengthsAreMinimalVarints) {
  EXPECT_EQ(encode(""s), "\x00"s);
  EXPECT_EQ(encode("ab"s), "\x02" "ab"s);
  EXPECT_EQ(encode(std::string(300, 'x')).substr(0, 2), "\xac\x02"s);
  EXPECT_EQ(encode(std::vector<std::uint8_t>{7, 8}), "\x02\x07\x08"s);
  EXPECT_EQ(encode(std::array<std::uint8_t, 2>{7, 8}), "\x07\x08"s);
}

TEST(CodecFormat, OptionalVariantAndStructs) {
  EXPECT_EQ(encode(std::optional<std::uint8_t>()), "\x00"s);
  EXPECT_EQ(encode(std::optional<std::uint8_t>(5)), "\x01\x05"s);
  EXPECT_EQ(encode(std::variant<std::monostate, std::uint8_t>()), "\x00"s);
  EXPECT_EQ(encode(std::variant<std::monostate, std::uint8_t>(std::uint8_t{9})), "\x01\x09"s);
  EXPECT_EQ(encode(Point{1, 2}), encode(std::tuple<int, int>(1, 2)));
  EXPECT_EQ(encode(Empty{}), "");
  EXPECT_EQ(encode(std::map<std::uint8_t, bool>{{2, true}, {1, false}}), "\x02\x01\x00\x02\x01"s);
}

TEST(Codec, EncodeToAppends) {
  std::string out = "head";
  encode_to(out, std::int32_t{7});
  encode_to(out, "x"s);
  EXPECT_EQ(out, "head\x07\x00\x00\x00\x01x"s);
}

TEST(Codec, DecodeFromReadsASequence) {
  std::string bytes = encode(std::int32_t{1}) + encode("two"s) + encode(Point{3, 4});
  std::string_view in = bytes;
  EXPECT_EQ(decode_from<std::int32_t>(in), 1);
  EXPECT_EQ(decode_from<std::string>(in), "two");
  EXPECT_EQ(decode_from<Point>(in), (Point{3, 4}));
  EXPECT_TRUE(in.empty());
  EXPECT_THROW(decode_from<std::int32_t>(in), DecodeError);
}

// -- round trips ----------------------------------------------------------------------

template <class T>
void expect_limits() {
  for (T v : {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T{0}, T{1}}) {
    EXPECT_EQ(round_trip(v), v);
  }
}

TEST(Codec, IntegerLimits) {
  expect_limits<std::int8_t>();
  expect_limits<std::uint8_t>();
  expect_limits<std::int16_t>();
  expect_limits<std::uint16_t>();
  expect_limits<std::int32_t>();
  expect_limits<std::uint32_t>();
  expect_limits<std::int64_t>();
  expect_limits<std::uint64_t>();
  expect_limits<char>();
  EXPECT_EQ(round_trip(true), true);
  EXPECT_EQ(round_trip(false), false);
}

TEST(Codec, FloatsKeepTheirBits) {
  for (double d : {0.0, -0.0, 1.5, -1e300, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min()}) {
    EXPECT_EQ(encode(round_trip(d)), encode(d));
  }
  EXPECT_TRUE(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::signbit(round_trip(-0.0f)));
  EXPECT_EQ(round_trip(3.25f), 3.25f);
}

TEST(Codec, EnumsAndStrings) {
  EXPECT_EQ(round_trip(Color::kRed), Color::kRed);
  EXPECT_EQ(round_trip(kMinusOne), kMinusOne);
  EXPECT_EQ(round_trip(static_cast<Color>(77)), static_cast<Color>(77));
  EXPECT_EQ(round_trip("with\0nul"s), "with\0nul"s);
  EXPECT_EQ(round_trip(std::string(1000, 'z')), std::string(1000, 'z'));
}

TEST(Codec, Containers) {
  EXPECT_EQ(round_trip(std::vector<int>{}), std::vector<int>{});
  EXPECT_EQ(round_trip(std::vector<int>{1, -2, 3}), (std::vector<int>{1, -2, 3}));
  EXPECT_EQ(round_trip(std::vector<bool>{true, false, true}), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(round_trip(std::vector<Color>{Color::kBlue}), std::vector<Color>{Color::kBlue});
  EXPECT_EQ(round_trip(std::vector<std::string>{"a", "", "ccc"}), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(round_trip(std::array<double, 3>{1, 2, 3}), (std::array<double, 3>{1, 2, 3}));
  EXPECT_EQ(round_trip(std::array<bool, 2>{true, false}), (std::array<bool, 2>{true, false}));
  EXPECT_EQ(round_trip(std::pair<int, std::string>(1, "x")), (std::pair<int, std::string>(1, "x")));
  EXPECT_EQ(round_trip(std::tuple<>()), std::tuple<>());
  EXPECT_EQ(round_trip(std::tuple<bool, std::int8_t, std::string>(true, -1, "t")),
            (std::tuple<bool, std::int8_t, std::string>(true, -1, "t")));
  EXPECT_EQ(round_trip(std::optional<std::string>()), std::nullopt);
  EXPECT_EQ(round_trip(std::optional<std::string>("v")), "v");
  const std::map<std::string, std::vector<int>> m{{"a", {1}}, {"b", {}}, {"c", {2, 3}}};
  EXPECT_EQ(round_trip(m), m);
  using V = std::variant<std::monostate, int, std::string, Point>;
  for (const V& v : {V(), V(5), V("s"s), V(Point{1, 2})}) EXPECT_EQ(round_trip(v), v);
}

TEST(Codec, UserStructs) {
  EXPECT_EQ(round_trip(Point{-1, 7}), (Point{-1, 7}));
  EXPECT_EQ(round_trip(Empty{}), Empty{});
  const Account back = round_trip(Account("ann", -5, 42));
  EXPECT_EQ(back, Account("ann", -5, -1));  // cache_ is not a listed field
  EXPECT_EQ(back.cache(), -1);
  const Tree t{"root", {{"a", {}}, {"b", {{"c", {}}}}}};
  EXPECT_EQ(round_trip(t), t);
}

TEST(Codec, DeepNesting) {
  using Deep = std::map<Point, std::vector<std::optional<std::tuple<Tree, std::array<Color, 2>>>>>;
  Deep d;
  d[Point{1, 1}].push_back(std::nullopt);
  d[Point{0, 5}].push_back(std::tuple<Tree, std::array<Color, 2>>{Tree{"x", {{"y", {}}}}, {Color::kRed, Color::kBlue}});
  EXPECT_EQ(round_trip(d), d);
}

// -- properties ---------------------------------------------------------------------

template <class T>
void check_property_round_trip(const T& v) {
  const std::string bytes = encode(v);
  RC_ASSERT(bytes.size() == encoded_size(v));
  const T back = decode<T>(bytes);
  RC_ASSERT(encode(back) == bytes);
  // A strict prefix is never a whole encoding; an extra byte is never accepted.
  const auto cut = *rc::gen::inRange<std::size_t>(0, bytes.size() + 1);
  if (cut < bytes.size()) RC_ASSERT_THROWS_AS(decode<T>(bytes.substr(0, cut)), DecodeError);
  RC_ASSERT_THROWS_AS(decode<T>(bytes + *rc::gen::arbitrary<char>()), DecodeError);
}

RC_GTEST_PROP(CodecProperty, Scalars, (bool b, std::int64_t i, std::uint16_t u, double d, char c)) {
  const auto v = std::make_tuple(b, i, u, d, c);
  check_property_round_trip(v);
  RC_ASSERT(std::get<1>(decode<decltype(v)>(encode(v))) == i);
}

RC_GTEST_PROP(CodecProperty, Strings, (const std::vector<std::string>& v)) {
  check_property_round_trip(v);
  RC_ASSERT(decode<std::vector<std::string>>(encode(v)) == v);
}

RC_GTEST_PROP(CodecProperty, Maps, (const std::map<std::int32_t, std::vector<std::uint64_t>>& m)) {
  check_property_round_trip(m);
  RC_ASSERT((decode<std::map<std::int32_t, std::vector<std::uint64_t>>>(encode(m)) == m));
}

RC_GTEST_PROP(CodecProperty, NestedWithOptionalsAndStructs,
              (const std::vector<std::pair<std::string, std::int8_t>>& items, const std::vector<bool>& present)) {
  std::vector<std::optional<std::pair<Point, std::string>>> v;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i < present.size() && present[i]) {
      v.emplace_back(std::pair<Point, std::string>{Point{items[i].second, static_cast<int>(i)}, items[i].first});
    } else {
      v.emplace_back(std::nullopt);
    }
  }
  check_property_round_trip(v);
  RC_ASSERT(decode<decltype(v)>(encode(v)) == v);
}

RC_GTEST_PROP(CodecProperty, ArbitraryBytesDecodeOrThrow, (const std::string& bytes)) {
  using T = std::tuple<std::vector<std::string>, std::optional<std::int32_t>, std::map<std::uint8_t, bool>>;
  try {
    const T v = decode<T>(bytes);
    RC_ASSERT(encode(v) == bytes);  // canonical: accepted bytes re-encode exactly
  } catch (const DecodeError&) {
  }
}

// -- corrupt input ------------------------------------------------------------------

TEST(CodecCorrupt, MessagesSayWhatAndWhere) {
  const std::string bytes = encode(std::tuple<std::int64_t, std::int32_t, double>(1, 2, 3.0));
  using T = std::tuple<std::int64_t, std::int32_t, double>;
  EXPECT_EQ(decode_error<T>(bytes.substr(0, 15)),
            "codec: truncated input: need 8 bytes for double at offset 12, 3 left");
  EXPECT_EQ(decode_error<std::int32_t>("\x01\x00\x00\x00\x00"s),
            "codec: 1 byte of trailing input after the int32 ending at offset 4");
  EXPECT_EQ(decode_error<std::string>("\x05" "ab"s),
            "codec: length 5 of string at offset 0 is more than the 2 bytes left can hold");
  EXPECT_EQ(decode_error<std::optional<int>>(""s),
            "codec: truncated input: need 1 byte for tag of optional<int32> at offset 0, 0 left");
}

TEST(CodecCorrupt, DecodeErrorIsAValueError) {
  try {
    decode<int>("");
    FAIL();
  } catch (const braid::ValueError& e) {
    EXPECT_STREQ(e.type_name(), "UnpicklingError");
  }
}

TEST(CodecCorrupt, BadTags) {
  EXPECT_EQ(decode_error<bool>("\x02"s), "codec: invalid bool byte 0x02 at offset 0 (must be 0 or 1)");
  EXPECT_THROW(decode<std::vector<bool>>("\x02\x01\xff"s), DecodeError);
  EXPECT_THROW((decode<std::array<bool, 1>>("\x80"s)), DecodeError);
  EXPECT_EQ((decode_error<std::pair<std::uint8_t, std::optional<int>>>("\x00\x07"s)),
            "codec: invalid tag 0x07 of optional<int32> at offset 1 (must be 0 or 1)");
  using V = std::variant<int, std::string>;
  EXPECT_EQ(decode_error<V>("\x02\x00"s), "codec: index 2 of variant<int32, string> at offset 0 is out of range");
  EXPECT_THROW(decode<V>("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s), DecodeError);
}

TEST(CodecCorrupt, OversizedLengthsAreRejectedBeforeAllocating) {
  // Lengths near 2^63 and 2^64-1: a decoder that allocated first would abort.
  const std::string huge = "\xff\xff\xff\xff\xff\xff\xff\xff\x7f"s;
  const std::string max = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s;
  for (const std::string& len : {huge, max}) {
    EXPECT_THROW(decode<std::string>(len + "abc"), DecodeError);
    EXPECT_THROW(decode<std::vector<std::uint64_t>>(len + "abc"), DecodeError);
    EXPECT_THROW(decode<std::vector<std::vector<int>>>(len + "abc"), DecodeError);
    EXPECT_THROW((decode<std::map<int, int>>(len + "abc")), DecodeError);
  }
  // 3 bytes left hold 3 empty inner vectors (1 byte each) but not 4.
  EXPECT_EQ(decode<std::vector<std::vector<int>>>("\x03\x00\x00\x00"s).size(), 3u);
  EXPECT_THROW(decode<std::vector<std::vector<int>>>("\x04\x00\x00\x00"s), DecodeError);
  // 8 bytes hold two int32 but not three.
  EXPECT_THROW(decode<std::vector<std::int32_t>>("\x03" + std::string(8, '\0')), DecodeError);
}

TEST(CodecCorrupt, VarintsMustBeMinimalAndFit) {
  EXPECT_EQ(decode_error<std::string>("\x80\x00"s), "codec: length of string at offset 0 is not in minimal form");
  EXPECT_THROW(decode<std::string>("\x81\x80\x00"s), DecodeError);
  EXPECT_EQ(decode_error<std::string>("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"s),
            "codec: length of string at offset 0 does not fit in 64 bits");
  EXPECT_THROW(decode<std::string>("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"s), DecodeError);
  EXPECT_EQ(decode_error<std::string>("\x80"s),
            "codec: truncated input: need 1 byte for length of string at offset 1, 0 left");
}

TEST(CodecCorrupt, MapKeysMustIncrease) {
  const auto pairs = [](std::vector<std::pair<std::uint8_t, std::uint8_t>> v) { return encode(v); };
  EXPECT_EQ((decode<std::map<std::uint8_t, std::uint8_t>>(pairs({{1, 0}, {2, 0}})).size()), 2u);
  EXPECT_EQ((decode_error<std::map<std::uint8_t, std::uint8_t>>(pairs({{2, 0}, {1, 0}}))),
            "codec: key of map<uint8, uint8> at offset 3 is not greater than the previous key "
            "(keys must be strictly increasing)");
  EXPECT_THROW((decode<std::map<std::uint8_t, std::uint8_t>>(pairs({{1, 0}, {1, 1}}))), DecodeError);
}

TEST(CodecCorrupt, TruncationAtEveryOffset) {
  const std::map<std::string, std::tuple<Tree, std::optional<Account>, std::vector<double>>> v{
      {"k", {Tree{"t", {{"u", {}}}}, Account("bob", 3, 0), {1.5, 2.5}}}, {"l", {}}};
  round_trip(v);  // checks every prefix and a trailing byte
}

// Bytes of a Tree nested `depth` levels deep: each level is one child.
std::string nested_tree(unsigned depth) {
  std::string bytes;
  for (unsigned i = 1; i < depth; ++i) bytes += "\x00\x01"s;  // empty label, one child
  return bytes + "\x00\x00"s;                                 // empty label, no children
}

TEST(CodecCorrupt, NestingIsBounded) {
  using braid::codec::kMaxDepth;
  EXPECT_NO_THROW(decode<Tree>(nested_tree(kMaxDepth)));
  EXPECT_THROW(decode<Tree>(nested_tree(kMaxDepth + 1)), DecodeError);
  EXPECT_THROW(decode<Tree>(nested_tree(1'000'000)), DecodeError);  // no stack overflow
  Tree deep;
  Tree* leaf = &deep;
  for (unsigned i = 0; i < kMaxDepth; ++i) leaf = &leaf->children.emplace_back();
  EXPECT_THROW(encode(deep), braid::ValueError);
  leaf = &deep;
  for (unsigned i = 0; i + 1 < kMaxDepth; ++i) leaf = &leaf->children[0];
  leaf->children.clear();
  EXPECT_EQ(decode<Tree>(encode(deep)), deep);
}

TEST(CodecCorrupt, ElementsThatEncodeAsNothingAreCounted) {
  using braid::codec::kMaxEmptyElements;
  EXPECT_EQ(round_trip(std::vector<std::tuple<>>(3)).size(), 3u);
  EXPECT_EQ(round_trip(std::vector<Empty>(2)).size(), 2u);
  EXPECT_EQ(encode(std::vector<std::monostate>(5)), "\x05"s);
  const std::map<std::monostate, std::tuple<>> one{{std::monostate{}, {}}};
  EXPECT_EQ(round_trip(one), one);
  EXPECT_THROW((decode<std::map<std::monostate, std::tuple<>>>("\x02"s)), DecodeError);  // duplicate key
  EXPECT_EQ(decode<std::vector<std::tuple<>>>(encode(std::vector<std::tuple<>>(kMaxEmptyElements))).size(),
            kMaxEmptyElements);
  EXPECT_EQ(decode_error<std::vector<std::tuple<>>>("\x81\x80\x40"s),
            "codec: length 1048577 of vector<tuple<>> at offset 0 exceeds the limit of 1048576 elements "
            "that encode as nothing");
  EXPECT_THROW(decode<std::vector<std::tuple<>>>("\xff\xff\xff\xff\xff\xff\xff\xff\x7f"s), DecodeError);
  EXPECT_THROW(encode(std::vector<std::tuple<>>(kMaxEmptyElements + 1)), braid::ValueError);
}

}  // namespace
