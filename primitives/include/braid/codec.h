// braid/codec.h
// -----------------------------------------------------------------------------
// A typed binary codec: the bytes braid's multiprocessing moves between
// processes (mp::Queue, Pipe/Connection, Pool task and result traffic).
//
// Python's multiprocessing pickles every object it sends; pickle is
// self-describing, so the receiver learns the type from the bytes. braid is
// typed instead: both ends name the C++ type, and the bytes carry only the
// values. `encode(v)` plays `pickle.dumps(v)` and `decode<T>(bytes)` plays
// `pickle.loads(bytes)`; a corrupt or truncated message raises DecodeError where
// Python raises pickle.UnpicklingError.
//
//   std::string bytes = braid::codec::encode(std::pair{7, std::string("job")});
//   auto [id, name] = braid::codec::decode<std::pair<int, std::string>>(bytes);
//
// Supported types, in any nesting:
//   bool                        one byte, 0 or 1
//   integers, float, double     fixed width, little-endian (int32 is 4 bytes);
//                               decode must use the same width as encode
//   enums                       as their underlying integer (not range-checked)
//   std::string                 length, then the bytes
//   std::vector<T>              length, then the elements
//   std::array<T, N>            the N elements (no length)
//   std::pair, std::tuple       the elements in order
//   std::optional<T>            tag byte 0 (empty) or 1, then the value
//   std::map<K, V>              length, then key/value pairs in key order
//   std::variant<Ts...>         alternative index (a length), then the value;
//                               std::monostate encodes as nothing
//   user structs                the members listed by BRAID_CODEC_FIELDS, in
//                               that order (see below)
// Lengths are unsigned LEB128 varints (one byte below 128) in minimal form.
// long double, pointers, references and bit-fields are not supported.
//
// Decoding never trusts the input. Every length is checked against the bytes
// left before anything is allocated (a vector of n elements needs at least
// n * (smallest element encoding) bytes), every tag is checked (bool 0/1,
// optional 0/1, variant index in range, map keys strictly increasing, varints
// minimal), user structs nest at most kMaxDepth deep, vectors of elements
// that encode as nothing hold at most kMaxEmptyElements, and `decode` requires
// that all input is consumed. Corrupt input therefore raises DecodeError with
// what was being decoded and the byte offset, e.g.
//   "codec: truncated input: need 8 bytes for double at offset 12, 3 left";
// it never crashes, hangs, or allocates more than a small multiple of the
// input size. Encoding is canonical: decode(encode(x)) == x, and the bytes of
// a successfully decoded value re-encode to exactly the same bytes.
//
// Cost: encoding computes the size first and grows the output once; an int
// encodes into a short string with no allocation and no virtual call.
// Vectors and arrays of numbers are copied in bulk.
//
// Thread safety: encode/decode are pure functions of their arguments.
//
// Python equivalence: pickle.dumps / pickle.loads as used by multiprocessing
// (ForkingPickler), pickle.UnpicklingError.
// -----------------------------------------------------------------------------
#ifndef BRAID_CODEC_H_
#define BRAID_CODEC_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "braid/errors.h"

namespace braid::codec {

// DecodeError
//
// Corrupt, truncated or over-long input to `decode` (and corrupt frames in
// braid/detail/frame_io.h). A ValueError, so code catching ValueError sees
// it; `type_name()` is Python's "UnpicklingError". `what()` names the thing
// being decoded and the byte offset.
BRAID_DEFINE_ERROR(DecodeError, ::braid::ValueError, "UnpicklingError");

// The deepest nesting of user structs inside user structs that encode and
// decode accept (only recursive types such as a tree can reach it). Deeper
// input is a DecodeError; encoding a deeper value throws ValueError.
inline constexpr unsigned kMaxDepth = 256;

// The most elements a vector (or entries a map) may hold when its elements
// encode as nothing (std::tuple<>, std::monostate, a struct listing no
// fields), so that no length in the input is bounded by the bytes left.
// Longer input is a DecodeError; encoding a longer one throws ValueError.
inline constexpr std::size_t kMaxEmptyElements = std::size_t{1} << 20;

namespace detail {
// Reaches the members a struct lists in BRAID_CODEC_FIELDS (a friend of it).
struct FieldAccess {
  template <class T>
  static auto fields(T& v) noexcept -> decltype(v.braid_codec_fields_()) {
    return v.braid_codec_fields_();
  }
};
}  // namespace detail

}  // namespace braid::codec

// BRAID_CODEC_FIELDS(a, b, c)
//
// Makes a struct or class encodable: place it inside the class body, listing
// the data members to encode, in order. Members may be private and of any
// supported type, including the class itself inside a container (a tree:
// `std::vector<Node> children`). The class must be default-constructible to
// be decoded; members not listed keep their default value. The macro does not
// change the access of the declarations that follow it.
//
//   struct Task {
//     int id = 0;
//     std::string name;
//     std::vector<double> args;
//     BRAID_CODEC_FIELDS(id, name, args)
//   };
//
// Python equivalence: what pickle does for a class through its __dict__ (or
// __getstate__/__setstate__), with the field list made explicit.
#define BRAID_CODEC_FIELDS(...)                                  \
  friend struct ::braid::codec::detail::FieldAccess;             \
  auto braid_codec_fields_() & noexcept {                        \
    return ::std::tie(__VA_ARGS__);                              \
  }                                                              \
  auto braid_codec_fields_() const& noexcept {                   \
    return ::std::tie(__VA_ARGS__);                              \
  }

#include "braid/detail/codec_impl.h"  // IWYU pragma: export

namespace braid::codec {

// encoded_size(v)
//
// The number of bytes `encode(v)` produces. Throws ValueError if user structs
// nest deeper than kMaxDepth.
template <class T>
std::size_t encoded_size(const T& v) {
  detail::Sizer s;
  detail::add_size(s, v);
  return s.n;
}

// encode_to(out, v)
//
// Appends the encoding of `v` to `out`, growing `out` once. Throws ValueError
// if user structs nest deeper than kMaxDepth (then `out` is unchanged).
//
// Python equivalence: pickle.dump(v, file) into a growing buffer.
template <class T>
void encode_to(std::string& out, const T& v) {
  const std::size_t n = encoded_size(v);
  const std::size_t old = out.size();
  out.resize(old + n);
  detail::put(out.data() + old, v);
}

// encode(v)
//
// The encoding of `v` as a byte string. Throws ValueError only for nesting
// deeper than kMaxDepth.
//
// Python equivalence: pickle.dumps(v).
template <class T>
std::string encode(const T& v) {
  std::string out;
  encode_to(out, v);
  return out;
}

// decode<T>(bytes)
//
// The value of type T encoded in `bytes`, which must be exactly one
// encoding: leftover bytes are an error. T must be default-constructible.
// Throws DecodeError for truncated, corrupt or trailing input.
//
// Python equivalence: pickle.loads(bytes).
template <class T>
T decode(std::string_view bytes) {
  detail::Reader r(bytes);
  std::remove_cv_t<T> value{};
  detail::read(r, value);
  if (r.left() != 0) detail::throw_trailing(r, &detail::type_name<T>);
  return value;
}

// decode_from<T>(bytes)
//
// Decodes one T from the front of `bytes` and advances `bytes` past it, so a
// sequence of encodings can be read one after another. Offsets in error
// messages count from the front of `bytes` as passed. Throws DecodeError;
// `bytes` is unchanged then.
//
// Python equivalence: pickle.load(file) on a stream of pickles.
template <class T>
T decode_from(std::string_view& bytes) {
  detail::Reader r(bytes);
  std::remove_cv_t<T> value{};
  detail::read(r, value);
  bytes.remove_prefix(r.offset());
  return value;
}

}  // namespace braid::codec

#endif  // BRAID_CODEC_H_
