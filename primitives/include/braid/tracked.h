// braid/tracked.h
// -----------------------------------------------------------------------------
// Variables whose every access braid's model runtime sees.
//
//   braid::Shared<T>   plain, unsynchronised data that you want race-checked
//   braid::Atomic<T>   a sequentially consistent atomic (std::atomic<T>)
//
// The model runtime explores interleavings only at visible operations, and its
// data-race detector only knows about accesses it is told of. Ordinary C++
// variables are invisible to it: wrap the shared state of a test in
// `Shared<T>` (data meant to be protected by locks, queues, events, ...) or
// `Atomic<T>` (data meant to be accessed atomically).
//
//   braid::Shared<int> counter{0};
//   braid::Lock lock;
//   // in each thread:
//   { std::scoped_lock g(lock); counter = counter + 1; }   // race-free
//   counter = counter + 1;      // reported as a data race under the model
//
// On the OS runtime, `Shared<T>` is a plain `T` (no atomics, no fences) plus
// one predictable branch per access, so ThreadSanitizer still reports real
// races on it; under chaos mode each access is also a chaos point.
// `Atomic<T>` is a `std::atomic<T>` with seq_cst operations.
//
// Python equivalence: none; Python's variables are all shared. `Shared<T>` is
// how braid makes the "x += 1 is not atomic" class of bug visible.
// -----------------------------------------------------------------------------
#ifndef BRAID_TRACKED_H_
#define BRAID_TRACKED_H_

#include <atomic>
#include "braid/source_location.h"
#include <type_traits>
#include <utility>

#include "braid/runtime.h"

namespace braid {

// Shared
//
// A variable holding plain data shared between threads, every read and write
// of which is a visible operation: one scheduling point under the model
// runtime (Op::kSharedRead / Op::kSharedWrite), from which the engine's vector
// clocks detect data races: two accesses from different threads, at least one
// a write, not ordered by happens-before (locks, queues, thread start/join,
// Atomic<T>, ...).
//
// Memory ordering: none. Shared<T> does not synchronise anything; concurrent
// unsynchronised access is a data race (undefined behaviour in C++), which is
// exactly what the harness and TSan are meant to find.
//
// `load()`/`store()` and `read()`/`write()` record the caller's source
// location; the conversion and assignment operators cannot take one, so traces
// show this header's location for them.
//
// T must be copyable: reads return a copy.
template <typename T>
class Shared {
 public:
  using value_type = T;
  using Where = braid::source_location;

  Shared() requires std::is_default_constructible_v<T> : value_() {}
  explicit Shared(T value) : value_(std::move(value)) {}
  ~Shared() {
    if (runtime::Model* m = runtime::model()) m->forget(this);
  }

  // Copying would be an untracked read; copy the value explicitly instead.
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;

  // Shared::load(), Shared::read()
  //
  // Returns a copy of the value. A visible read. Never blocks.
  T load(Where where = Where::current()) const {
    if (BRAID_UNLIKELY(runtime::hooked())) {
      if (runtime::Model* m = runtime::model()) {
        if (BRAID_UNLIKELY(m->has_processes())) return load_in_process(*m, where);
        m->step(runtime::Op::kSharedRead, this, where);
      } else {
        runtime::chaos_point();
      }
    }
    return value_;
  }
  T read(Where where = Where::current()) const { return load(where); }

  // Shared::store(), Shared::write()
  //
  // Replaces the value. A visible write. Never blocks.
  void store(T value, Where where = Where::current()) {
    if (BRAID_UNLIKELY(runtime::hooked())) {
      if (runtime::Model* m = runtime::model()) {
        if (BRAID_UNLIKELY(m->has_processes())) return store_in_process(*m, std::move(value), where);
        m->step(runtime::Op::kSharedWrite, this, where);
      } else {
        runtime::chaos_point();
      }
    }
    value_ = std::move(value);
  }
  void write(T value, Where where = Where::current()) { store(std::move(value), where); }

  // `T x = shared;` is load(); `shared = x;` is store().
  operator T() const { return load(); }  // NOLINT(google-explicit-constructor)
  Shared& operator=(T value) {
    store(std::move(value));
    return *this;
  }

  // Read-modify-write conveniences: a load followed by a store, i.e. TWO
  // visible operations, not atomic (just as `x += 1` in Python). Another
  // thread may run between them.
  Shared& operator+=(const T& d) requires requires(T a) { a + d; } {
    store(load() + d);
    return *this;
  }
  Shared& operator-=(const T& d) requires requires(T a) { a - d; } {
    store(load() - d);
    return *this;
  }
  Shared& operator++() requires std::is_arithmetic_v<T> { return *this += T(1); }
  Shared& operator--() requires std::is_arithmetic_v<T> { return *this -= T(1); }

 private:
  // load() and store() under modelled processes (runtime::spawn_process),
  // out of line: the modelled steps above stay inline (one frame between
  // user code and the fiber switch inside Model::step()).
  [[gnu::noinline]] T load_in_process(runtime::Model& m, const Where& where) const {
    const T* v = storage(m, false);
    m.step(runtime::Op::kSharedRead, key(v), where);
    return *v;
  }
  [[gnu::noinline]] void store_in_process(runtime::Model& m, T value, const Where& where) {
    m.step(runtime::Op::kSharedWrite, key(storage(m, false)), where);
    *storage(m, true) = std::move(value);
  }
  // Under modelled processes: the calling process's copy of the value, and
  // the identity the model knows that copy by.
  T* storage(runtime::Model& m, bool write) const {
    return static_cast<T*>(m.tracked_storage(const_cast<T*>(&value_), kOps, write));
  }
  const void* key(const T* v) const noexcept { return v == &value_ ? static_cast<const void*>(this) : v; }
  static void* clone(const void* v) { return new T(*static_cast<const T*>(v)); }
  static void destroy(void* v) noexcept { delete static_cast<T*>(v); }
  static constexpr runtime::TrackedOps kOps{&clone, &destroy};

  T value_;
};

// Atomic
//
// A std::atomic<T> whose every operation is one visible step under the model
// runtime (Op::kAtomicLoad / kAtomicStore / kAtomicRmw). All operations are
// seq_cst: a store or read-modify-write publishes the thread's history (like
// a release) and a load or read-modify-write observes it (like an acquire), so
// data published through an Atomic is not reported as racy.
//
// Memory ordering: std::memory_order_seq_cst for every operation.
template <typename T>
class Atomic {
 public:
  using value_type = T;
  using Where = braid::source_location;

  Atomic() requires std::is_default_constructible_v<T> : value_() {}
  explicit Atomic(T value) noexcept : value_(value) {}
  ~Atomic() {
    if (runtime::Model* m = runtime::model()) m->forget(this);
  }
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  // Atomic::load(): reads the value.
  T load(Where where = Where::current()) const {
    runtime::Model* m = enter(runtime::Op::kAtomicLoad, where);
    T v = cell(m, false).load();
    if (m != nullptr) m->sync_acquire(self(m));
    return v;
  }

  // Atomic::store(): writes the value.
  void store(T value, Where where = Where::current()) {
    runtime::Model* m = enter(runtime::Op::kAtomicStore, where);
    if (m != nullptr) m->sync_release(self(m));
    cell(m, true).store(value);
  }

  // Atomic::exchange(): writes `value` and returns the previous value.
  T exchange(T value, Where where = Where::current()) {
    return rmw(where, [&](std::atomic<T>& c) { return c.exchange(value); });
  }

  // Atomic::compare_exchange()
  //
  // If the value equals `expected`, replaces it with `desired` and returns
  // true; otherwise copies the value into `expected` and returns false (a
  // failed exchange is a load). Never fails spuriously (the strong form).
  bool compare_exchange(T& expected, T desired, Where where = Where::current()) {
    runtime::Model* m = enter(runtime::Op::kAtomicRmw, where);
    const bool ok = cell(m, true).compare_exchange_strong(expected, desired);
    if (m != nullptr) {
      m->sync_acquire(self(m));
      if (ok) m->sync_release(self(m));
    }
    return ok;
  }
  bool compare_exchange_strong(T& expected, T desired, Where where = Where::current()) {
    return compare_exchange(expected, desired, where);
  }

  // Atomic::fetch_add(), fetch_sub(): add / subtract, returning the previous
  // value. Integral types only.
  T fetch_add(T d, Where where = Where::current()) requires std::is_integral_v<T> {
    return rmw(where, [&](std::atomic<T>& c) { return c.fetch_add(d); });
  }
  T fetch_sub(T d, Where where = Where::current()) requires std::is_integral_v<T> {
    return rmw(where, [&](std::atomic<T>& c) { return c.fetch_sub(d); });
  }

  // `T x = atomic;` is load(); `atomic = x;` is store().
  operator T() const { return load(); }  // NOLINT(google-explicit-constructor)
  Atomic& operator=(T value) {
    store(value);
    return *this;
  }

 private:
  // The step before an operation; returns the model, or null on the OS runtime.
  runtime::Model* enter(runtime::Op op, const Where& where) const {
    if (BRAID_UNLIKELY(runtime::hooked())) {
      if (runtime::Model* m = runtime::model()) {
        m->step(op, self(m), where);
        return m;
      }
      runtime::chaos_point();
    }
    return nullptr;
  }

  // The value the calling (modelled) process sees: value_, or its copy under
  // modelled processes (runtime::spawn_process); `write` before a change.
  std::atomic<T>& cell(runtime::Model* m, bool write) const {
    auto* own = const_cast<std::atomic<T>*>(&value_);
    if (m == nullptr || !m->has_processes()) return *own;
    return *static_cast<std::atomic<T>*>(m->tracked_storage(own, kOps, write));
  }
  // The identity the model knows the calling process's value by.
  const void* self(runtime::Model* m) const {
    if (m == nullptr || !m->has_processes()) return this;
    const std::atomic<T>* c = &cell(m, false);
    return c == &value_ ? static_cast<const void*>(this) : c;
  }
  static void* clone(const void* v) {
    return new std::atomic<T>(static_cast<const std::atomic<T>*>(v)->load(std::memory_order_relaxed));
  }
  static void destroy(void* v) noexcept { delete static_cast<std::atomic<T>*>(v); }
  static constexpr runtime::TrackedOps kOps{&clone, &destroy};

  template <typename F>
  T rmw(const Where& where, F&& op) {
    runtime::Model* m = enter(runtime::Op::kAtomicRmw, where);
    T old = op(cell(m, true));
    if (m != nullptr) {
      m->sync_acquire(self(m));
      m->sync_release(self(m));
    }
    return old;
  }

  std::atomic<T> value_;
};

}  // namespace braid

#endif  // BRAID_TRACKED_H_
