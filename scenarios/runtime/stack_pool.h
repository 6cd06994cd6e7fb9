// runtime/stack_pool.h
// -----------------------------------------------------------------------------
// StackPool: the stacks of logical threads, allocated once and reused across
// executions. A model exploration runs millions of short executions, each
// starting a handful of fibers; allocating a stack per fiber per execution
// would dominate the cost of a step and fragment memory. The pool hands out
// fixed-size mmap'd stacks (with a PROT_NONE guard page below each) and takes
// them back when a fiber ends; it never returns them to the OS until it is
// destroyed, so memory stays flat however many executions run.
//
// PooledStack is the Boost.Context StackAllocator handle over a pool: cheap to
// copy, passed to boost::context::fiber's constructor.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_STACK_POOL_H_
#define BRAID_SCENARIOS_RUNTIME_STACK_POOL_H_

#include <boost/context/stack_context.hpp>

#include <cstddef>
#include <vector>

namespace braid::engine {

class StackPool {
 public:
  // Stacks of `stack_size` bytes (rounded up to whole pages).
  explicit StackPool(std::size_t stack_size);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  // A stack, reused if one is free. Throws std::bad_alloc if mmap fails.
  boost::context::stack_context allocate();
  // Returns a stack to the pool.
  void deallocate(boost::context::stack_context& sc) noexcept;

  std::size_t stack_size() const noexcept { return size_; }
  // Stacks ever mapped (free or in use).
  std::size_t mapped() const noexcept { return all_.size(); }

 private:
  std::size_t size_;
  std::vector<void*> free_;  // bases of free stacks (including guard page)
  std::vector<void*> all_;
};

// The StackAllocator concept of Boost.Context, over a StackPool.
class PooledStack {
 public:
  PooledStack(StackPool& pool, boost::context::stack_context* last) noexcept
      : pool_(&pool), last_(last) {}
  boost::context::stack_context allocate() {
    boost::context::stack_context sc = pool_->allocate();
    if (last_ != nullptr) *last_ = sc;
    return sc;
  }
  void deallocate(boost::context::stack_context& sc) noexcept { pool_->deallocate(sc); }

 private:
  StackPool* pool_;
  boost::context::stack_context* last_;  // receives the stack handed out (sanitizers need it)
};

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_STACK_POOL_H_
