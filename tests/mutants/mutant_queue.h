// tests/mutants/mutant_queue.h
// A queue with a racy size, built on the model seam (compare
// primitives/include/braid/detail/queue_inl.h).
#ifndef BRAID_TESTS_MUTANTS_MUTANT_QUEUE_H_
#define BRAID_TESTS_MUTANTS_MUTANT_QUEUE_H_

#include <cstdint>
#include <deque>
#include <stdexcept>
#include <utility>

#include "braid/errors.h"
#include "braid/runtime.h"
#include "mutant_support.h"

namespace braid::mutants {

// A FIFO queue whose size counter (the one blocking decisions use) is updated
// with a read, a scheduling point, then a write. Bug: a put and a get that
// overlap lose one of the two updates, so the counter drifts from the real
// number of items: a getter blocks for ever on a non-empty queue, or takes
// from an empty one.
template <typename T>
class RacySizeQueue {
 public:
  explicit RacySizeQueue(long maxsize = 0) : maxsize_(maxsize) {}
  RacySizeQueue(const RacySizeQueue&) = delete;
  RacySizeQueue& operator=(const RacySizeQueue&) = delete;
  ~RacySizeQueue() { forget(this); }

  void put(T item, bool block = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    auto room = [this] { return maxsize_ <= 0 || size_ < maxsize_; };
    if (block) {
      m.step(Op::kQueuePut, this, where, Guard(room), timeout);
    } else {
      m.step(Op::kQueuePut, this, where);
    }
    if (!room()) throw queue::Full("");
    items_.push_back(std::move(item));
    ++unfinished_;
    m.sync_release(this);
    const long n = size_;
    m.step(Op::kQueueQuery, this, where);  // BUG: the counter's update is not atomic
    size_ = n + 1;
  }

  T get(bool block = true, Timeout timeout = std::nullopt, Where where = Where::current()) {
    runtime::Model& m = model();
    auto nonempty = [this] { return size_ > 0; };
    if (block) {
      m.step(Op::kQueueGet, this, where, Guard(nonempty), timeout);
    } else {
      m.step(Op::kQueueGet, this, where);
    }
    if (!nonempty()) throw queue::Empty("");
    if (items_.empty()) throw std::logic_error("racy queue: get from an empty store");
    T item = std::move(items_.front());
    items_.pop_front();
    m.sync_acquire(this);
    const long n = size_;
    m.step(Op::kQueueQuery, this, where);  // BUG: as in put()
    size_ = n - 1;
    return item;
  }
  T get_nowait(Where where = Where::current()) { return get(false, std::nullopt, where); }

  void task_done(Where where = Where::current()) {
    runtime::Model& m = model();
    m.step(Op::kQueueTaskDone, this, where);
    if (unfinished_ == 0) throw misuse<ValueError>("task_done() called too many times");
    --unfinished_;
    m.sync_release(this);
  }

  void join(Where where = Where::current()) {
    runtime::Model& m = model();
    auto done = [this] { return unfinished_ == 0; };
    m.step(Op::kQueueJoin, this, where, Guard(done));
    m.sync_acquire(this);
  }

 private:
  std::deque<T> items_;
  long size_ = 0;
  long maxsize_;
  std::uint64_t unfinished_ = 0;
};

}  // namespace braid::mutants

#endif  // BRAID_TESTS_MUTANTS_MUTANT_QUEUE_H_
