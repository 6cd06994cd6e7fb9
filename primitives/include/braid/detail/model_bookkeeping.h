// braid/detail/model_bookkeeping.h
// -----------------------------------------------------------------------------
// ModelBookkeeping: an RAII scope in which ThreadSanitizer does not watch the
// calling thread's memory accesses (a no-op in other builds).
//
// Under the model, logical threads are fibers that TSan sees as threads
// switching WITHOUT synchronisation, so that races on user memory show (see
// scenarios/runtime/fiber_annotations.h). A primitive's own table shared by
// every logical thread of an execution, and read or written outside any step
// (mp's table of simulated processes, the modelled descriptor table of
// mp::Connection ends, os's table of simulated pids), is engine-like
// bookkeeping: it is only ever touched by one fiber at a time, in the order
// the scheduler runs them. Such code runs inside a ModelBookkeeping scope.
// Never put user code (a target, an item's encoding) or a Model::step inside
// one: TSan would not see that code's races.
// -----------------------------------------------------------------------------
#ifndef BRAID_DETAIL_MODEL_BOOKKEEPING_H_
#define BRAID_DETAIL_MODEL_BOOKKEEPING_H_

#if defined(__SANITIZE_THREAD__)
#define BRAID_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BRAID_TSAN_BUILD 1
#endif
#endif

#if defined(BRAID_TSAN_BUILD)
extern "C" {
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
}
#endif

namespace braid::detail {

class ModelBookkeeping {
 public:
#if defined(BRAID_TSAN_BUILD)
  ModelBookkeeping() noexcept { __tsan_ignore_thread_begin(); }
  ~ModelBookkeeping() { __tsan_ignore_thread_end(); }
#else
  ModelBookkeeping() noexcept {}  // NOLINT: user-provided, so an unused scope draws no warning
#endif
  ModelBookkeeping(const ModelBookkeeping&) = delete;
  ModelBookkeeping& operator=(const ModelBookkeeping&) = delete;
};

}  // namespace braid::detail

#endif  // BRAID_DETAIL_MODEL_BOOKKEEPING_H_
