// libFuzzer target: parse arbitrary bytes as a stream of braid frames, in
// memory (next_frame) and through a real pipe (read_frame), and require both
// to agree.
//
// An input that starts with a 0 byte is a payload: the target frames it
// (make_frame) and appends the rest unframed, so the parsers get past the
// checksums and then meet a corrupt tail. Any other input is the raw stream.
// Rejection with braid::codec::DecodeError is fine; any other exception, a
// crash, a hang, a sanitizer report, or the two parsers disagreeing is a
// finding.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "braid/codec.h"
#include "braid/detail/frame_io.h"

namespace {

// The payloads of the frames in `bytes`, and whether the stream ended cleanly.
struct Parsed {
  std::vector<std::string> payloads;
  bool clean = true;
};

Parsed parse_memory(std::string_view bytes) {
  Parsed out;
  try {
    while (!bytes.empty()) out.payloads.emplace_back(braid::detail::next_frame(bytes));
  } catch (const braid::codec::DecodeError&) {
    out.clean = false;
  }
  return out;
}

Parsed parse_pipe(const std::string& bytes) {
  Parsed out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  // Inputs are far below the pipe's capacity (64 KiB), so one thread suffices.
  braid::detail::write_all(fds[1], bytes.data(), bytes.size());
  ::close(fds[1]);
  try {
    while (std::optional<std::string> p = braid::detail::read_frame(fds[0])) {
      out.payloads.push_back(std::move(*p));
    }
  } catch (const braid::codec::DecodeError&) {
    out.clean = false;
  }
  ::close(fds[0]);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 60000) return 0;  // stay below the pipe buffer
  std::string bytes;
  if (size > 1 && data[0] == 0) {
    const std::size_t split = 1 + data[1] % (size - 1);
    bytes = braid::detail::make_frame(std::string_view(reinterpret_cast<const char*>(data) + 1, split - 1));
    bytes.append(reinterpret_cast<const char*>(data) + split, size - split);
  } else {
    bytes.assign(reinterpret_cast<const char*>(data), size);
  }
  const Parsed memory = parse_memory(bytes);
  const Parsed pipe = parse_pipe(bytes);
  if (memory.payloads != pipe.payloads || memory.clean != pipe.clean) {
    std::fprintf(stderr, "memory parse (%zu frames, clean=%d) and pipe parse (%zu frames, clean=%d) differ\n",
                 memory.payloads.size(), memory.clean, pipe.payloads.size(), pipe.clean);
    std::abort();
  }
  // Re-framing the payloads reproduces the accepted part of the stream.
  std::string again;
  for (const std::string& p : memory.payloads) braid::detail::append_frame(again, p);
  if (std::string_view(bytes).substr(0, again.size()) != again) {
    std::fprintf(stderr, "re-framed payloads differ from the input\n");
    std::abort();
  }
  return 0;
}
