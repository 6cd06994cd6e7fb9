// braid/detail/queue_inl.h
// -----------------------------------------------------------------------------
// Bodies of braid::queue::detail::BasicQueue (declared in braid/queue.h).
//
// Each operation has two paths. The OS path holds the FutexMutex for the whole
// operation and sleeps on the condition's futex word (queue_core.h); deadlines
// come from runtime::now() so that spurious wake-ups keep the original
// deadline. The modelled path makes one Model::step per operation (guarded
// when it blocks) and then updates the state directly: between two steps only
// one logical thread runs.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_QUEUE_INL_H_
#define BRAID_DETAIL_QUEUE_INL_H_

#include "braid/queue.h"

namespace braid::queue::detail {

template <typename T, typename Store>
void BasicQueue<T, Store>::put(T item, bool block, Timeout timeout, Where where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      return put_modelled(*m, std::move(item), block, timeout, where);
    }
    runtime::chaos_point();
  }
  PendingWake wake;  // destroyed after `lock`: wakes outside the mutex
  braid::detail::FutexGuard lock(mu_);
  if (maxsize_ > 0) {
    if (!block) {
      if (full_locked()) throw_full();
    } else if (negative(timeout)) {
      throw_negative_timeout();
    } else if (full_locked()) {
      const std::optional<Duration> deadline = runtime::deadline_after(timeout);
      do {
        if (deadline && runtime::now() >= *deadline) throw_full();
        wait_once(mu_, not_full_seq_, not_full_, deadline);
      } while (full_locked());
    }
  }
  store_.push(std::move(item));
  ++unfinished_;
  if (signal_one(not_empty_seq_, not_empty_)) wake.set(not_empty_seq_, 1);
}

template <typename T, typename Store>
T BasicQueue<T, Store>::get(bool block, Timeout timeout, Where where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) return get_modelled(*m, block, timeout, where);
    runtime::chaos_point();
  }
  PendingWake wake;
  braid::detail::FutexGuard lock(mu_);
  if (store_.size() == 0) {
    if (!block) throw_empty();
    if (negative(timeout)) throw_negative_timeout();
    const std::optional<Duration> deadline = runtime::deadline_after(timeout);
    do {
      if (deadline && runtime::now() >= *deadline) throw_empty();
      wait_once(mu_, not_empty_seq_, not_empty_, deadline);
    } while (store_.size() == 0);
  } else if (block && negative(timeout)) {
    throw_negative_timeout();
  }
  T item = store_.pop();
  if (signal_one(not_full_seq_, not_full_)) wake.set(not_full_seq_, 1);
  return item;
}

template <typename T, typename Store>
std::size_t BasicQueue<T, Store>::qsize(Where where) const {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kQueueQuery, this, where);
      m->sync_acquire(this);
      return size_unlocked();
    }
    runtime::chaos_point();
  }
  braid::detail::FutexGuard lock(mu_);
  return store_.size();
}

template <typename T, typename Store>
bool BasicQueue<T, Store>::full(Where where) const {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      m->step(runtime::Op::kQueueQuery, this, where);
      m->sync_acquire(this);
      return !has_room_unlocked();
    }
    runtime::chaos_point();
  }
  braid::detail::FutexGuard lock(mu_);
  return full_locked();
}

template <typename T, typename Store>
long BasicQueue<T, Store>::maxsize(Where where) const {
  runtime::visible(runtime::Op::kQueueQuery, this, where);
  braid::detail::FutexGuard lock(mu_);
  return maxsize_;
}

template <typename T, typename Store>
void BasicQueue<T, Store>::set_maxsize(long maxsize, Where where) {
  runtime::visible(runtime::Op::kQueueQuery, this, where);
  PendingWake wake;
  braid::detail::FutexGuard lock(mu_);
  maxsize_ = maxsize;
  // Every blocked putter re-checks against the new bound.
  if (signal_all(not_full_seq_, not_full_)) wake.set(not_full_seq_, INT32_MAX);
}

template <typename T, typename Store>
void BasicQueue<T, Store>::task_done(Where where) {
  runtime::Model* m = nullptr;
  if (BRAID_UNLIKELY(runtime::hooked())) {
    m = runtime::model();
    if (m != nullptr) {
      m->step(runtime::Op::kQueueTaskDone, this, where);
    } else {
      runtime::chaos_point();
    }
  }
  {
    PendingWake wake;
    braid::detail::FutexGuard lock(mu_);
    if (unfinished_ == 0) throw_task_done_too_many();
    if (--unfinished_ == 0 && signal_all(all_done_seq_, all_done_)) {
      wake.set(all_done_seq_, INT32_MAX);
    }
  }
  if (m != nullptr) m->sync_release(this);
}

template <typename T, typename Store>
void BasicQueue<T, Store>::join(Where where) {
  if (BRAID_UNLIKELY(runtime::hooked())) {
    if (runtime::Model* m = runtime::model()) {
      auto done = [this] { return unfinished_unlocked() == 0; };
      m->step(runtime::Op::kQueueJoin, this, where, runtime::Guard(done));
      m->sync_acquire(this);
      return;
    }
    runtime::chaos_point();
  }
  braid::detail::FutexGuard lock(mu_);
  while (unfinished_ != 0) wait_once(mu_, all_done_seq_, all_done_, std::nullopt);
}

template <typename T, typename Store>
void BasicQueue<T, Store>::put_modelled(runtime::Model& m, T item, bool block,
                                        const Timeout& timeout, const Where& where) {
  auto has_room = [this] { return has_room_unlocked(); };
  if (block && bounded_unlocked()) {
    if (negative(timeout)) throw_negative_timeout();
    // On a fired timeout, Python re-checks the queue before giving up.
    m.step(runtime::Op::kQueuePut, this, where, runtime::Guard(has_room), timeout);
  } else {
    m.step(runtime::Op::kQueuePut, this, where);
  }
  if (!has_room()) throw_full();
  {
    braid::detail::FutexGuard lock(mu_);
    store_.push(std::move(item));
    ++unfinished_;
  }
  m.sync_release(this);
}

template <typename T, typename Store>
T BasicQueue<T, Store>::get_modelled(runtime::Model& m, bool block, const Timeout& timeout,
                                     const Where& where) {
  auto has_item = [this] { return size_unlocked() != 0; };
  if (block) {
    if (negative(timeout)) throw_negative_timeout();
    m.step(runtime::Op::kQueueGet, this, where, runtime::Guard(has_item), timeout);
  } else {
    m.step(runtime::Op::kQueueGet, this, where);
  }
  if (!has_item()) throw_empty();
  T item = [this] {
    braid::detail::FutexGuard lock(mu_);
    return store_.pop();
  }();
  m.sync_acquire(this);
  return item;
}

}  // namespace braid::queue::detail

#endif  // BRAID_DETAIL_QUEUE_INL_H_
