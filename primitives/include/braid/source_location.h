// braid/source_location.h
// -----------------------------------------------------------------------------
// braid::source_location: `std::source_location` where the standard library
// provides it, else a class with the same interface built on the compiler
// builtins (__builtin_FILE, __builtin_LINE, ...). clang 14 with libstdc++ 12
// (Debian bookworm's pair, used by braid's sanitizer presets) lacks
// std::source_location; every braid API spells the type braid::source_location
// so the same code builds with g++ and with clang 14.
//
//   void acquire(braid::source_location where = braid::source_location::current());
// -----------------------------------------------------------------------------
#ifndef BRAID_SOURCE_LOCATION_H_
#define BRAID_SOURCE_LOCATION_H_

#include <cstdint>
#if __has_include(<source_location>)
#include <source_location>
#endif

namespace braid {

#if defined(__cpp_lib_source_location)
using source_location = std::source_location;
#else
class source_location {
 public:
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           std::uint_least32_t line = __builtin_LINE(),
                                           std::uint_least32_t column = __builtin_COLUMN()) noexcept {
    source_location loc;
    loc.file_ = file;
    loc.function_ = function;
    loc.line_ = line;
    loc.column_ = column;
    return loc;
  }
  constexpr source_location() noexcept = default;
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  constexpr std::uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
  std::uint_least32_t column_ = 0;
};
#endif

}  // namespace braid

#endif  // BRAID_SOURCE_LOCATION_H_
