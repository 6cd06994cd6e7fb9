// braid/mp/detail/pool_results.h
// -----------------------------------------------------------------------------
// The result types of mp::Pool (include braid/mp/pool.h, not this file):
// AsyncResult<R> (apply_async, map_async, starmap_async), IMapIterator<R>
// (imap, imap_unordered), and the errors a pool reports, WorkerLostError and
// RemoteError. Results are collected by whichever caller waits: see
// braid/mp/detail/pool_core.h.
//
// Python equivalence: multiprocessing.pool.AsyncResult, IMapIterator,
// IMapUnorderedIterator.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_DETAIL_POOL_RESULTS_H_
#define BRAID_MP_DETAIL_POOL_RESULTS_H_

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid::mp {

// WorkerLostError
//
// A worker process died (or the pool was terminated) before the task it held
// completed. The message names the worker's exit code or signal.
//
// Python equivalence: none in 3.11's Pool (it hangs); billiard's
// WorkerLostError, concurrent.futures' BrokenProcessPool.
BRAID_DEFINE_ERROR(WorkerLostError, ::braid::Exception, "WorkerLostError");

// RemoteError
//
// An exception a worker raised whose type braid has no class for. type_name()
// is the worker's type name, what() its message.
class RemoteError : public ::braid::Exception {
 public:
  RemoteError(std::string type, const std::string& message)
      : ::braid::Exception(message), type_(std::move(type)) {}
  const char* type_name() const noexcept override { return type_.c_str(); }

 private:
  std::string type_;
};

namespace detail {
template <typename T>
struct IsVector : std::false_type {};
template <typename T, typename A>
struct IsVector<std::vector<T, A>> : std::true_type {};

inline std::string result_repr(const void* p) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "<braid.mp.AsyncResult object at %p>", p);
  return buf;
}
}  // namespace detail

// AsyncResult
//
// The result of apply_async (R = the function's result) or map_async /
// starmap_async (R = std::vector of results). Copyable handle; the value
// stays available after the Pool is gone.
//
// Python equivalence: multiprocessing.pool.AsyncResult (ApplyResult,
// MapResult).
template <typename R>
class AsyncResult {
  using Where = braid::source_location;

 public:
  AsyncResult(std::shared_ptr<detail::PoolCore> core, std::shared_ptr<detail::Job> job)
      : core_(std::move(core)), job_(std::move(job)) {}

  // get()
  //
  // Waits for the result (forever when `timeout` is nullopt) and returns it,
  // or rethrows the worker's exception (every call). Throws TimeoutError if
  // it is not ready within `timeout`.
  //
  // Python equivalence: AsyncResult.get(timeout=None).
  R get(Timeout timeout = std::nullopt, Where where = Where::current()) const {
    if (!wait(timeout, where)) throw TimeoutError("");
    return value();
  }

  // wait()
  //
  // Waits until the result is ready or `timeout` passes; returns ready().
  //
  // Python equivalence: AsyncResult.wait(timeout=None).
  bool wait(Timeout timeout = std::nullopt, Where where = Where::current()) const {
    detail::Job* job = job_.get();
    return core_->wait_until([job] { return job->done; }, timeout, where);
  }

  // ready(): whether the call has completed (collects results already sent).
  //
  // Python equivalence: AsyncResult.ready().
  bool ready(Where where = Where::current()) const {
    core_->poll(where);
    return core_->with_lock([this] { return job_->done; });
  }

  // successful(): whether the call completed without raising. Throws
  // ValueError if it is not ready.
  //
  // Python equivalence: AsyncResult.successful().
  bool successful(Where where = Where::current()) const {
    if (!ready(where)) throw ValueError(detail::result_repr(this) + " not ready");
    return core_->with_lock([this] { return !job_->failed.has_value(); });
  }

 private:
  R value() const {
    std::string error;
    bool failed = false;
    if constexpr (std::is_void_v<R>) {
      core_->with_lock([&] {
        failed = job_->failed.has_value();
        if (failed) error = job_->outcomes[*job_->failed].bytes;
        return 0;
      });
      if (failed) detail::rethrow_remote(error);
    } else {
      std::optional<R> out;
      core_->with_lock([&] {
        failed = job_->failed.has_value();
        if (failed) {
          error = job_->outcomes[*job_->failed].bytes;
        } else if (job_->kind == detail::Job::Kind::kApply) {
          out = codec::decode<R>(job_->outcomes[0].bytes);
        } else if constexpr (detail::IsVector<R>::value) {
          R all;
          for (const auto& o : job_->outcomes) {
            R part = codec::decode<R>(o.bytes);
            all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
          }
          out = std::move(all);
        }
        return 0;
      });
      if (failed) detail::rethrow_remote(error);
      return std::move(*out);
    }
  }

  std::shared_ptr<detail::PoolCore> core_;
  std::shared_ptr<detail::Job> job_;
};

// IMapIterator
//
// The results of imap (in order) or imap_unordered (as they complete), one
// at a time. Use next() or a range-for loop. A task that raised rethrows its
// exception at its place; iteration may continue after it.
//
// Python equivalence: multiprocessing.pool.IMapIterator,
// IMapUnorderedIterator.
template <typename R>
class IMapIterator {
  using Where = braid::source_location;

 public:
  IMapIterator(std::shared_ptr<detail::PoolCore> core, std::shared_ptr<detail::Job> job, bool ordered)
      : core_(std::move(core)), job_(std::move(job)), ordered_(ordered) {}

  // next()
  //
  // The next result, or nullopt when there are no more. Waits at most
  // `timeout` (forever when nullopt), then throws TimeoutError. Rethrows a
  // worker's exception for the item(s) that raised it.
  //
  // Python equivalence: IMapIterator.next(timeout=None) (StopIteration
  // becomes nullopt).
  std::optional<R> next(Timeout timeout = std::nullopt, Where where = Where::current()) {
    while (pos_ == buffer_.size()) {
      const std::size_t chunks = core_->with_lock([this] { return job_->outcomes.size(); });
      if (taken_ == chunks) return std::nullopt;
      detail::Job* job = job_.get();
      const std::size_t k = taken_;
      const bool ordered = ordered_;
      auto arrived = [job, k, ordered] {
        return ordered ? job->outcomes[k].present : job->arrival.size() > k;
      };
      if (!core_->wait_until(arrived, timeout, where)) throw TimeoutError("");
      bool ok = false;
      std::string bytes = core_->with_lock([&] {
        detail::Outcome& o = job->outcomes[ordered ? k : job->arrival[k]];
        ok = o.ok;
        return std::move(o.bytes);
      });
      ++taken_;
      if (!ok) detail::rethrow_remote(bytes);
      buffer_ = codec::decode<std::vector<R>>(bytes);
      pos_ = 0;
    }
    return std::move(buffer_[pos_++]);
  }

  // Input iteration: `for (R r : pool.imap(f, items))`.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = R;
    using difference_type = std::ptrdiff_t;
    using reference = R&;
    using pointer = R*;
    iterator() = default;
    explicit iterator(IMapIterator* it) : it_(it) { ++*this; }
    R& operator*() { return *current_; }
    iterator& operator++() {
      current_ = it_->next();
      if (!current_) it_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return it_ == nullptr; }

   private:
    IMapIterator* it_ = nullptr;
    std::optional<R> current_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  std::shared_ptr<detail::PoolCore> core_;
  std::shared_ptr<detail::Job> job_;
  bool ordered_;
  std::size_t taken_ = 0;  // chunks consumed
  std::vector<R> buffer_;  // the current chunk's results
  std::size_t pos_ = 0;
};

}  // namespace braid::mp

#endif  // BRAID_MP_DETAIL_POOL_RESULTS_H_
