// braid/mp/pool.h
// -----------------------------------------------------------------------------
// A pool of worker processes: the C++ counterpart of multiprocessing.Pool
// (fork start method).
//
//   int square(int x) { return x * x; }
//
//   braid::mp::Pool pool(4);                        // forks 4 workers
//   int nine = pool.apply(square, 3);
//   braid::mp::AsyncResult<int> r = pool.apply_async(square, 7);
//   std::vector<int> squares = pool.map(square, std::vector<int>{1, 2, 3});
//   for (int s : pool.imap(square, items)) use(s);
//   r.get();                                        // 49
//   // ~Pool() terminates the workers, like leaving `with Pool(...) as p:`
//
// Functions cross as function pointers (`R (*)(Args...)`): workers are forked
// from this process, so the same code sits at the same addresses there. Pass
// a function or a captureless lambda converted with unary `+`; closures
// cannot cross. Arguments and results cross as bytes of braid/codec.h, so
// their types must be encodable (and results default-constructible).
//
// A worker is a fork of this process made when the pool started (or when a
// dead worker was replaced): the function sees the parent's memory as it was
// then, never later changes, and nothing it writes reaches the parent. Pass
// what it needs as arguments and return what it computes.
//
// Memory ordering: the arguments are copied when a task is submitted; the
// function's return (or throw) happens before the get() / next() that
// delivers it returns.
//
// How it works: tasks go through one shared-memory channel that all workers
// read (an idle worker takes the next task), results come back through
// another (braid/mp/detail/shm_ring.h). There are no handler threads: the
// caller that waits (get, wait, ready, imap's next, join) collects results;
// see braid/mp/detail/pool_core.h. Workers are forked with
// runtime::fork_process() and start no threads.
//
// Errors:
//   * An exception thrown by the function in a worker is rethrown by get()
//     (and map, apply, imap's next) with its type and message: braid's own
//     error types (RuntimeError, ValueError, TimeoutError, OSError,
//     queue::Empty, ...) come back as themselves; any other type as
//     RemoteError, whose type_name() is the worker's type ("KeyError",
//     "std::out_of_range").
//   * A worker that dies while running a task (a signal, _exit, abort) fails
//     that task with WorkerLostError, e.g. "Worker process 4242 exited
//     prematurely: signal 9 (SIGKILL)." or "...: exitcode 3.", and is
//     replaced; the pool keeps working. (CPython's Pool hangs instead.)
//   * ValueError "Number of processes must be at least 1", "Pool not
//     running" (submitting after close/terminate), "Pool is still running"
//     (join before close/terminate), "Chunksize must be 1+, not 0".
//   * get(timeout) throws TimeoutError when the result is not there in time;
//     successful() throws ValueError "<... AsyncResult ...> not ready".
//   * Tasks still unfinished when terminate() runs fail with WorkerLostError
//     "Pool was terminated before the task completed" (Python leaves them
//     pending forever).
//
// The result handles (AsyncResult, IMapIterator) and the errors
// (WorkerLostError, RemoteError) are declared in braid/mp/detail/
// pool_results.h, which this header includes.
//
// Every result is delivered exactly once; close() then join() returns once
// the queued tasks are done, even if workers die meanwhile.
//
// Thread safety: a Pool and its results may be used from several threads of
// the process that made it. A Pool cannot be used from a forked child.
//
// Under braid's model runtime (a Pool made inside braid::explore) the workers
// are simulated processes (runtime::spawn_process) and the channels in-object
// lists: submitting is a kChannelSend step, collecting a result a guarded
// kChannelRecv step, join a kThreadJoin step per worker; virtual time makes
// sleeping tasks free. terminate() there stops each worker at its next
// channel operation (a task in progress finishes first).
//
// Python equivalence: multiprocessing.Pool (apply, apply_async, map,
// map_async, imap, imap_unordered, starmap, starmap_async, close, terminate,
// join, __exit__), multiprocessing.pool.AsyncResult, IMapIterator,
// multiprocessing.TimeoutError.
// -----------------------------------------------------------------------------
#ifndef BRAID_MP_POOL_H_
#define BRAID_MP_POOL_H_

#include <cstddef>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/mp/detail/pool_results.h"
#include "braid/mp/detail/pool_wire.h"
#include "braid/runtime.h"
#include "braid/source_location.h"

namespace braid::mp {

// Pool
//
// A fixed number of worker processes running the functions given to it.
//
// Python equivalence: multiprocessing.Pool(processes=None).
class Pool {
  using Where = braid::source_location;

 public:
  // Forks `processes` workers (default: the number of CPUs, os.cpu_count()).
  // Throws ValueError("Number of processes must be at least 1") for < 1,
  // OSError if fork fails (after terminating the workers already started).
  explicit Pool(std::optional<int> processes = std::nullopt, Where where = Where::current());

  // Terminates the workers (kills them, fails unfinished tasks) and reaps
  // them, like leaving a `with Pool(...)` block. Call close() and join()
  // first to let queued tasks finish.
  ~Pool() noexcept(false);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // The number of workers.
  int processes() const noexcept { return core_->processes(); }

  // The workers' pids (OS runtime), like Python's Pool._pool.
  std::vector<int> worker_pids() const { return core_->worker_pids(); }

  // apply_async()
  //
  // Runs f(args...) in a worker and returns a handle to the result. Throws
  // ValueError("Pool not running") after close() or terminate().
  //
  // Python equivalence: Pool.apply_async(func, args).
  template <typename R, typename... P, typename... A>
  AsyncResult<R> apply_async(R (*f)(P...), A&&... args) {
    static_assert(sizeof...(P) == sizeof...(A), "apply_async: wrong number of arguments");
    std::string m = detail::task_message(&detail::invoke_apply<R, P...>, detail::function_address(f));
    codec::encode_to(m, std::tuple<std::decay_t<P>...>(std::forward<A>(args)...));
    std::vector<std::string> messages;
    messages.push_back(std::move(m));
    return AsyncResult<R>(core_, core_->submit(detail::Job::Kind::kApply, std::move(messages), Where::current()));
  }

  // apply(): apply_async(f, args...).get().
  //
  // Python equivalence: Pool.apply(func, args).
  template <typename R, typename... P, typename... A>
  R apply(R (*f)(P...), A&&... args) {
    return apply_async(f, std::forward<A>(args)...).get();
  }

  // map_async()
  //
  // Applies f to every item of `items` (any range of values convertible to
  // f's parameter) in chunks of `chunksize` items per task (default: about
  // four tasks per worker, as Python computes it). The result holds a vector
  // in the order of `items`; if any call raised, get() rethrows the first
  // failure that arrived.
  //
  // Python equivalence: Pool.map_async(func, iterable, chunksize=None).
  template <typename R, typename P, typename Range>
  AsyncResult<std::vector<R>> map_async(R (*f)(P), const Range& items, std::optional<std::size_t> chunksize = std::nullopt,
                                        Where where = Where::current()) {
    return AsyncResult<std::vector<R>>(core_, submit_map<std::decay_t<P>>(&detail::invoke_map<R, P>, f, items, chunksize,
                                                                          detail::Job::Kind::kMap, where));
  }

  // map(): map_async(f, items, chunksize).get().
  //
  // Python equivalence: Pool.map(func, iterable, chunksize=None).
  template <typename R, typename P, typename Range>
  std::vector<R> map(R (*f)(P), const Range& items, std::optional<std::size_t> chunksize = std::nullopt,
                     Where where = Where::current()) {
    return map_async(f, items, chunksize, where).get(std::nullopt, where);
  }

  // starmap_async(), starmap()
  //
  // Like map for a function of several parameters: each item is a tuple (or
  // pair) of its arguments.
  //
  // Python equivalence: Pool.starmap_async(func, iterable, chunksize=None),
  // Pool.starmap(func, iterable, chunksize=None).
  template <typename R, typename... P, typename Range>
  AsyncResult<std::vector<R>> starmap_async(R (*f)(P...), const Range& items,
                                            std::optional<std::size_t> chunksize = std::nullopt,
                                            Where where = Where::current()) {
    return AsyncResult<std::vector<R>>(
        core_, submit_map<std::tuple<std::decay_t<P>...>>(&detail::invoke_starmap<R, P...>, f, items, chunksize,
                                                          detail::Job::Kind::kMap, where));
  }
  template <typename R, typename... P, typename Range>
  std::vector<R> starmap(R (*f)(P...), const Range& items, std::optional<std::size_t> chunksize = std::nullopt,
                         Where where = Where::current()) {
    return starmap_async(f, items, chunksize, where).get(std::nullopt, where);
  }

  // imap(), imap_unordered()
  //
  // Like map, but results come one at a time through an IMapIterator: in
  // order (imap) or as they complete (imap_unordered). `chunksize` items go
  // to a worker per task (default 1). Throws ValueError("Chunksize must be
  // 1+, not 0") for 0.
  //
  // Python equivalence: Pool.imap(func, iterable, chunksize=1),
  // Pool.imap_unordered(func, iterable, chunksize=1).
  template <typename R, typename P, typename Range>
  IMapIterator<R> imap(R (*f)(P), const Range& items, std::size_t chunksize = 1, Where where = Where::current()) {
    return IMapIterator<R>(core_, submit_map<std::decay_t<P>>(&detail::invoke_map<R, P>, f, items, chunksize,
                                                              detail::Job::Kind::kIMap, where),
                           true);
  }
  template <typename R, typename P, typename Range>
  IMapIterator<R> imap_unordered(R (*f)(P), const Range& items, std::size_t chunksize = 1,
                                 Where where = Where::current()) {
    return IMapIterator<R>(core_, submit_map<std::decay_t<P>>(&detail::invoke_map<R, P>, f, items, chunksize,
                                                              detail::Job::Kind::kIMapUnordered, where),
                           false);
  }

  // close()
  //
  // No more tasks will be submitted; the workers exit once the queued tasks
  // are done. Closing twice is harmless.
  //
  // Python equivalence: Pool.close().
  void close(Where where = Where::current()) { core_->close(where); }

  // terminate()
  //
  // Stops the workers at once (SIGTERM, then SIGKILL after a grace period)
  // and reaps them; unfinished tasks fail with WorkerLostError.
  //
  // Python equivalence: Pool.terminate().
  void terminate(Where where = Where::current()) { core_->terminate(where); }

  // join()
  //
  // Waits for the workers to exit. Throws ValueError("Pool is still running")
  // unless close() or terminate() was called. After close(), returns once
  // every queued task has an outcome.
  //
  // Python equivalence: Pool.join().
  void join(Where where = Where::current()) { core_->join(where); }

 private:
  template <typename Item, typename F, typename Range>
  std::shared_ptr<detail::Job> submit_map(detail::Invoker invoker, F* f, const Range& items,
                                          std::optional<std::size_t> chunksize, detail::Job::Kind kind,
                                          const Where& where) {
    const std::size_t n = static_cast<std::size_t>(std::distance(std::begin(items), std::end(items)));
    std::size_t size;
    if (chunksize) {
      if (*chunksize < 1) throw ValueError("Chunksize must be 1+, not 0");
      size = *chunksize;
    } else {
      const std::size_t per = static_cast<std::size_t>(processes()) * 4;
      size = n / per + (n % per != 0 ? 1 : 0);
      if (size == 0) size = 1;
    }
    return core_->submit(kind, detail::chunk_messages<Item>(invoker, detail::function_address(f), items, size), where);
  }

  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace braid::mp

#endif  // BRAID_MP_POOL_H_
