// braid/local.h
// -----------------------------------------------------------------------------
// braid::Local<T>: Python's threading.local for one value. Each thread that
// touches a Local sees its own T, constructed lazily on that thread's first
// access (default-constructed, or made by the factory given to the
// constructor) and never visible to another thread.
//
//   braid::Local<std::vector<int>> scratch;          // one vector per thread
//   braid::Local<Conn> conn([] { return Conn::open(); });
//   scratch->push_back(1);
//
// A thread's value is destroyed when the thread ends (before join() returns
// and before is_alive() turns false) or when the Local is destroyed, whichever
// comes first. Values are keyed by runtime::ThreadContext, so a Local works
// unchanged under braid's model runtime, where each access is a scheduling
// point (Op::kLocalAccess).
//
// Unlike a C++ `thread_local`, a Local is an object: each instance has its own
// per-thread values, and it may be a member of another object.
//
// Python equivalence: threading.local (one attribute per Local).
// -----------------------------------------------------------------------------
#ifndef BRAID_LOCAL_H_
#define BRAID_LOCAL_H_

#include <functional>
#include <memory>
#include "braid/source_location.h"
#include <unordered_map>
#include <utility>

#include "braid/detail/futex_mutex.h"
#include "braid/runtime.h"
#include "braid/thread_annotations.h"

namespace braid {

// Local
//
// Per-thread storage for a T. All methods act on the calling thread's value
// only and are safe to call concurrently from different threads. Destroying
// the Local while another thread is inside one of its methods is undefined.
template <typename T>
class Local {
 public:
  // Local::Local()
  //
  // Each thread's value is a default-constructed T.
  Local() : core_(std::make_shared<Core>()) {}

  // Local::Local(init)
  //
  // Each thread's value is `init()`, called on that thread at its first access.
  explicit Local(std::function<T()> init) : core_(std::make_shared<Core>()) {
    core_->init = std::move(init);
  }

  Local(const Local&) = delete;
  Local& operator=(const Local&) = delete;

  // Destroys every thread's value (on the calling thread).
  ~Local() {
    if (runtime::Model* m = runtime::model()) m->forget(this);
    core_->clear();
  }

  // Local::get()
  //
  // The calling thread's value, created first if the thread has none. The
  // reference stays valid until the thread ends, reset() is called on this
  // thread, or the Local is destroyed. Throws whatever T's construction throws
  // (and then the thread still has no value).
  //
  // Python equivalence: reading an attribute of a threading.local.
  T& get(braid::source_location where = braid::source_location::current()) {
    runtime::visible(runtime::Op::kLocalAccess, this, where);
    return core_->get(runtime::current_context());
  }
  T& operator*() { return get(); }
  T* operator->() { return &get(); }

  // Local::has_value()
  //
  // True when the calling thread's value exists.
  bool has_value(braid::source_location where = braid::source_location::current()) const {
    runtime::visible(runtime::Op::kLocalAccess, this, where);
    return core_->find(runtime::current_context()) != nullptr;
  }

  // Local::reset()
  //
  // Destroys the calling thread's value, if any; the next get() makes a new one.
  //
  // Python equivalence: `del local.attr`.
  void reset(braid::source_location where = braid::source_location::current()) {
    runtime::visible(runtime::Op::kLocalAccess, this, where);
    core_->erase(&runtime::current_context(), /*keep_key=*/true);
  }

 private:
  // Shared with the thread-exit callbacks, which hold it weakly: a Local that
  // dies before a thread leaves nothing for that thread's exit to touch.
  struct Core : std::enable_shared_from_this<Core> {
    // A key stays while the thread's exit callback is registered, even when
    // reset() has destroyed the value.
    struct Slot {
      std::unique_ptr<T> value;
    };

    std::function<T()> init;
    detail::FutexMutex mu;
    std::unordered_map<const runtime::ThreadContext*, Slot> slots BRAID_GUARDED_BY(mu);

    T* find(const runtime::ThreadContext& ctx) {
      detail::FutexGuard g(mu);
      auto it = slots.find(&ctx);
      return it == slots.end() ? nullptr : it->second.value.get();
    }

    T& get(runtime::ThreadContext& ctx) {
      bool registered = false;
      {
        detail::FutexGuard g(mu);
        auto it = slots.find(&ctx);
        if (it != slots.end()) {
          if (it->second.value) return *it->second.value;
          registered = true;
        }
      }
      // Construct outside the lock: T's constructor may use other Locals.
      std::unique_ptr<T> value = init ? std::make_unique<T>(init()) : std::make_unique<T>();
      T* raw = value.get();
      {
        detail::FutexGuard g(mu);
        slots[&ctx].value = std::move(value);
      }
      if (!registered) {
        std::weak_ptr<Core> weak = this->weak_from_this();
        const runtime::ThreadContext* key = &ctx;
        ctx.at_exit([weak, key] {
          if (std::shared_ptr<Core> core = weak.lock()) core->erase(key, /*keep_key=*/false);
        });
      }
      return *raw;
    }

    void erase(const runtime::ThreadContext* key, bool keep_key) {
      std::unique_ptr<T> doomed;
      {
        detail::FutexGuard g(mu);
        auto it = slots.find(key);
        if (it == slots.end()) return;
        doomed = std::move(it->second.value);
        if (!keep_key) slots.erase(it);
      }
      // `doomed` is destroyed here, outside the lock.
    }

    void clear() {
      std::unordered_map<const runtime::ThreadContext*, Slot> doomed;
      {
        detail::FutexGuard g(mu);
        doomed.swap(slots);
      }
    }
  };

  std::shared_ptr<Core> core_;
};

}  // namespace braid

#endif  // BRAID_LOCAL_H_
