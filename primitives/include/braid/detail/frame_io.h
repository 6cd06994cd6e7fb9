// braid/detail/frame_io.h
// -----------------------------------------------------------------------------
// Length-prefixed, checksummed frames: how braid's multiprocessing moves one
// encoded message (braid/codec.h) through a pipe, a socket or shared memory.
//
// A frame is a 16-byte header followed by the payload. The header holds four
// little-endian 32-bit words:
//
//   offset 0   magic         kFrameMagic ("BRF1")
//   offset 4   length        payload bytes, at most kMaxFrame
//   offset 8   payload CRC   CRC-32C (Castagnoli) of the payload
//   offset 12  header CRC    CRC-32C of bytes 0..11
//
// The header checksum lets a reader reject a corrupt length before it waits
// for, or allocates, a payload that will never come; the payload checksum
// catches corrupt payloads. CRC-32C uses the SSE4.2 instruction when the CPU
// has it (several GB/s) and a table otherwise.
//
// Two layers use the same format:
//   * memory: make_frame / append_frame build frames, parse_frame /
//     next_frame / decode_frame_header / verify_frame_payload check them. A
//     shared-memory queue copies the bytes of make_frame into its buffer and
//     parses them on the other side.
//   * file descriptors: write_frame / read_frame do blocking I/O on a pipe or
//     socket, wait_readable polls. Every call retries on EINTR; a
//     non-blocking descriptor is waited on with poll(2) rather than failing.
//
// Corrupt data is a braid::codec::DecodeError whose message starts with
// "corrupt frame: "; a failing system call is braid::OSError with Python's
// message ("[Errno 32] Broken pipe").
//
// These are OS-level helpers: they never consult the model runtime (a
// modelled channel keeps its encoded messages in memory instead).
//
// Python equivalence: the framing of multiprocessing.connection.Connection
// (_send_bytes / _recv_bytes: a length header, then the pickled bytes).
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_FRAME_IO_H_
#define BRAID_DETAIL_FRAME_IO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "braid/codec.h"
#include "braid/runtime.h"

namespace braid::detail {

// The largest payload a frame may carry (1 GiB).
constexpr std::size_t kMaxFrame = std::size_t{1} << 30;
// The size of a frame header.
constexpr std::size_t kFrameHeaderSize = 16;
// The first header word: the bytes "BRF1" read as a little-endian uint32.
constexpr std::uint32_t kFrameMagic = 0x31465242;

// crc32c(data, n)
//
// The CRC-32C (Castagnoli, as in iSCSI and ext4) of `n` bytes:
// crc32c("123456789") == 0xE3069283. Pass a previous result as `crc` to
// continue a checksum over data in pieces.
std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc = 0) noexcept;
inline std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0) noexcept {
  return crc32c(data.data(), data.size(), crc);
}

// -- frames in memory -------------------------------------------------------------

// The validated contents of a frame header.
struct FrameHeader {
  std::uint32_t length = 0;       // payload bytes
  std::uint32_t payload_crc = 0;  // crc32c of the payload
};

// write_frame_header(out, payload)
//
// Writes the kFrameHeaderSize-byte header for `payload` to `out` (for callers
// that place header and payload themselves, e.g. around a ring buffer's wrap).
// Throws ValueError if the payload is larger than kMaxFrame.
void write_frame_header(char* out, std::string_view payload);

// make_frame(payload) / append_frame(out, payload)
//
// The frame (header + payload) carrying `payload`, as a new string or
// appended to `out`. Throws ValueError if the payload is larger than kMaxFrame.
std::string make_frame(std::string_view payload);
void append_frame(std::string& out, std::string_view payload);

// decode_frame_header(header)
//
// Checks the first kFrameHeaderSize bytes of `header` (magic, header CRC,
// length <= kMaxFrame) and returns their contents. Throws DecodeError
// "corrupt frame: ..." if they are wrong or fewer than kFrameHeaderSize bytes.
FrameHeader decode_frame_header(std::string_view header);

// verify_frame_payload(header, payload)
//
// Throws DecodeError "corrupt frame: ..." unless `payload` has the length and
// checksum `header` announces.
void verify_frame_payload(const FrameHeader& header, std::string_view payload);

// next_frame(bytes)
//
// Parses the frame at the front of `bytes`, advances `bytes` past it and
// returns its payload (a view into the input). Throws DecodeError "corrupt
// frame: ..." if the frame is corrupt or incomplete (`bytes` unchanged).
std::string_view next_frame(std::string_view& bytes);

// parse_frame(bytes)
//
// The payload of `bytes`, which must be exactly one frame. Throws DecodeError
// "corrupt frame: ..." if it is corrupt, incomplete or followed by more bytes.
std::string_view parse_frame(std::string_view bytes);

// -- frames on file descriptors ---------------------------------------------------

// write_all(fd, data, n)
//
// Writes all `n` bytes, retrying after EINTR and short writes. Blocks while
// the pipe is full. A closed reader is OSError "[Errno 32] Broken pipe", not
// SIGPIPE: the signal is blocked in the calling thread for the duration of
// the call and a SIGPIPE it raised is discarded. Throws OSError on failure
// (some bytes may have been written then).
void write_all(int fd, const void* data, std::size_t n);

// write_frame(fd, payload)
//
// Writes the frame carrying `payload` with one writev(2) of header and
// payload (more only after a short write). Blocks, retries and throws like
// write_all; ValueError if the payload is larger than kMaxFrame. A frame of
// at most PIPE_BUF (4096) bytes in total reaches a pipe atomically; larger
// frames from several writers can interleave, so writers sharing a pipe
// serialise their write_frame calls (as multiprocessing.Queue's feeder does
// with its write lock).
void write_frame(int fd, std::string_view payload);

// read_frame(fd)
//
// Reads one frame and returns its payload, blocking until it has arrived
// completely. Returns nullopt on end of file before the first byte of a
// frame (the writer closed cleanly). Throws DecodeError "corrupt frame: ..."
// for a bad magic, a bad header checksum, a length above kMaxFrame, a payload
// checksum mismatch, or end of file inside a frame; OSError if read fails.
// Memory grows with the bytes actually received, not with the announced
// length.
//
// Python equivalence: Connection.recv_bytes() (which raises EOFError where
// this returns nullopt).
std::optional<std::string> read_frame(int fd);

// wait_readable(fd, timeout)
//
// Waits until `fd` is readable, at end of file, or in error (anything that
// makes the next read return at once), or until `timeout` passes; nullopt
// waits forever and a zero or negative timeout only polls. Returns whether
// the fd became ready. The deadline is fixed at the call, so EINTR does not
// extend it. Throws OSError for a bad descriptor or a poll(2) failure.
//
// Python equivalence: Connection.poll(timeout) (negative timeouts count as 0).
bool wait_readable(int fd, const Timeout& timeout);

}  // namespace braid::detail

#endif  // BRAID_DETAIL_FRAME_IO_H_
