// mp_pool_errors.cc
// -----------------------------------------------------------------------------
// braid::mp::detail::rethrow_remote: a worker's exception, reported as its
// type name and message, rethrown in the caller as braid's own error type
// when braid has one, else as mp::RemoteError carrying the type name.
// -----------------------------------------------------------------------------
#include <string>
#include <utility>

#include "braid/codec.h"
#include "braid/errors.h"
#include "braid/mp/detail/pool_core.h"
#include "braid/mp/connection.h"
#include "braid/mp/pool.h"
#include "braid/mp/process.h"
#include "braid/os.h"

namespace braid::mp::detail {
namespace {

template <typename E>
[[noreturn]] void raise(const std::string& message) {
  throw E(message);
}

using Raiser = void (*)(const std::string&);

struct Known {
  const char* type;
  Raiser raise;
};

// Python type names of braid's error classes.
constexpr Known kKnown[] = {
    {"RuntimeError", &raise<RuntimeError>},
    {"ValueError", &raise<ValueError>},
    {"TimeoutError", &raise<TimeoutError>},
    {"OSError", &raise<OSError>},
    {"FileNotFoundError", &raise<FileNotFoundError>},
    {"BrokenPipeError", &raise<BrokenPipeError>},
    {"AssertionError", &raise<AssertionError>},
    {"EOFError", &raise<EOFError>},
    {"BrokenBarrierError", &raise<BrokenBarrierError>},
    {"Empty", &raise<queue::Empty>},
    {"Full", &raise<queue::Full>},
    {"UnpicklingError", &raise<codec::DecodeError>},
    {"ChildProcessError", &raise<ChildProcessError>},
    {"ProcessLookupError", &raise<ProcessLookupError>},
    {"WorkerLostError", &raise<WorkerLostError>},
    {"Exception", &raise<::braid::Exception>},
};

}  // namespace

void rethrow_remote(std::string_view encoded_error) {
  std::pair<std::string, std::string> error;
  try {
    error = codec::decode<std::pair<std::string, std::string>>(encoded_error);
  } catch (const codec::DecodeError& e) {
    throw RemoteError("Exception", std::string("undecodable error from a pool worker: ") + e.what());
  }
  for (const Known& k : kKnown) {
    if (error.first == k.type) k.raise(error.second);
  }
  throw RemoteError(std::move(error.first), error.second);
}

}  // namespace braid::mp::detail
