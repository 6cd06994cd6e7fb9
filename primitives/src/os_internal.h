// os_internal.h
// -----------------------------------------------------------------------------
// Private helpers of braid's os and mp sources (os.cc, mp_process*.cc,
// mp_connection*.cc). Not installed.
// -----------------------------------------------------------------------------
#ifndef BRAID_SRC_OS_INTERNAL_H_
#define BRAID_SRC_OS_INTERNAL_H_

#include <poll.h>

#include <cstddef>
#include <optional>

#include "braid/runtime.h"

namespace braid::os::detail {

// poll_readable(fds, n, deadline)
//
// poll(2) for POLLIN on `fds` until one is ready (readable, hung up or in
// error) or the monotonic `deadline` (runtime::now() clock; nullopt: never)
// passes. Retries on EINTR with the original deadline. Returns the number of
// ready descriptors (0: the deadline passed); their `revents` are set. Throws
// OSError on other failures.
int poll_readable(pollfd* fds, std::size_t n, const std::optional<Duration>& deadline);

// The deadline for `timeout` on the OS clock (negative: now); nullopt forever.
std::optional<Duration> os_deadline(const Timeout& timeout);

}  // namespace braid::os::detail

#endif  // BRAID_SRC_OS_INTERNAL_H_
