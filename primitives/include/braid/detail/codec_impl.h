// braid/detail/codec_impl.h
// -----------------------------------------------------------------------------
// The machinery behind braid/codec.h (include that instead). Three overload
// families over the supported types, dispatched with `if constexpr`:
//
//   add_size(Sizer&, const T&)   adds the encoded size (first encoding pass)
//   put(char*, const T&)         writes the encoding, returns the end
//   read(Reader&, T&)            decodes into an existing object, checking
//                                every length and tag against the input
//
// `min_size<T>()` is the smallest encoding of any T; a length n of elements
// of T is accepted only if n * min_size<T>() bytes are left, so corrupt
// lengths are caught before anything is allocated. Error paths are out of
// line (codec.cc); the names in messages are built only when throwing.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_CODEC_IMPL_H_
#define BRAID_DETAIL_CODEC_IMPL_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace braid::codec::detail {

// -- type classification --------------------------------------------------------

template <class T> struct IsVector : std::false_type {};
template <class T, class A> struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T> struct IsArray : std::false_type {};
template <class T, std::size_t N> struct IsArray<std::array<T, N>> : std::true_type {};
template <class T> struct IsPair : std::false_type {};
template <class A, class B> struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T> struct IsTuple : std::false_type {};
template <class... Ts> struct IsTuple<std::tuple<Ts...>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsMap : std::false_type {};
template <class K, class V, class C, class A> struct IsMap<std::map<K, V, C, A>> : std::true_type {};
template <class T> struct IsVariant : std::false_type {};
template <class... Ts> struct IsVariant<std::variant<Ts...>> : std::true_type {};

template <class T>
concept HasFields = requires(T& v) { FieldAccess::fields(v); };

// Numbers copied as raw little-endian bytes (bool is checked, so it is not).
template <class T>
inline constexpr bool kIsNumber = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

template <class T>
inline constexpr bool kDependentFalse = false;

template <class T>
void check_supported() {
  static_assert(!std::is_same_v<T, long double>, "braid::codec: long double is not supported");
  static_assert(kDependentFalse<T>,
                "braid::codec: unsupported type; for a struct add BRAID_CODEC_FIELDS(...)");
}

// -- names for error messages (built only when throwing) -------------------------

using NameFn = std::string (*)();
std::string demangle(const char* mangled);

template <class T> std::string type_name();

template <class... Ts>
std::string type_list() {
  std::string out;
  ((out += (out.empty() ? "" : ", ") + type_name<Ts>()), ...);
  return out;
}

template <class T>
std::string type_name() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_same_v<T, char>) return "char";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_integral_v<T>)
    return (std::is_signed_v<T> ? "int" : "uint") + std::to_string(8 * sizeof(T));
  else if constexpr (std::is_enum_v<T>) return "enum " + demangle(typeid(T).name());
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, std::monostate>) return "monostate";
  else if constexpr (IsVector<T>::value) return "vector<" + type_name<typename T::value_type>() + ">";
  else if constexpr (IsArray<T>::value)
    return "array<" + type_name<typename T::value_type>() + ", " +
           std::to_string(std::tuple_size_v<T>) + ">";
  else if constexpr (IsOptional<T>::value) return "optional<" + type_name<typename T::value_type>() + ">";
  else if constexpr (IsMap<T>::value)
    return "map<" + type_list<typename T::key_type, typename T::mapped_type>() + ">";
  else if constexpr (IsPair<T>::value)
    return "pair<" + type_list<typename T::first_type, typename T::second_type>() + ">";
  else if constexpr (IsTuple<T>::value)
    return [&]<class... Ts>(std::type_identity<std::tuple<Ts...>>) {
      return "tuple<" + type_list<Ts...>() + ">";
    }(std::type_identity<T>{});
  else if constexpr (IsVariant<T>::value)
    return [&]<class... Ts>(std::type_identity<std::variant<Ts...>>) {
      return "variant<" + type_list<Ts...>() + ">";
    }(std::type_identity<T>{});
  else return demangle(typeid(T).name());
}

// -- smallest encoding ------------------------------------------------------------

template <class T> constexpr std::size_t min_size();

template <class Tuple> struct TupleMin;
template <class... Ts>
struct TupleMin<std::tuple<Ts...>> {
  static constexpr std::size_t value = (min_size<std::remove_cvref_t<Ts>>() + ... + 0);
};

template <class T>
constexpr std::size_t min_size() {
  if constexpr (HasFields<T>) return TupleMin<decltype(FieldAccess::fields(std::declval<T&>()))>::value;
  else if constexpr (std::is_enum_v<T> || std::is_arithmetic_v<T>) return sizeof(T);
  else if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value || IsMap<T>::value ||
                     IsOptional<T>::value || IsVariant<T>::value)
    return 1;
  else if constexpr (std::is_same_v<T, std::monostate>) return 0;
  else if constexpr (IsArray<T>::value)
    return std::tuple_size_v<T> * min_size<typename T::value_type>();
  else if constexpr (IsPair<T>::value)
    return min_size<typename T::first_type>() + min_size<typename T::second_type>();
  else if constexpr (IsTuple<T>::value) return TupleMin<T>::value;
  else return (check_supported<T>(), 0);
}

// -- encoding -----------------------------------------------------------------------

struct Sizer {
  std::size_t n = 0;
  unsigned depth = 0;
};

[[noreturn]] void throw_encode_depth(NameFn what);
[[noreturn]] void throw_valueless(NameFn what);
[[noreturn]] void throw_encode_too_many_empty(std::size_t n, NameFn what);

constexpr std::size_t varint_size(std::uint64_t v) {
  return 1 + static_cast<std::size_t>(std::bit_width(v | 1) - 1) / 7;
}

inline char* put_varint(char* p, std::uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

template <class T>
char* put_number(char* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof(T));
  } else {
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<char>(raw[sizeof(T) - 1 - i]);
  }
  return p + sizeof(T);
}

template <class T> void add_size(Sizer& s, const T& v);
template <class T> char* put(char* p, const T& v);

template <class T>
void add_size(Sizer& s, const T& v) {
  if constexpr (HasFields<const T>) {
    if (++s.depth > kMaxDepth) [[unlikely]] throw_encode_depth(&type_name<T>);
    std::apply([&s](const auto&... f) { (add_size(s, f), ...); }, FieldAccess::fields(v));
    --s.depth;
  } else if constexpr (std::is_enum_v<T> || std::is_arithmetic_v<T>) {
    if constexpr (std::is_same_v<T, long double>) check_supported<T>();
    s.n += sizeof(T);
  } else if constexpr (std::is_same_v<T, std::string>) {
    s.n += varint_size(v.size()) + v.size();
  } else if constexpr (IsVector<T>::value || IsArray<T>::value) {
    using E = typename T::value_type;
    if constexpr (IsVector<T>::value) {
      if constexpr (min_size<E>() == 0) {
        if (v.size() > kMaxEmptyElements) [[unlikely]] throw_encode_too_many_empty(v.size(), &type_name<T>);
      }
      s.n += varint_size(v.size());
    }
    if constexpr (kIsNumber<E> || std::is_enum_v<E> || std::is_same_v<E, bool>) {
      s.n += v.size() * sizeof(E);
    } else {
      for (const auto& e : v) add_size(s, e);
    }
  } else if constexpr (IsMap<T>::value) {
    if constexpr (min_size<typename T::key_type>() + min_size<typename T::mapped_type>() == 0) {
      if (v.size() > kMaxEmptyElements) [[unlikely]] throw_encode_too_many_empty(v.size(), &type_name<T>);
    }
    s.n += varint_size(v.size());
    for (const auto& [k, x] : v) add_size(s, k), add_size(s, x);
  } else if constexpr (IsOptional<T>::value) {
    s.n += 1;
    if (v) add_size(s, *v);
  } else if constexpr (IsVariant<T>::value) {
    if (v.valueless_by_exception()) [[unlikely]] throw_valueless(&type_name<T>);
    s.n += varint_size(v.index());
    std::visit([&s](const auto& x) { add_size(s, x); }, v);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
  } else if constexpr (IsPair<T>::value) {
    add_size(s, v.first), add_size(s, v.second);
  } else if constexpr (IsTuple<T>::value) {
    std::apply([&s](const auto&... e) { (add_size(s, e), ...); }, v);
  } else {
    check_supported<T>();
  }
}

template <class T>
char* put(char* p, const T& v) {
  if constexpr (HasFields<const T>) {
    std::apply([&p](const auto&... f) { ((p = put(p, f)), ...); }, FieldAccess::fields(v));
    return p;
  } else if constexpr (std::is_same_v<T, bool>) {
    *p = v ? 1 : 0;
    return p + 1;
  } else if constexpr (std::is_enum_v<T>) {
    return put_number(p, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_arithmetic_v<T>) {
    return put_number(p, v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    p = put_varint(p, v.size());
    if (!v.empty()) std::memcpy(p, v.data(), v.size());
    return p + v.size();
  } else if constexpr (IsVector<T>::value || IsArray<T>::value) {
    using E = typename T::value_type;
    if constexpr (IsVector<T>::value) p = put_varint(p, v.size());
    if constexpr ((kIsNumber<E> || std::is_enum_v<E>) && std::endian::native == std::endian::little) {
      if (!v.empty()) std::memcpy(p, v.data(), v.size() * sizeof(E));
      return p + v.size() * sizeof(E);
    } else if constexpr (std::is_same_v<E, bool>) {
      for (bool b : v) *p++ = b ? 1 : 0;
      return p;
    } else {
      for (const auto& e : v) p = put(p, e);
      return p;
    }
  } else if constexpr (IsMap<T>::value) {
    p = put_varint(p, v.size());
    for (const auto& [k, x] : v) p = put(put(p, k), x);
    return p;
  } else if constexpr (IsOptional<T>::value) {
    *p++ = v ? 1 : 0;
    return v ? put(p, *v) : p;
  } else if constexpr (IsVariant<T>::value) {
    p = put_varint(p, v.index());
    return std::visit([p](const auto& x) { return put(p, x); }, v);
  } else if constexpr (std::is_same_v<T, std::monostate>) {
    return p;
  } else if constexpr (IsPair<T>::value) {
    return put(put(p, v.first), v.second);
  } else if constexpr (IsTuple<T>::value) {
    std::apply([&p](const auto&... e) { ((p = put(p, e)), ...); }, v);
    return p;
  } else {
    check_supported<T>();
    return p;
  }
}

// -- decoding -----------------------------------------------------------------------

// The input cursor. `depth` counts user structs being decoded.
struct Reader {
  explicit Reader(std::string_view bytes) noexcept
      : begin(bytes.data()), p(bytes.data()), end(bytes.data() + bytes.size()) {}
  std::size_t left() const noexcept { return static_cast<std::size_t>(end - p); }
  std::size_t offset() const noexcept { return static_cast<std::size_t>(p - begin); }

  const char* begin;
  const char* p;
  const char* end;
  unsigned depth = 0;
};

// What a truncated read was for: the value itself, or a length/tag/index of it.
enum class Part : std::uint8_t { kValue, kLength, kTag, kIndex };

[[noreturn]] void throw_truncated(const Reader& r, std::size_t need, Part part, NameFn what);
[[noreturn]] void throw_bad_tag(const Reader& r, unsigned char byte, NameFn what);
[[noreturn]] void throw_too_long(const Reader& r, std::size_t at, std::uint64_t n, NameFn what);
[[noreturn]] void throw_bad_index(std::size_t at, std::uint64_t index, NameFn what);
[[noreturn]] void throw_map_order(std::size_t at, NameFn what);
[[noreturn]] void throw_depth(const Reader& r, NameFn what);
[[noreturn]] void throw_trailing(const Reader& r, NameFn what);
std::uint64_t read_varint_slow(Reader& r, Part part, NameFn what);

inline void need(const Reader& r, std::size_t n, Part part, NameFn what) {
  if (r.left() < n) [[unlikely]] throw_truncated(r, n, part, what);
}

inline std::uint64_t read_varint(Reader& r, Part part, NameFn what) {
  if (r.p != r.end && static_cast<unsigned char>(*r.p) < 0x80) [[likely]]
    return static_cast<unsigned char>(*r.p++);
  return read_varint_slow(r, part, what);
}

[[noreturn]] void throw_too_many_empty(std::size_t at, std::uint64_t n, NameFn what);

// Reads a count of elements of `elem_min` bytes or more, checked against the
// bytes left (or kMaxEmptyElements for elements that encode as nothing)
// before the caller allocates.
inline std::size_t read_count(Reader& r, std::size_t elem_min, NameFn what) {
  const std::size_t at = r.offset();
  const std::uint64_t n = read_varint(r, Part::kLength, what);
  if (elem_min == 0) {
    if (n > kMaxEmptyElements) [[unlikely]] throw_too_many_empty(at, n, what);
  } else if (n > r.left() / elem_min) [[unlikely]] {
    throw_too_long(r, at, n, what);
  }
  return static_cast<std::size_t>(n);
}

template <class T>
T read_number(Reader& r) {
  need(r, sizeof(T), Part::kValue, &type_name<T>);
  T v;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, r.p, sizeof(T));
  } else {
    unsigned char raw[sizeof(T)];
    for (std::size_t i = 0; i < sizeof(T); ++i) raw[i] = static_cast<unsigned char>(r.p[sizeof(T) - 1 - i]);
    std::memcpy(&v, raw, sizeof(T));
  }
  r.p += sizeof(T);
  return v;
}

// A 0/1 byte: a bool, or the tag of an optional.
inline bool read_flag(Reader& r, Part part, NameFn what) {
  need(r, 1, part, what);
  const auto b = static_cast<unsigned char>(*r.p);
  if (b > 1) [[unlikely]] throw_bad_tag(r, b, what);
  ++r.p;
  return b == 1;
}

template <class T> void read(Reader& r, T& out);

template <class T>
void read(Reader& r, T& out) {
  if constexpr (HasFields<T>) {
    if (++r.depth > kMaxDepth) [[unlikely]] throw_depth(r, &type_name<T>);
    std::apply([&r](auto&... f) { (read(r, f), ...); }, FieldAccess::fields(out));
    --r.depth;
  } else if constexpr (std::is_same_v<T, bool>) {
    out = read_flag(r, Part::kValue, &type_name<bool>);
  } else if constexpr (std::is_enum_v<T>) {
    out = static_cast<T>(read_number<std::underlying_type_t<T>>(r));
  } else if constexpr (std::is_arithmetic_v<T>) {
    if constexpr (std::is_same_v<T, long double>) check_supported<T>();
    out = read_number<T>(r);
  } else if constexpr (std::is_same_v<T, std::string>) {
    const std::size_t n = read_count(r, 1, &type_name<T>);
    out.assign(r.p, n);
    r.p += n;
  } else if constexpr (IsVector<T>::value || IsArray<T>::value) {
    using E = typename T::value_type;
    std::size_t n;
    if constexpr (IsVector<T>::value) {
      n = read_count(r, min_size<E>(), &type_name<T>);
      out.clear();
      out.resize(n);
    } else {
      n = out.size();
    }
    if constexpr ((kIsNumber<E> || std::is_enum_v<E>) && std::endian::native == std::endian::little) {
      need(r, n * sizeof(E), Part::kValue, &type_name<T>);
      if (n != 0) std::memcpy(out.data(), r.p, n * sizeof(E));
      r.p += n * sizeof(E);
    } else if constexpr (std::is_same_v<E, bool>) {
      for (std::size_t i = 0; i < n; ++i) out[i] = read_flag(r, Part::kValue, &type_name<bool>);
    } else {
      for (auto& e : out) read(r, e);
    }
  } else if constexpr (IsMap<T>::value) {
    using K = typename T::key_type;
    using V = typename T::mapped_type;
    const std::size_t n = read_count(r, min_size<K>() + min_size<V>(), &type_name<T>);
    out.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = r.offset();
      K k{};
      read(r, k);
      if (!out.empty() && !out.key_comp()(std::prev(out.end())->first, k)) [[unlikely]]
        throw_map_order(at, &type_name<T>);
      V x{};
      read(r, x);
      out.emplace_hint(out.end(), std::move(k), std::move(x));
    }
  } else if constexpr (IsOptional<T>::value) {
    if (read_flag(r, Part::kTag, &type_name<T>)) {
      read(r, out.emplace());
    } else {
      out.reset();
    }
  } else if constexpr (IsVariant<T>::value) {
    const std::size_t at = r.offset();
    const std::uint64_t index = read_varint(r, Part::kIndex, &type_name<T>);
    if (index >= std::variant_size_v<T>) [[unlikely]] throw_bad_index(at, index, &type_name<T>);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (void)((index == I ? (read(r, out.template emplace<I>()), true) : false) || ...);
    }(std::make_index_sequence<std::variant_size_v<T>>{});
  } else if constexpr (std::is_same_v<T, std::monostate>) {
  } else if constexpr (IsPair<T>::value) {
    read(r, out.first);
    read(r, out.second);
  } else if constexpr (IsTuple<T>::value) {
    std::apply([&r](auto&... e) { (read(r, e), ...); }, out);
  } else {
    check_supported<T>();
  }
}

}  // namespace braid::codec::detail

#endif  // BRAID_DETAIL_CODEC_IMPL_H_
