// The out-of-line parts of braid/detail/queue_core.h: the futex wait round and
// the Python errors queues raise.
#include "braid/detail/queue_core.h"

#include "braid/errors.h"

namespace braid::queue::detail {

bool wait_once(braid::detail::FutexMutex& mu, std::atomic<std::uint32_t>& seq,
               WaitCount& count, const std::optional<Duration>& deadline) {
  ++count.waiters;
  const std::uint32_t seen = seq.load(std::memory_order_relaxed);
  mu.unlock();
  const bool in_time = runtime::futex_wait(seq, seen, deadline);
  mu.lock();
  --count.waiters;
  // Whichever waiter returns first consumes a pending wake-up. If it was meant
  // for a thread still asleep, that thread is woken by the kernel anyway, and
  // the next signal_one sees an unsignalled waiter and wakes again: at worst an
  // extra wake-up, never a lost one.
  if (count.signals > 0) --count.signals;
  return in_time;
}

void throw_negative_timeout() { throw ValueError("'timeout' must be a non-negative number"); }

void throw_empty() { throw Empty(""); }

void throw_full() { throw Full(""); }

void throw_task_done_too_many() { throw misuse<ValueError>("task_done() called too many times"); }

}  // namespace braid::queue::detail
