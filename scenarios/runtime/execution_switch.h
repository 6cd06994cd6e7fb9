// runtime/execution_switch.h
// -----------------------------------------------------------------------------
// The fiber switch of the model runtime, inline: Execution::switch_to() and
// after_switch(). Included by runtime/execution.h only (after the class); see
// there.
// -----------------------------------------------------------------------------
#ifndef BRAID_SCENARIOS_RUNTIME_EXECUTION_SWITCH_H_
#define BRAID_SCENARIOS_RUNTIME_EXECUTION_SWITCH_H_

#include "runtime/execution.h"

namespace braid::engine {

inline void Execution::after_switch(boost::context::fiber&& from) noexcept {
  const void* bottom = nullptr;
  std::size_t size = 0;
  annotate::asan_finish(current_ == kHost ? host_asan_fake_stack_ : me().asan_fake_stack, &bottom, &size);
  // The host sees everything every logical thread did (it cleans up after them).
  if (current_ == kHost) annotate::tsan_acquire(&tsan_host_sync_);
  if (last_from_ == kHost) {
    host_ = std::move(from);
    if (bottom != nullptr) host_stack_bottom_ = bottom, host_stack_size_ = size;
    return;
  }
  threads_[last_from_]->fiber = std::move(from);
}

// Every frame live across a fiber switch may cost the resumed fiber a
// mispredicted return (see fiber_jump.h), about as much as the switch itself.
// So the switch is inlined into step(), and the primitives call step() from
// inline code: one frame between user code and the jump, and one jump site.
inline void Execution::switch_to(std::uint32_t to) {
  const std::uint32_t from = current_;
  LogicalThread& t = *threads_[to];
  if (BRAID_UNLIKELY(!t.started)) start_fiber(t);
  last_from_ = from;
  current_ = to;
  runtime::detail::tls_context = t.ctx.get();
  annotate::asan_start(from == kHost ? &host_asan_fake_stack_ : &threads_[from]->asan_fake_stack,
                       static_cast<char*>(t.stack.sp) - t.stack.size, t.stack.size);
  if (from == kHost || !tsan_model_) {
    annotate::tsan_switch(t.tsan_fiber);
  } else {
    annotate::tsan_release(&tsan_host_sync_);
    annotate::tsan_switch_nosync(t.tsan_fiber);
  }
  boost::context::fiber back = resume(std::move(t.fiber));
  after_switch(std::move(back));
  if (BRAID_UNLIKELY(aborting_ && from != kHost)) throw_abort();
}

}  // namespace braid::engine

#endif  // BRAID_SCENARIOS_RUNTIME_EXECUTION_SWITCH_H_
