// libFuzzer target: decode arbitrary bytes with braid::codec.
//
// The first byte picks one of a few nested types (containers, optionals,
// variants, maps, a recursive struct); the rest is decoded as that type.
// Rejection with braid::codec::DecodeError is fine; any other exception, a
// crash, a hang, a sanitizer report or a huge allocation is a finding. A
// value that decodes must re-encode to exactly the input bytes (the encoding
// is canonical) and decode again to the same bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "braid/codec.h"

namespace {

enum class Kind : std::uint8_t { kA, kB };

struct Node {
  std::variant<std::monostate, std::int64_t, std::string, double> value;
  std::vector<Node> children;
  std::optional<Kind> kind;
  BRAID_CODEC_FIELDS(value, children, kind)
};

struct Message {
  std::uint32_t id = 0;
  std::map<std::string, std::vector<std::int16_t>> table;
  std::array<bool, 3> flags{};
  std::pair<float, std::optional<std::string>> extra;
  std::vector<std::tuple<>> marks;  // elements that encode as nothing
  BRAID_CODEC_FIELDS(id, table, flags, extra, marks)
};

using Flat = std::tuple<std::vector<std::string>, std::optional<std::int32_t>, std::map<std::uint8_t, bool>>;
using Pairs = std::vector<std::pair<std::array<std::uint16_t, 3>, std::vector<bool>>>;
using Table = std::map<std::int64_t, std::tuple<float, Kind, std::optional<std::vector<double>>>>;

template <class T>
void check(std::string_view bytes) {
  T value;
  try {
    value = braid::codec::decode<T>(bytes);
  } catch (const braid::codec::DecodeError&) {
    return;
  }
  const std::string again = braid::codec::encode(value);
  if (again != bytes || braid::codec::encoded_size(value) != bytes.size() ||
      braid::codec::encode(braid::codec::decode<T>(again)) != again) {
    std::fprintf(stderr, "decoded value does not re-encode to its input (%zu vs %zu bytes)\n",
                 again.size(), bytes.size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: check<Flat>(bytes); break;
    case 1: check<Node>(bytes); break;
    case 2: check<Pairs>(bytes); break;
    case 3: check<Table>(bytes); break;
    default: check<Message>(bytes); break;
  }
  return 0;
}
