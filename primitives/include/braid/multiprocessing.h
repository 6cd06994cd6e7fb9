// braid/multiprocessing.h
// -----------------------------------------------------------------------------
// Python's multiprocessing, in C++: one include for everything in braid::mp.
//
//   braid::mp::Process      <braid/mp/process.h>     Process, current_process,
//                                                    parent_process, active_children
//   braid::mp::Pipe         <braid/mp/connection.h>  Pipe, Connection, wait
//   braid::mp::Queue        <braid/mp/queue.h>       Queue, JoinableQueue, SimpleQueue
//   braid::mp::Pool         <braid/mp/pool.h>        Pool, AsyncResult, IMapIterator
//
// Values cross processes through braid's typed codec (<braid/codec.h>);
// functions cross as function pointers, valid in a forked child. On the OS
// runtime processes are real (fork); under the model each is a logical
// thread in its own simulated address space (runtime::spawn_process).
//
// Python equivalence: `import multiprocessing` with the 'fork' start method.
// -----------------------------------------------------------------------------
#ifndef BRAID_MULTIPROCESSING_H_
#define BRAID_MULTIPROCESSING_H_

#include "braid/mp/connection.h"
#include "braid/mp/pool.h"
#include "braid/mp/process.h"
#include "braid/mp/queue.h"

#endif  // BRAID_MULTIPROCESSING_H_
