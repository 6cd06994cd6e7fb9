// braid/thread_annotations.h
// -----------------------------------------------------------------------------
// Clang thread-safety analysis attributes for braid's lock types, in the
// manner of abseil's ABSL_LOCKABLE / ABSL_GUARDED_BY. With clang and
// -Wthread-safety, code that touches a BRAID_GUARDED_BY member without holding
// its lock fails to compile. Other compilers see empty macros.
// -----------------------------------------------------------------------------
#ifndef BRAID_THREAD_ANNOTATIONS_H_
#define BRAID_THREAD_ANNOTATIONS_H_

#if defined(__clang__)
#define BRAID_TSA(x) __attribute__((x))
#else
#define BRAID_TSA(x)
#endif

#define BRAID_CAPABILITY(name) BRAID_TSA(capability(name))
#define BRAID_SCOPED_CAPABILITY BRAID_TSA(scoped_lockable)
#define BRAID_GUARDED_BY(x) BRAID_TSA(guarded_by(x))
#define BRAID_PT_GUARDED_BY(x) BRAID_TSA(pt_guarded_by(x))
#define BRAID_REQUIRES(...) BRAID_TSA(requires_capability(__VA_ARGS__))
#define BRAID_ACQUIRE(...) BRAID_TSA(acquire_capability(__VA_ARGS__))
#define BRAID_RELEASE(...) BRAID_TSA(release_capability(__VA_ARGS__))
#define BRAID_TRY_ACQUIRE(...) BRAID_TSA(try_acquire_capability(__VA_ARGS__))
#define BRAID_EXCLUDES(...) BRAID_TSA(locks_excluded(__VA_ARGS__))
#define BRAID_NO_THREAD_SAFETY_ANALYSIS BRAID_TSA(no_thread_safety_analysis)

#endif  // BRAID_THREAD_ANNOTATIONS_H_
