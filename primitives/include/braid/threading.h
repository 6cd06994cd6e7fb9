// braid/threading.h
// -----------------------------------------------------------------------------
// The umbrella header for braid's re-implementation of Python's `threading`
// module: Thread and the thread functions, Local<T>, Lock, RLock, Condition,
// Semaphore and BoundedSemaphore, Event and Barrier.
//
// Python equivalence: `import threading` (and `time.sleep`).
// -----------------------------------------------------------------------------
#ifndef BRAID_THREADING_H_
#define BRAID_THREADING_H_

#include "braid/barrier.h"
#include "braid/condition.h"
#include "braid/event.h"
#include "braid/local.h"
#include "braid/lock.h"
#include "braid/rlock.h"
#include "braid/semaphore.h"
#include "braid/thread.h"

#endif  // BRAID_THREADING_H_
