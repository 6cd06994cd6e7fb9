// braid/mp/detail/shm_ring.h
// -----------------------------------------------------------------------------
// ShmRing: a FIFO of byte messages in shared memory, usable by every process
// forked after it was made. The OS-runtime core of mp::Queue, JoinableQueue,
// SimpleQueue and of Pool's task and result channels.
//
// Layout. The constructor maps kReserve bytes of MAP_SHARED | MAP_ANONYMOUS |
// MAP_NORESERVE memory: a header page, then the data area. Only touched pages
// cost memory. The header holds a ShmLock, the ring state and three wait
// conditions. Messages are frames in a byte ring inside the data area:
//
//   [u32 length][u32 kFrameTag][payload][padding to 8 bytes]
//
// `head` and `tail` are absolute byte positions (they only grow); the byte at
// position p lives at data[offset + (p & (capacity - 1))].
//
// Growth instead of blocking: a put that does not fit in the ring doubles
// `capacity` (as often as needed), copying the queued frames to a fresh region
// of the data area that does not overlap the old one, so a put never waits for
// a reader, as Python's put never does. The data area (4 GiB of address space)
// holds any message up to kMaxMessage (1 GiB, kMaxFrame of frame_io.h); a put
// blocks on room only in the extreme case where more than ~1.5 GiB is queued
// and nothing can grow further. When a get empties a ring that grew beyond
// 4 MiB, it returns to the initial size and its pages are given back
// (MADV_REMOVE).
//
// Crash safety. Every change is made under the lock and published by ONE
// store: the state is double-buffered (state[0], state[1]); an operation
// writes the new state into the slot not in use, then flips `current`. Frame
// bytes are written before the flip (beyond the published tail, or into the
// new region while growing). So a process that dies anywhere inside a
// critical section leaves either the old or the new state, never a mixture,
// and the next locker (who takes the lock over, see shm_lock.h) continues from
// it: a message is published whole or not at all, taken whole or not at all.
//
// Why no feeder thread: Python's Queue.put appends to a process-local buffer
// that a feeder thread writes to a pipe, so a process must flush (join the
// feeder) before exiting or lose the items. Here put() copies the message into
// the shared mapping and publishes it before returning: once put returns, the
// message is in the queue even if the writer calls _exit() on the next line.
//
// Blocking. Each condition (not_empty, not_full, all_done) is a futex word
// `seq` with waiter bookkeeping under the lock, as braid/detail/queue_core.h
// does for threads: a waiter registers, unlocks, spins for a few microseconds
// watching `seq`, then sleeps on it (a non-private futex); a waker bumps `seq`
// under the lock and issues futex_wake_shared only when someone sleeps. A
// steady producer/consumer pair therefore makes no system calls.
//
// Memory ordering: a message's bytes and everything its writer did before
// push() happen before the pop() that returns it (lock release/acquire).
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_SHM_RING_H_
#define BRAID_MP_DETAIL_SHM_RING_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "braid/mp/detail/shm_lock.h"
#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid::mp::detail {

// The largest message a ring carries (the limit of a frame on a pipe).
inline constexpr std::size_t kMaxMessage = std::size_t{1} << 30;

class ShmRing {
 public:
  // Creates the shared mapping. `maxsize` > 0 bounds the number of messages
  // (Python's maxsize); <= 0 is unbounded. Throws OSError if mmap fails.
  explicit ShmRing(long maxsize = 0);
  // Unmaps this process's view. Other processes keep theirs.
  ~ShmRing();
  ShmRing(const ShmRing&) = delete;
  ShmRing& operator=(const ShmRing&) = delete;

  // push()
  //
  // Appends `payload` as one message. Blocks while the ring is full (maxsize
  // messages queued) if `block`, until `deadline` (nullopt: forever). Returns
  // false if it did not get room (not blocking, or the deadline passed).
  // Throws ValueError for a payload larger than kMaxMessage.
  bool push(std::string_view payload, bool block, const std::optional<Duration>& deadline);

  // pop()
  //
  // Removes the first message into `out`. Blocks while the ring is empty if
  // `block`, until `deadline`. Returns false if there was none. With `claim`,
  // the first 8 bytes of the message (an id; 0 if shorter) are stored into
  // `*claim` inside the critical section, before the removal is published:
  // a process that dies after the removal is published has always claimed
  // the message (Pool uses this to find the task a dead worker held).
  bool pop(std::string& out, bool block, const std::optional<Duration>& deadline,
           std::atomic<std::uint64_t>* claim = nullptr);

  // The number of queued messages; whether the bound is reached.
  std::size_t size();
  bool full();

  // Unfinished tasks (JoinableQueue): every push adds one; task_done() removes
  // one and returns false if there was none; join() blocks until none remain
  // or `deadline` passes (then returns false).
  bool task_done();
  bool join(const std::optional<Duration>& deadline);

  // Calls `while_locked()` and then collects the 8-byte prefixes of all queued
  // messages into `prefixes`, all under the lock (Pool's crash accounting).
  void scan_prefixes(const std::function<void()>& while_locked, std::vector<std::uint64_t>& prefixes);

  // The current capacity of the byte ring (tests).
  std::size_t capacity();

  // Diagnostics (tests): takeovers of the ring lock from dead owners.
  std::uint32_t lock_takeovers() const noexcept;

  struct Header;  // defined in shm_ring.cc

 private:
  Header* hdr_;
  char* data_;
};

}  // namespace braid::mp::detail

#endif  // BRAID_MP_DETAIL_SHM_RING_H_
