// braid/mp/queue.h
// -----------------------------------------------------------------------------
// Queues between processes: the C++ counterpart of multiprocessing.Queue,
// JoinableQueue and SimpleQueue.
//
//   braid::mp::Queue<T>          FIFO, optionally bounded (maxsize items)
//   braid::mp::JoinableQueue<T>  a Queue that counts unfinished tasks
//   braid::mp::SimpleQueue<T>    unbounded FIFO with put/get/empty/close only
//
// Make the queue first, then fork (mp::Process, os::fork, a Pool): every
// process forked afterwards shares it, as a Python queue passed to a Process
// is shared. A process forked before the queue was made (a Pool worker
// started earlier) does not have it and must not touch it (Python raises
// "Queue objects should only be shared between processes through
// inheritance" there). Items cross as bytes of braid/codec.h: T is any type the codec
// supports (numbers, strings, vectors, maps, tuples, optionals, structs with
// BRAID_CODEC_FIELDS), and each process gets its own copy of the value.
//
// How it works (OS runtime): the constructor maps shared memory holding a byte
// ring of messages, a process-shared lock and counters (braid/mp/detail/
// shm_ring.h). put encodes the item and copies it into the ring; get copies
// the next message out and decodes it. A reader or writer that must wait
// spins briefly, then sleeps on a futex in the shared mapping; when nobody
// waits, put and get make no system call at all.
//
// No feeder thread: Python's put hands the item to a background thread that
// writes it to a pipe later, which is why a Python process must not exit
// before that thread has flushed ("joining processes that use queues"). Here
// put() has written the item into shared memory and published it before it
// returns, so a writer may _exit() right after its last put and nothing is
// lost; join_thread() and cancel_join_thread() exist only for compatibility.
// The ring grows instead of blocking, so put never waits for a reader (up to
// a limit of about 1.5 GiB queued; a single item may be up to 1 GiB encoded).
//
// A process that dies in the middle of put or get (killed by a signal, or
// _exit from another thread) cannot corrupt the queue or hang the others: the
// ring lock records its owner's pid and waiters take it over from a dead
// owner; every change to the ring is published by a single store, so the item
// in flight was either put (got) entirely or not at all.
//
// Errors are Python's: queue::Empty / queue::Full (braid/errors.h) from
// non-blocking or timed-out calls; a negative timeout counts as zero (Python's
// multiprocessing queues do not raise ValueError for it); ValueError
// "Queue <...> is closed" from put/get on a handle this process closed;
// ValueError "task_done() called too many times"; codec::DecodeError if a
// reader names a different type than the writer.
//
// Memory ordering: everything a process did before put(x) happens before
// everything the process that gets x does after get returns; task_done()
// happens before the return of the join() it completes.
//
// Under braid's model runtime (a queue made inside braid::explore) the queue
// is an in-object list of encoded messages; put, get and the queries are
// scheduling points (kChannelSend / kChannelRecv / kChannelQuery), blocking is
// a guarded step, and modelled processes (runtime::spawn_process, mp::Process)
// share it. A queue made on one runtime cannot be used on the other.
//
// Example:
//
//   braid::mp::Queue<std::string> q;
//   int pid = braid::os::fork();
//   if (pid == 0) { q.put("hello"); braid::os::_exit(0); }
//   std::string s = q.get();            // "hello"
//   braid::os::waitpid(pid, 0);
//
// Python equivalence: multiprocessing.Queue, multiprocessing.JoinableQueue,
// multiprocessing.SimpleQueue (fork start method), queue.Empty, queue.Full.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_QUEUE_H_
#define BRAID_MP_QUEUE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/queue_core.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid::mp {

namespace detail {
// A per-thread scratch buffer for encoding and decoding, reused so that a
// steady stream of small items allocates nothing. Under the model every
// logical thread runs on the exploring OS thread, so a per-OS-thread buffer
// would be one buffer shared by all of them: they get `own` (the caller's
// local string) instead.
inline std::string& scratch(std::string& own) {
  if (BRAID_UNLIKELY(runtime::hooked()) && runtime::model() != nullptr) return own;
  thread_local std::string buf;
  if (buf.capacity() > (std::size_t{1} << 20)) std::string().swap(buf);  // after a huge item
  buf.clear();
  return buf;
}
}  // namespace detail

// Queue
//
// A FIFO queue shared by this process and the processes it forks later.
// Bounded when `maxsize` > 0 (put blocks while maxsize items are queued),
// unbounded otherwise. Safe to use from several threads and processes at once.
//
// Python equivalence: multiprocessing.Queue(maxsize=0).
template <typename T>
class Queue {
 public:
  using value_type = T;
  using Where = braid::source_location;

  // Creates the shared queue. Throws OSError if the shared mapping cannot be
  // made.
  explicit Queue(long maxsize = 0) : core_(maxsize, detail::QueueCore::Kind::kQueue) {}

  // Unmaps this process's view; other processes keep theirs. Destroying a
  // queue that threads of this process still block on is undefined behaviour.
  ~Queue() = default;
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // put()
  //
  // Encodes `item` and appends it. On a bounded queue with `block` true,
  // waits while the queue is full: forever when `timeout` is nullopt, else at
  // most `timeout`, then throws queue::Full; with `block` false throws Full at
  // once if full. Never waits on an unbounded queue. Throws ValueError if this
  // process closed its handle. When put returns, the item is in the queue.
  //
  // Python equivalence: Queue.put(obj, block=True, timeout=None).
  void put(const T& item, bool block = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    std::string own;
    std::string& buf = detail::scratch(own);
    codec::encode_to(buf, item);
    core_.put(buf, block, timeout, where);
  }
  void put(const T& item, Timeout timeout, Where where = Where::current()) { put(item, true, timeout, where); }

  // put_nowait(): put(item, false).
  //
  // Python equivalence: Queue.put_nowait(obj).
  void put_nowait(const T& item, Where where = Where::current()) { put(item, false, std::nullopt, where); }

  // get()
  //
  // Removes and returns the next item. With `block` true waits until one is
  // there: forever when `timeout` is nullopt, else at most `timeout`, then
  // throws queue::Empty; with `block` false throws Empty at once if there is
  // none. Throws ValueError if this process closed its handle, DecodeError if
  // the bytes are not a T.
  //
  // Python equivalence: Queue.get(block=True, timeout=None).
  T get(bool block = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    std::string own;
    std::string& buf = detail::scratch(own);
    core_.get(buf, block, timeout, where);
    return codec::decode<T>(buf);
  }
  T get(Timeout timeout, Where where = Where::current()) { return get(true, timeout, where); }

  // get_nowait(): get(false).
  //
  // Python equivalence: Queue.get_nowait().
  T get_nowait(Where where = Where::current()) { return get(false, std::nullopt, where); }

  // qsize(), empty(), full()
  //
  // Snapshots: the number of items put and not yet got (by any process).
  // full() is `0 < maxsize <= qsize()`. They work on a closed handle too.
  //
  // Python equivalence: Queue.qsize(), Queue.empty(), Queue.full().
  std::size_t qsize(Where where = Where::current()) { return core_.qsize(where); }
  bool empty(Where where = Where::current()) { return core_.empty(where); }
  bool full(Where where = Where::current()) { return core_.full(where); }

  // close()
  //
  // This process will neither put nor get again: later put/get on this
  // handle throw ValueError. Other processes' handles stay open; items
  // already put stay in the queue. Closing twice is harmless.
  //
  // Python equivalence: Queue.close().
  void close(Where where = Where::current()) { core_.close(where); }

  // join_thread(), cancel_join_thread()
  //
  // Do nothing: there is no feeder thread to wait for (see the file
  // comment). join_thread() requires a closed handle, as in Python, and
  // throws AssertionError ("Queue <...> not closed", a misuse; declared in
  // braid/mp/process.h) otherwise.
  //
  // Python equivalence: Queue.join_thread(), Queue.cancel_join_thread().
  void join_thread(Where where = Where::current()) { core_.join_thread(where); }
  void cancel_join_thread() noexcept {}

 protected:
  Queue(long maxsize, detail::QueueCore::Kind kind) : core_(maxsize, kind) {}

  detail::QueueCore core_;
};

// JoinableQueue
//
// A Queue that counts unfinished tasks: every put adds one, task_done()
// removes one, and join() waits until none remain. The count is shared by all
// processes.
//
// Python equivalence: multiprocessing.JoinableQueue(maxsize=0).
template <typename T>
class JoinableQueue : public Queue<T> {
  using Where = braid::source_location;

 public:
  explicit JoinableQueue(long maxsize = 0) : Queue<T>(maxsize, detail::QueueCore::Kind::kJoinable) {}

  // task_done()
  //
  // Marks one task as done (any process may call it). When none remain,
  // every join() in every process returns. Throws ValueError ("task_done()
  // called too many times", a misuse) if no task is unfinished. Publishes:
  // happens before the return of the join() it releases.
  //
  // Python equivalence: JoinableQueue.task_done().
  void task_done(Where where = Where::current()) { this->core_.task_done(where); }

  // join()
  //
  // Blocks until every item ever put has been marked by task_done().
  //
  // Python equivalence: JoinableQueue.join().
  void join(Where where = Where::current()) { this->core_.join(where); }
};

// SimpleQueue
//
// An unbounded FIFO with the four operations of Python's SimpleQueue: put
// never blocks, get blocks until an item is there. After close(), put, get
// and empty throw OSError("handle is closed") as Python's do.
//
// Python equivalence: multiprocessing.SimpleQueue.
template <typename T>
class SimpleQueue {
  using Where = braid::source_location;

 public:
  using value_type = T;

  SimpleQueue() : core_(0, detail::QueueCore::Kind::kSimple) {}
  SimpleQueue(const SimpleQueue&) = delete;
  SimpleQueue& operator=(const SimpleQueue&) = delete;

  // Python equivalence: SimpleQueue.put(obj).
  void put(const T& item, Where where = Where::current()) {
    std::string own;
    std::string& buf = detail::scratch(own);
    codec::encode_to(buf, item);
    core_.put(buf, true, std::nullopt, where);
  }

  // Python equivalence: SimpleQueue.get().
  T get(Where where = Where::current()) {
    std::string own;
    std::string& buf = detail::scratch(own);
    core_.get(buf, true, std::nullopt, where);
    return codec::decode<T>(buf);
  }

  // Python equivalence: SimpleQueue.empty().
  bool empty(Where where = Where::current()) { return core_.empty(where); }

  // Closing twice is harmless. Python equivalence: SimpleQueue.close().
  void close(Where where = Where::current()) { core_.close(where); }

 private:
  detail::QueueCore core_;
};

}  // namespace braid::mp

#endif  // BRAID_MP_QUEUE_H_
