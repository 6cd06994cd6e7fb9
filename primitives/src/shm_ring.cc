// shm_ring.cc
// -----------------------------------------------------------------------------
// braid::mp::detail::ShmRing (see braid/mp/detail/shm_ring.h): the shared
// mapping, the double-buffered ring state, growth, and the wait conditions.
// -----------------------------------------------------------------------------
#include "braid/mp/detail/shm_ring.h"

#include <errno.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "braid/errors.h"
#include "braid/os.h"

namespace braid::mp::detail {
namespace {

constexpr std::size_t kHeaderBytes = 4096;
constexpr std::uint64_t kReserve = std::uint64_t{1} << 32;  // the data area
constexpr std::uint64_t kInitialCap = 64 * 1024;
constexpr std::uint64_t kShrinkAbove = 4 << 20;
constexpr std::uint32_t kFrameTag = 0x4252514d;  // "MQRB"
constexpr std::uint64_t kFrameHeader = 8;
// Polls of a condition's word before sleeping on it (a few microseconds: a
// pause costs 10-100 ns; longer spins steal the CPU from the process that
// would wake us when processes outnumber cores).
constexpr int kSpinWait = 50;

std::uint64_t frame_size(std::uint64_t len) { return kFrameHeader + ((len + 7) & ~std::uint64_t{7}); }

struct RingState {
  std::uint64_t head;        // position of the first frame
  std::uint64_t tail;        // position after the last frame
  std::uint64_t items;       // frames in [head, tail)
  std::uint64_t unfinished;  // pushes not yet matched by task_done()
  std::uint64_t offset;      // start of the ring in the data area
  std::uint64_t capacity;    // bytes, a power of two
};

// One wait condition. `seq` and `sleepers` are touched without the lock;
// `waiters` and `signals` only under it.
struct alignas(64) Cond {
  std::atomic<std::uint32_t> seq{0};
  std::atomic<std::uint32_t> sleepers{0};
  std::uint32_t waiters = 0;  // between registering and re-locking
  std::uint32_t signals = 0;  // wake-ups issued and not yet consumed
};

// A futex wake to issue after the ring lock is released. Declare it before
// the ShmGuard so that it runs after the unlock.
class PendingWake {
 public:
  PendingWake() = default;
  PendingWake(const PendingWake&) = delete;
  PendingWake& operator=(const PendingWake&) = delete;
  ~PendingWake() {
    if (cond_ != nullptr && cond_->sleepers.load(std::memory_order_seq_cst) > 0) {
      runtime::futex_wake_shared(cond_->seq, count_);
    }
  }
  void set(Cond& c, int count) noexcept {
    cond_ = &c;
    count_ = count;
  }

 private:
  Cond* cond_ = nullptr;
  int count_ = 0;
};

[[noreturn]] void corrupt(const char* what) {
  std::fprintf(stderr, "braid: shared-memory queue corrupted: %s\n", what);
  std::abort();
}

}  // namespace

struct ShmRing::Header {
  ShmLock lock;
  alignas(64) std::atomic<std::uint32_t> current{0};
  std::int64_t maxsize = 0;
  RingState state[2] = {};
  Cond not_empty;
  Cond not_full;
  Cond all_done;
};

namespace {

using Header = ShmRing::Header;

static_assert(sizeof(Header) <= kHeaderBytes);

// -- Helpers; all require the ring lock. ------------------------------------------

RingState& committed(Header& h) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  return h.state[h.current.load(std::memory_order_relaxed)];
}

// Publishes `s` with one store (see "Crash safety" in the header).
void commit(Header& h, const RingState& s) {
  const std::uint32_t c = h.current.load(std::memory_order_relaxed);
  h.state[c ^ 1] = s;
  h.current.store(c ^ 1, std::memory_order_release);
}

void write_at(char* data, const RingState& s, std::uint64_t pos, const char* src, std::uint64_t n) {
  const std::uint64_t idx = pos & (s.capacity - 1);
  const std::uint64_t first = std::min(n, s.capacity - idx);
  std::memcpy(data + s.offset + idx, src, first);
  if (n > first) std::memcpy(data + s.offset, src + first, n - first);
}

void read_at(const char* data, const RingState& s, std::uint64_t pos, char* dst, std::uint64_t n) {
  const std::uint64_t idx = pos & (s.capacity - 1);
  const std::uint64_t first = std::min(n, s.capacity - idx);
  std::memcpy(dst, data + s.offset + idx, first);
  if (n > first) std::memcpy(dst + first, data + s.offset, n - first);
}

// A region of `cap` bytes for the ring that does not overlap the current one,
// or false if the data area has none.
bool place(const RingState& s, std::uint64_t cap, std::uint64_t* offset) {
  if (cap <= s.offset) {
    *offset = 0;
    return true;
  }
  if (s.offset + s.capacity + cap <= kReserve) {
    *offset = s.offset + s.capacity;
    return true;
  }
  return false;
}

// Moves the ring of `s` to a region big enough for `need` more bytes. The old
// region's bytes stay untouched, so an unpublished growth is harmless.
bool grow(char* data, RingState& s, std::uint64_t need) {
  const std::uint64_t used = s.tail - s.head;
  std::uint64_t cap = s.capacity;
  while (cap < used + need) cap <<= 1;
  std::uint64_t offset;
  if (!place(s, cap, &offset)) return false;
  RingState n = s;
  n.offset = offset;
  n.capacity = cap;
  for (std::uint64_t pos = s.head; pos < s.tail;) {
    const std::uint64_t src = pos & (s.capacity - 1);
    const std::uint64_t dst = pos & (cap - 1);
    const std::uint64_t chunk = std::min({s.tail - pos, s.capacity - src, cap - dst});
    std::memcpy(data + n.offset + dst, data + s.offset + src, chunk);
    pos += chunk;
  }
  s = n;
  return true;
}

// Gives the pages of a region no longer in use back to the system.
void release_region(char* data, std::uint64_t offset, std::uint64_t len) {
  ::madvise(data + offset, len, MADV_REMOVE);
}

bool signal_one(Cond& c) {
  if (c.waiters <= c.signals) return false;
  ++c.signals;
  c.seq.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

bool signal_all(Cond& c) {
  if (c.waiters == 0) return false;
  c.signals = c.waiters;
  c.seq.fetch_add(1, std::memory_order_seq_cst);
  return true;
}

// Waits once on `c`: unlocks, spins, sleeps until woken or `deadline`, and
// re-locks. Returns false when the deadline passed. Callers loop.
bool wait_once(Header& h, Cond& c, const std::optional<Duration>& deadline) BRAID_NO_THREAD_SAFETY_ANALYSIS {
  ++c.waiters;
  const std::uint32_t seen = c.seq.load(std::memory_order_relaxed);
  h.lock.unlock();
  bool in_time = true;
  bool changed = false;
  for (int i = 0; i < kSpinWait; ++i) {
    if (c.seq.load(std::memory_order_acquire) != seen) {
      changed = true;
      break;
    }
    cpu_relax();
  }
  if (!changed) {
    c.sleepers.fetch_add(1, std::memory_order_seq_cst);
    in_time = runtime::futex_wait_shared(c.seq, seen, deadline);
    c.sleepers.fetch_sub(1, std::memory_order_relaxed);
  }
  h.lock.lock();
  --c.waiters;
  if (c.signals > 0) --c.signals;
  return in_time;
}

bool passed(const std::optional<Duration>& deadline) { return deadline && runtime::now() >= *deadline; }

}  // namespace

ShmRing::ShmRing(long maxsize) {
  const std::size_t bytes = kHeaderBytes + kReserve;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    const int err = errno;
    throw OSError(os::errno_message(err));
  }
  hdr_ = new (p) Header();
  hdr_->maxsize = maxsize;
  hdr_->state[0] = RingState{0, 0, 0, 0, 0, kInitialCap};
  data_ = static_cast<char*>(p) + kHeaderBytes;
}

ShmRing::~ShmRing() {
  hdr_->~Header();
  ::munmap(hdr_, kHeaderBytes + kReserve);
}

bool ShmRing::push(std::string_view payload, bool block, const std::optional<Duration>& deadline) {
  if (payload.size() > kMaxMessage) {
    throw ValueError("message of " + std::to_string(payload.size()) + " bytes is larger than the limit of " +
                     std::to_string(kMaxMessage) + " bytes");
  }
  const std::uint64_t need = frame_size(payload.size());
  Header& h = *hdr_;
  PendingWake wake;
  ShmGuard g(h.lock);
  for (;;) {
    RingState s = committed(h);
    if (h.maxsize <= 0 || s.items < static_cast<std::uint64_t>(h.maxsize)) {
      const RingState before = s;
      if (s.capacity - (s.tail - s.head) >= need || grow(data_, s, need)) {
        const std::uint32_t header[2] = {static_cast<std::uint32_t>(payload.size()), kFrameTag};
        write_at(data_, s, s.tail, reinterpret_cast<const char*>(header), kFrameHeader);
        write_at(data_, s, s.tail + kFrameHeader, payload.data(), payload.size());
        s.tail += need;
        ++s.items;
        ++s.unfinished;
        commit(h, s);
        if (s.offset != before.offset) release_region(data_, before.offset, before.capacity);
        if (signal_one(h.not_empty)) wake.set(h.not_empty, 1);
        return true;
      }
    }
    if (!block || passed(deadline)) return false;
    wait_once(h, h.not_full, deadline);
  }
}

bool ShmRing::pop(std::string& out, bool block, const std::optional<Duration>& deadline,
                  std::atomic<std::uint64_t>* claim) {
  Header& h = *hdr_;
  PendingWake wake;
  ShmGuard g(h.lock);
  for (;;) {
    RingState s = committed(h);
    if (s.items > 0) {
      std::uint32_t header[2];
      read_at(data_, s, s.head, reinterpret_cast<char*>(header), kFrameHeader);
      if (header[1] != kFrameTag || header[0] > kMaxMessage) corrupt("bad frame header");
      out.resize(header[0]);
      read_at(data_, s, s.head + kFrameHeader, out.data(), header[0]);
      if (claim != nullptr) {
        std::uint64_t id = 0;
        if (out.size() >= sizeof id) std::memcpy(&id, out.data(), sizeof id);
        claim->store(id, std::memory_order_relaxed);
      }
      s.head += frame_size(header[0]);
      --s.items;
      const RingState before = s;
      std::uint64_t offset;
      const bool shrink = s.items == 0 && s.capacity > kShrinkAbove && place(s, kInitialCap, &offset);
      if (shrink) {
        s.offset = offset;
        s.capacity = kInitialCap;
      }
      commit(h, s);
      if (shrink) release_region(data_, before.offset, before.capacity);
      if (signal_one(h.not_full)) wake.set(h.not_full, 1);
      return true;
    }
    if (!block || passed(deadline)) return false;
    wait_once(h, h.not_empty, deadline);
  }
}

std::size_t ShmRing::size() {
  ShmGuard g(hdr_->lock);
  return committed(*hdr_).items;
}

bool ShmRing::full() {
  ShmGuard g(hdr_->lock);
  return hdr_->maxsize > 0 && committed(*hdr_).items >= static_cast<std::uint64_t>(hdr_->maxsize);
}

std::size_t ShmRing::capacity() {
  ShmGuard g(hdr_->lock);
  return committed(*hdr_).capacity;
}

bool ShmRing::task_done() {
  Header& h = *hdr_;
  PendingWake wake;
  ShmGuard g(h.lock);
  RingState s = committed(h);
  if (s.unfinished == 0) return false;
  --s.unfinished;
  commit(h, s);
  if (s.unfinished == 0 && signal_all(h.all_done)) wake.set(h.all_done, INT32_MAX);
  return true;
}

bool ShmRing::join(const std::optional<Duration>& deadline) {
  Header& h = *hdr_;
  ShmGuard g(h.lock);
  while (committed(h).unfinished != 0) {
    if (passed(deadline)) return false;
    wait_once(h, h.all_done, deadline);
  }
  return true;
}

void ShmRing::scan_prefixes(const std::function<void()>& while_locked, std::vector<std::uint64_t>& prefixes) {
  Header& h = *hdr_;
  ShmGuard g(h.lock);
  while_locked();
  const RingState s = committed(h);
  for (std::uint64_t pos = s.head; pos < s.tail;) {
    std::uint32_t header[2];
    read_at(data_, s, pos, reinterpret_cast<char*>(header), kFrameHeader);
    if (header[1] != kFrameTag || header[0] > kMaxMessage) corrupt("bad frame header");
    std::uint64_t id = 0;
    if (header[0] >= sizeof id) read_at(data_, s, pos + kFrameHeader, reinterpret_cast<char*>(&id), sizeof id);
    prefixes.push_back(id);
    pos += frame_size(header[0]);
  }
}

std::uint32_t ShmRing::lock_takeovers() const noexcept { return hdr_->lock.takeovers(); }

}  // namespace braid::mp::detail
