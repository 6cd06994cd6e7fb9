// braid/mp/detail/queue_core.h
// -----------------------------------------------------------------------------
// QueueCore: the untyped body of mp::Queue, mp::JoinableQueue and
// mp::SimpleQueue (braid/mp/queue.h). It moves encoded messages (byte
// strings made by braid/codec.h); the typed front ends encode and decode.
//
// Two implementations behind one interface, chosen when the queue is made:
//   * OS runtime: a ShmRing (shm_ring.h) in memory shared with every process
//     forked later.
//   * Model runtime (made inside a braid::explore body): an in-object deque of
//     byte strings. Modelled processes are logical threads of one OS process,
//     so the deque is naturally shared by them. put is a kChannelSend step,
//     get a kChannelRecv step (guarded while empty / full), queries are
//     kChannelQuery steps, close a kChannelClose step; task_done and join are
//     kQueueTaskDone / kQueueJoin steps. put and task_done publish
//     (sync_release), get and join observe (sync_acquire).
//
// `close()` closes this process's handle only, as in Python: a closed handle
// refuses put and get; other processes' handles stay open (under the model
// the closed state is kept per simulated process).
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_QUEUE_CORE_H_
#define BRAID_MP_DETAIL_QUEUE_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "braid/mp/detail/shm_ring.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid::mp::detail {

class QueueCore {
 public:
  using Where = braid::source_location;
  enum class Kind : std::uint8_t { kQueue, kJoinable, kSimple };

  QueueCore(long maxsize, Kind kind);
  ~QueueCore();
  QueueCore(const QueueCore&) = delete;
  QueueCore& operator=(const QueueCore&) = delete;

  // See mp::Queue for the semantics; `bytes` is an encoded item.
  void put(std::string_view bytes, bool block, const Timeout& timeout, const Where& where);
  void get(std::string& out, bool block, const Timeout& timeout, const Where& where);
  std::size_t qsize(const Where& where);
  bool empty(const Where& where);
  bool full(const Where& where);
  void close(const Where& where);
  void task_done(const Where& where);
  void join(const Where& where);
  // Throws ValueError (a misuse) unless this process closed its handle.
  void join_thread(const Where& where);

  // Test hooks (OS runtime): the byte ring's capacity and lock takeovers.
  std::size_t ring_capacity() const { return ring_ ? ring_->capacity() : 0; }
  std::uint32_t lock_takeovers() const { return ring_ ? ring_->lock_takeovers() : 0; }

 private:
  // Throws the closed-handle error (ValueError; OSError for SimpleQueue) if
  // this process closed its handle.
  void check_open(runtime::Model* m) const;
  bool closed_here(runtime::Model* m) const;
  bool closed_in(std::uint32_t process) const;  // model: simulated process `process` closed it
  std::string repr() const;
  // The model installed now, checking that the queue was made under it (or
  // not): a queue cannot move between runtimes.
  runtime::Model* runtime_for(const Where& where) const;

  void put_modelled(runtime::Model& m, std::string_view bytes, bool block, const Timeout& timeout,
                    const Where& where);
  void get_modelled(runtime::Model& m, std::string& out, bool block, const Timeout& timeout,
                    const Where& where);

  const Kind kind_;
  const long maxsize_;
  const bool modelled_;
  std::atomic<bool> closed_{false};      // OS runtime: this process's handle
  std::unique_ptr<ShmRing> ring_;        // OS runtime
  std::deque<std::string> items_;        // model runtime
  std::uint64_t unfinished_ = 0;         // model runtime
  std::vector<std::uint32_t> closed_in_;  // model runtime: simulated processes that closed
};

}  // namespace braid::mp::detail

#endif  // BRAID_MP_DETAIL_QUEUE_CORE_H_
