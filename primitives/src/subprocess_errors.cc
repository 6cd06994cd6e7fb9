// braid::subprocess: Args, the error types and Python's texts (reprs,
// "[Errno N] ..." messages, signal names, seconds as Python prints them).
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "braid/detail/subprocess_internal.h"
#include "braid/subprocess.h"

namespace braid::subprocess {
namespace detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Python's rule: single quotes unless the text has ' and no ".
char pick_quote(std::string_view s) {
  return (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"'
                                                                                          : '\'';
}

std::string quoted(std::string_view s, std::string_view prefix, bool escape_high) {
  const char q = pick_quote(s);
  std::string out(prefix);
  out.reserve(prefix.size() + s.size() + 2);
  out += q;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || (escape_high && c > 0x7f)) {
      append_hex(out, c);
    } else {
      out += ch;
    }
  }
  out += q;
  return out;
}

// The signals Python's signal.Signals names on Linux, by number.
const char* const kSignalNames[] = {
    nullptr,     "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT",
    "SIGBUS",    "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV",  "SIGUSR2", "SIGPIPE",
    "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",  "SIGSTOP", "SIGTSTP",
    "SIGTTIN",   "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ",  "SIGVTALRM", "SIGPROF",
    "SIGWINCH",  "SIGIO",   "SIGPWR",    "SIGSYS",
};

}  // namespace

std::string py_repr(std::string_view s) { return quoted(s, "", false); }

std::string py_bytes_repr(std::string_view s) { return quoted(s, "b", true); }

std::string format_seconds(Duration d) {
  constexpr std::int64_t kPerSecond = 1'000'000'000;
  const std::int64_t ns = d.count();
  if (ns % kPerSecond == 0) return std::to_string(ns / kPerSecond);
  // The shortest round-trip digits, laid out as Python's float repr does:
  // positional for exponents -5 < e < 16, scientific otherwise.
  char buf[64];
  const double seconds = static_cast<double>(ns < 0 ? -ns : ns) / 1e9;
  const auto res = std::to_chars(buf, buf + sizeof buf, seconds, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);
  const auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(sci.c_str() + e_pos + 1);
  const int decpt = exponent + 1;
  std::string out = ns < 0 ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
      out += digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
             digits.substr(static_cast<std::size_t>(decpt));
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int mag = exponent < 0 ? -exponent : exponent;
    out += exponent < 0 ? "e-" : "e+";
    if (mag < 10) out += '0';
    out += std::to_string(mag);
  }
  return out;
}

std::optional<std::string> signal_repr(int sig) {
  const char* name = nullptr;
  if (sig > 0 && sig < static_cast<int>(std::size(kSignalNames))) name = kSignalNames[sig];
  if (sig == SIGRTMIN) name = "SIGRTMIN";
  if (sig == SIGRTMAX) name = "SIGRTMAX";
  if (name == nullptr) return std::nullopt;
  return "<Signals." + std::string(name) + ": " + std::to_string(sig) + ">";
}

std::string errno_message(int err) {
  return "[Errno " + std::to_string(err) + "] " + std::strerror(err);
}

void raise_os_error(int err, const std::string* filename) {
  std::string message = errno_message(err);
  if (filename != nullptr) message += ": " + py_repr(*filename);
  if (err == ENOENT) throw FileNotFoundError(message);
  throw OSError(message);
}

}  // namespace detail

std::string Args::str() const {
  if (is_string_) return argv_.empty() ? std::string() : argv_.front();
  return repr();
}

std::string Args::repr() const {
  if (is_string_) return detail::py_repr(argv_.empty() ? std::string() : argv_.front());
  std::string out = "[";
  for (std::size_t i = 0; i < argv_.size(); ++i) {
    if (i > 0) out += ", ";
    out += detail::py_repr(argv_[i]);
  }
  return out + "]";
}

namespace {

std::string called_process_message(int returncode, const Args& cmd) {
  std::string head = "Command '" + cmd.str() + "' ";
  if (returncode < 0) {
    if (auto name = detail::signal_repr(-returncode)) return head + "died with " + *name + ".";
    return head + "died with unknown signal " + std::to_string(-returncode) + ".";
  }
  return head + "returned non-zero exit status " + std::to_string(returncode) + ".";
}

}  // namespace

CalledProcessError::CalledProcessError(int returncode_, Args cmd_,
                                       std::optional<std::string> output_,
                                       std::optional<std::string> stderr_value)
    : SubprocessError(called_process_message(returncode_, cmd_)),
      returncode(returncode_),
      cmd(std::move(cmd_)),
      output(std::move(output_)),
      stderr_(std::move(stderr_value)) {}

TimeoutExpired::TimeoutExpired(Args cmd_, Duration timeout_, std::optional<std::string> output_,
                               std::optional<std::string> stderr_value)
    : SubprocessError("Command '" + cmd_.str() + "' timed out after " +
                      detail::format_seconds(timeout_) + " seconds"),
      cmd(std::move(cmd_)),
      timeout(timeout_),
      output(std::move(output_)),
      stderr_(std::move(stderr_value)) {}

void CompletedProcess::check_returncode() const {
  if (returncode != 0) throw CalledProcessError(returncode, args, stdout_, stderr_);
}

std::string CompletedProcess::repr() const {
  std::string out = "CompletedProcess(args=" + args.repr() +
                    ", returncode=" + std::to_string(returncode);
  if (stdout_) out += ", stdout=" + detail::py_bytes_repr(*stdout_);
  if (stderr_) out += ", stderr=" + detail::py_bytes_repr(*stderr_);
  return out + ")";
}

}  // namespace braid::subprocess
