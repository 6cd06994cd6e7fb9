// braid/mp/detail/pool_wire.h
// -----------------------------------------------------------------------------
// The messages of mp::Pool's channels and the typed code a worker runs.
//
// Task message:    [u64 task id][u64 invoker][u64 function][encoded arguments]
// Stop message:    [u64 0]                      (close(): one per worker)
// Result message:  [u64 task id][u8 status][payload]
//   status 0: payload is the encoded return value (nothing for void)
//   status 1: payload is codec::encode(std::pair{type name, message})
//
// Functions cross the fork as plain function pointers: a forked worker runs
// the same binary at the same addresses, so the pointer to the user's
// function and the pointer to the instantiated invoker below (which knows the
// argument and result types) are valid there. No registry is needed; the
// price is that only functions (and captureless lambdas converted with `+`)
// can be sent, never closures.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_POOL_WIRE_H_
#define BRAID_MP_DETAIL_POOL_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "braid/codec.h"

namespace braid::mp::detail {

// Runs the function `fn` on the encoded arguments and appends the encoded
// result to `out`. Throws whatever the function throws.
using Invoker = void (*)(std::uintptr_t fn, std::string_view args, std::string& out);

inline constexpr std::size_t kTaskHeader = 24;
inline constexpr std::size_t kResultHeader = 9;

// A task message with room for the id (filled by PoolCore::submit) and the
// encoded arguments still to append.
inline std::string task_message(Invoker invoker, std::uintptr_t fn) {
  std::string m(kTaskHeader, '\0');
  const auto inv = reinterpret_cast<std::uintptr_t>(invoker);
  std::memcpy(m.data() + 8, &inv, sizeof inv);
  std::memcpy(m.data() + 16, &fn, sizeof fn);
  return m;
}

template <typename F>
std::uintptr_t function_address(F* f) {
  return reinterpret_cast<std::uintptr_t>(f);
}

// apply / apply_async: the arguments are one tuple.
template <typename R, typename... P>
void invoke_apply(std::uintptr_t fn, std::string_view args, std::string& out) {
  auto f = reinterpret_cast<R (*)(P...)>(fn);
  auto tuple = codec::decode<std::tuple<std::decay_t<P>...>>(args);
  if constexpr (std::is_void_v<R>) {
    std::apply(f, tuple);
  } else {
    codec::encode_to(out, std::apply(f, tuple));
  }
}

// map / imap: the arguments are a chunk of items; the result a vector.
template <typename R, typename P>
void invoke_map(std::uintptr_t fn, std::string_view args, std::string& out) {
  auto f = reinterpret_cast<R (*)(P)>(fn);
  auto items = codec::decode<std::vector<std::decay_t<P>>>(args);
  std::vector<R> results;
  results.reserve(items.size());
  for (auto& item : items) results.push_back(f(item));
  codec::encode_to(out, results);
}

// starmap: a chunk of argument tuples.
template <typename R, typename... P>
void invoke_starmap(std::uintptr_t fn, std::string_view args, std::string& out) {
  auto f = reinterpret_cast<R (*)(P...)>(fn);
  auto items = codec::decode<std::vector<std::tuple<std::decay_t<P>...>>>(args);
  std::vector<R> results;
  results.reserve(items.size());
  for (auto& item : items) results.push_back(std::apply(f, item));
  codec::encode_to(out, results);
}

// Splits `items` into chunks of `chunksize` and makes one task message per
// chunk, encoding each chunk as a std::vector<Item>.
template <typename Item, typename Range>
std::vector<std::string> chunk_messages(Invoker invoker, std::uintptr_t fn, const Range& items,
                                        std::size_t chunksize) {
  std::vector<std::string> messages;
  std::vector<Item> chunk;
  chunk.reserve(chunksize);
  auto flush = [&] {
    std::string m = task_message(invoker, fn);
    codec::encode_to(m, chunk);
    messages.push_back(std::move(m));
    chunk.clear();
  };
  for (const auto& item : items) {
    chunk.push_back(static_cast<Item>(item));
    if (chunk.size() == chunksize) flush();
  }
  if (!chunk.empty()) flush();
  return messages;
}

}  // namespace braid::mp::detail

#endif  // BRAID_MP_DETAIL_POOL_WIRE_H_
