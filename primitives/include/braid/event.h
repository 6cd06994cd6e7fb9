// braid/event.h
// -----------------------------------------------------------------------------
// braid::Event — a one-bit flag threads can wait on, with Python's
// `threading.Event` semantics: set() wakes every waiter, clear() resets the
// flag, and wait() returns true once the flag has been set, even if it was
// cleared again before the waiter ran (gh-57711).
//
// One 32-bit futex word holds the flag (bit 0) and a generation counter
// (bits 1..31) bumped by every set() that changes the flag; a waiter returns
// when the flag is set or the generation has moved on.
//
// Python equivalence: threading.Event.
// -----------------------------------------------------------------------------
#ifndef BRAID_EVENT_H_
#define BRAID_EVENT_H_

#include <atomic>
#include <cstdint>
#include "braid/source_location.h"

#include "braid/runtime.h"

namespace braid {

// Event
//
// Memory ordering: set() synchronizes-with every wait() and is_set() that
// observes it (release/acquire on the futex word).
class Event {
 public:
  Event() = default;
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Whether the flag is set. Never blocks. Python equivalence: Event.is_set().
  bool is_set(braid::source_location where = braid::source_location::current()) const;

  // Sets the flag and wakes every waiting thread. Never blocks.
  // Python equivalence: Event.set().
  void set(braid::source_location where = braid::source_location::current());

  // Resets the flag. Never blocks. Python equivalence: Event.clear().
  void clear(braid::source_location where = braid::source_location::current());

  // Event::wait()
  //
  // Blocks until the flag is set or `timeout` elapses (nullopt waits forever;
  // zero or negative does not block — Python raises nothing for a negative
  // timeout here). Returns true if the flag was set (at entry or during the
  // wait), false on timeout. Throws nothing.
  //
  // Python equivalence: Event.wait(timeout=None).
  bool wait(Timeout timeout = std::nullopt,
            braid::source_location where = braid::source_location::current());

 private:
  static constexpr std::uint32_t kSet = 1;
  static constexpr std::uint32_t kGeneration = 2;

  std::atomic<std::uint32_t> word_{0};
  std::atomic<std::uint32_t> waiters_{0};
};

}  // namespace braid

#endif  // BRAID_EVENT_H_
