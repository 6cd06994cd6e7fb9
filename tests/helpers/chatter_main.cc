// braid_chatter: a child program for the subprocess tests; see chatter.h.
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "chatter.h"

namespace {

using namespace braid::testing_support;

constexpr std::size_t kMaxChunk = 96 * 1024;

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      std::_Exit(3);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

int list_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 4;
  std::vector<int> fds;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int fd = std::atoi(e->d_name);
    if (fd != ::dirfd(d)) fds.push_back(fd);
  }
  ::closedir(d);
  std::string line;
  for (int fd : fds) line += (line.empty() ? "" : " ") + std::to_string(fd);
  line += "\n";
  write_all(1, line.data(), line.size());
  return 0;
}

// Blocks until `fd` reaches end of file.
void wait_gate(int fd) {
  char c[64];
  for (;;) {
    const ssize_t n = ::read(fd, c, sizeof c);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t seed = 1, out_total = 0, err_total = 0, read_limit = UINT64_MAX;
  int exit_code = 0, gate = -1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "fds") return list_fds();
    const auto eq = arg.find('=');
    const std::string key = arg.substr(0, eq), value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (key == "seed") seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "out") out_total = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "err") err_total = std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "read") read_limit = value == "all" ? UINT64_MAX : std::strtoull(value.c_str(), nullptr, 10);
    else if (key == "exit") exit_code = std::atoi(value.c_str());
    else if (key == "gate") gate = std::atoi(value.c_str());
    else return 2;
  }

  std::vector<char> buf(kMaxChunk);
  std::uint64_t rng = chatter_mix(seed ^ 0x5eed);
  std::uint64_t in_count = 0, fnv = chatter_fnv("");
  std::uint64_t written[3] = {0, 0, 0};
  const std::uint64_t totals[3] = {0, out_total, err_total};
  bool reading = read_limit > 0;
  if (!reading) ::close(0);
  bool gated = gate < 0;

  while (reading || written[1] < out_total || written[2] < err_total) {
    rng = chatter_mix(rng);
    const int choice = static_cast<int>(rng % 3);
    const std::size_t chunk = 1 + static_cast<std::size_t>((rng >> 8) % kMaxChunk);
    if (choice == 0 && reading) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, read_limit - in_count));
      const ssize_t n = ::read(0, buf.data(), want);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        reading = false;
        continue;
      }
      fnv = chatter_fnv(std::string_view(buf.data(), static_cast<std::size_t>(n)), fnv);
      in_count += static_cast<std::uint64_t>(n);
      if (in_count >= read_limit) {
        ::close(0);
        reading = false;
      }
    } else if (choice > 0 && written[choice] < totals[choice]) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, totals[choice] - written[choice]));
      chatter_fill(seed, choice, written[choice], n, buf.data());
      write_all(choice, buf.data(), n);
      written[choice] += n;
    }
    if (!gated && written[1] * 2 >= out_total && written[2] * 2 >= err_total) {
      wait_gate(gate);
      gated = true;
    }
  }
  const std::string trailer = chatter_trailer(in_count, fnv);
  write_all(1, trailer.data(), trailer.size());
  return exit_code;
}
