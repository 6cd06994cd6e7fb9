// braid::subprocess: the convenience functions over Popen (run, call,
// check_call, check_output), each as CPython 3.11 writes it.
#include <string>
#include <utility>

#include "braid/subprocess.h"

namespace braid::subprocess {
namespace {

// The Popen keyword arguments of `options` (without the functions' own).
Options popen_options(Options o) {
  o.input.reset();
  o.capture_output = false;
  o.timeout.reset();
  o.check = false;
  return o;
}

}  // namespace

CompletedProcess run(Args args, Options options) {
  if (options.input) {
    if (options.stdin_) throw ValueError("stdin and input arguments may not both be used.");
    options.stdin_ = PIPE;
  }
  if (options.capture_output) {
    if (options.stdout_ || options.stderr_) {
      throw ValueError("stdout and stderr arguments may not be used with capture_output.");
    }
    options.stdout_ = PIPE;
    options.stderr_ = PIPE;
  }
  Popen process(args, popen_options(options));
  Popen::Output out;
  try {
    std::optional<std::string_view> input;
    if (options.input) input = *options.input;
    out = process.communicate(input, options.timeout);
  } catch (const TimeoutExpired&) {
    process.kill();
    process.wait();
    throw;
  }
  // (Any other exception: ~Popen kills and reaps the child, as Python's
  // `except: process.kill()` followed by `with`'s wait() does.)
  const int returncode = *process.poll();
  if (options.check && returncode != 0) {
    throw CalledProcessError(returncode, std::move(args), std::move(out.stdout_),
                             std::move(out.stderr_));
  }
  return CompletedProcess{std::move(args), returncode, std::move(out.stdout_),
                          std::move(out.stderr_)};
}

int call(Args args, Options options) {
  Popen p(std::move(args), popen_options(options));
  return p.wait(options.timeout);  // on TimeoutExpired ~Popen kills and reaps
}

void check_call(Args args, Options options) {
  const int returncode = call(args, std::move(options));
  if (returncode != 0) throw CalledProcessError(returncode, std::move(args));
}

std::string check_output(Args args, Options options) {
  if (options.stdout_) throw ValueError("stdout argument not allowed, it will be overridden.");
  if (options.check) throw ValueError("check argument not allowed, it will be overridden.");
  options.stdout_ = PIPE;
  options.check = true;
  return *run(std::move(args), std::move(options)).stdout_;
}

}  // namespace braid::subprocess
