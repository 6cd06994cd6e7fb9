// runtime/stack_pool.cc — see stack_pool.h.
#include "runtime/stack_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace braid::engine {
namespace {
std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}
}  // namespace

StackPool::StackPool(std::size_t stack_size) {
  const std::size_t page = page_size();
  size_ = (stack_size + page - 1) / page * page;
}

StackPool::~StackPool() {
  for (void* base : all_) ::munmap(base, size_ + page_size());
}

boost::context::stack_context StackPool::allocate() {
  void* base;
  if (!free_.empty()) {
    base = free_.back();
    free_.pop_back();
  } else {
    const std::size_t page = page_size();
    base = ::mmap(nullptr, size_ + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    ::mprotect(base, page, PROT_NONE);  // guard page: overflow faults instead of corrupting
    all_.reserve(all_.size() + 1);
    free_.reserve(all_.size() + 1);
    all_.push_back(base);
  }
  boost::context::stack_context sc;
  sc.size = size_;
  sc.sp = static_cast<char*>(base) + page_size() + size_;
  return sc;
}

void StackPool::deallocate(boost::context::stack_context& sc) noexcept {
  void* base = static_cast<char*>(sc.sp) - size_ - page_size();
  free_.push_back(base);  // capacity reserved in allocate(): never throws
}

}  // namespace braid::engine
