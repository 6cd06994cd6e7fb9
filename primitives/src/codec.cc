// codec.cc
// -----------------------------------------------------------------------------
// The out-of-line parts of braid/codec.h: multi-byte varints and the error
// paths. Messages name what was being decoded and the byte offset, so a
// corrupt message can be located: "codec: truncated input: need 8 bytes for
// double at offset 12, 3 left".
// -----------------------------------------------------------------------------
#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "braid/codec.h"

namespace braid::codec::detail {
namespace {

std::string bytes(std::size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

std::string part_of(Part part, NameFn what) {
  switch (part) {
    case Part::kLength: return "length of " + what();
    case Part::kTag: return "tag of " + what();
    case Part::kIndex: return "index of " + what();
    case Part::kValue: break;
  }
  return what();
}

std::string hex(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

}  // namespace

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

void throw_encode_depth(NameFn what) {
  throw ValueError("codec: cannot encode " + what() + ": structs nest deeper than " +
                   std::to_string(kMaxDepth) + " levels");
}

void throw_valueless(NameFn what) {
  throw ValueError("codec: cannot encode a valueless " + what());
}

void throw_encode_too_many_empty(std::size_t n, NameFn what) {
  throw ValueError("codec: cannot encode " + what() + " of " + std::to_string(n) +
                   " elements: elements that encode as nothing are limited to " +
                   std::to_string(kMaxEmptyElements));
}

void throw_too_many_empty(std::size_t at, std::uint64_t n, NameFn what) {
  throw DecodeError("codec: length " + std::to_string(n) + " of " + what() + " at offset " +
                    std::to_string(at) + " exceeds the limit of " +
                    std::to_string(kMaxEmptyElements) + " elements that encode as nothing");
}

void throw_truncated(const Reader& r, std::size_t need, Part part, NameFn what) {
  throw DecodeError("codec: truncated input: need " + bytes(need) + " for " + part_of(part, what) +
                    " at offset " + std::to_string(r.offset()) + ", " + std::to_string(r.left()) +
                    " left");
}

void throw_bad_tag(const Reader& r, unsigned char byte, NameFn what) {
  throw DecodeError("codec: invalid " + std::string(what() == "bool" ? "bool byte " : "tag ") +
                    hex(byte) + (what() == "bool" ? "" : " of " + what()) + " at offset " +
                    std::to_string(r.offset()) + " (must be 0 or 1)");
}

void throw_too_long(const Reader& r, std::size_t at, std::uint64_t n, NameFn what) {
  throw DecodeError("codec: length " + std::to_string(n) + " of " + what() + " at offset " +
                    std::to_string(at) + " is more than the " + bytes(r.left()) +
                    " left can hold");
}

void throw_bad_index(std::size_t at, std::uint64_t index, NameFn what) {
  throw DecodeError("codec: index " + std::to_string(index) + " of " + what() + " at offset " +
                    std::to_string(at) + " is out of range");
}

void throw_map_order(std::size_t at, NameFn what) {
  throw DecodeError("codec: key of " + what() + " at offset " + std::to_string(at) +
                    " is not greater than the previous key (keys must be strictly increasing)");
}

void throw_depth(const Reader& r, NameFn what) {
  throw DecodeError("codec: " + what() + " at offset " + std::to_string(r.offset()) +
                    " nests deeper than " + std::to_string(kMaxDepth) + " levels");
}

void throw_trailing(const Reader& r, NameFn what) {
  throw DecodeError("codec: " + bytes(r.left()) + " of trailing input after the " + what() +
                    " ending at offset " + std::to_string(r.offset()));
}

// A varint of 2 to 10 bytes (or a truncated/overlong one). Only the minimal
// form is accepted, so every value has exactly one encoding.
std::uint64_t read_varint_slow(Reader& r, Part part, NameFn what) {
  const std::size_t at = r.offset();
  std::uint64_t value = 0;
  for (unsigned i = 0;; ++i) {
    if (r.p == r.end) throw_truncated(r, 1, part, what);
    const auto b = static_cast<unsigned char>(*r.p);
    if (i == 9 && b > 1) {
      throw DecodeError("codec: " + part_of(part, what) + " at offset " + std::to_string(at) +
                        " does not fit in 64 bits");
    }
    value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    ++r.p;
    if ((b & 0x80) == 0) {
      if (b == 0 && i > 0) {
        r.p = r.begin + at;
        throw DecodeError("codec: " + part_of(part, what) + " at offset " + std::to_string(at) +
                          " is not in minimal form");
      }
      return value;
    }
  }
}

}  // namespace braid::codec::detail
