// braid::subprocess: starting a child with posix_spawn(3).
//
// Everything Python's _posixsubprocess does in the child between fork and
// exec is expressed as posix_spawn file actions and attributes: the standard
// streams (dup2 / open of /dev/null), the working directory (fchdir to a
// directory opened and checked in the parent, so that a bad cwd is reported
// with its own name), close_fds (closefrom), pass_fds (dup2 onto itself, which
// clears close-on-exec), restore_signals, start_new_session, process_group.
// The PATH search is done in the parent, candidate by candidate, with the
// errno rules of Python's child (the first error other than ENOENT/ENOTDIR
// wins), checking each candidate before spawning it so that a lookup costs no
// failed spawns.
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "braid/detail/subprocess_internal.h"
#include "braid/subprocess.h"

extern char** environ;

namespace braid::subprocess::detail {
namespace {

constexpr const char* kDefaultPath = "/bin:/usr/bin";  // Python's os.defpath

void check_nul(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) throw ValueError("embedded null byte");
}

// Moves `fd` to a number >= 3 (close-on-exec), so that setting up the child's
// 0, 1 and 2 can never overwrite it.
UniqueFd lifted(UniqueFd fd) {
  if (fd.get() >= 3) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) raise_os_error(errno);
  return UniqueFd(moved);
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe(int pipesize) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) raise_os_error(errno);
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  p.read = lifted(std::move(p.read));
  p.write = lifted(std::move(p.write));
  if (pipesize > 0 && ::fcntl(p.write.get(), F_SETPIPE_SZ, pipesize) < 0) raise_os_error(errno);
  return p;
}

void check_fd(int fd) {
  if (fd < 0 || ::fcntl(fd, F_GETFD) < 0) raise_os_error(EBADF);
}

// RAII for the posix_spawn objects.
struct FileActions {
  posix_spawn_file_actions_t fa;
  FileActions() { posix_spawn_file_actions_init(&fa); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa); }
  void check(int rc) {
    if (rc != 0) raise_os_error(rc);
  }
};

struct Attributes {
  posix_spawnattr_t attr;
  Attributes() { posix_spawnattr_init(&attr); }
  ~Attributes() { posix_spawnattr_destroy(&attr); }
};

// The program's candidate paths, in Python's order (os.get_exec_path of the
// child's environment).
std::vector<std::string> candidates(const std::string& executable, const Options& o) {
  if (executable.find('/') != std::string::npos) return {executable};
  std::string path;
  if (o.env) {
    auto it = o.env->find("PATH");
    path = it != o.env->end() ? it->second : kDefaultPath;
  } else {
    const char* p = std::getenv("PATH");
    path = p != nullptr ? p : kDefaultPath;
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) {
      out.push_back(executable);
    } else {
      out.push_back(dir.back() == '/' ? dir + executable : dir + "/" + executable);
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}

// 0 if execve would accept `path` (seen from the child's cwd), else the errno
// it would fail with.
int precheck(const std::string& path, int cwd_fd) {
  if (path.empty()) return ENOENT;
  const int dirfd = (path.front() != '/' && cwd_fd >= 0) ? cwd_fd : AT_FDCWD;
  struct stat st;
  if (::fstatat(dirfd, path.c_str(), &st, 0) != 0) return errno;
  if (!S_ISREG(st.st_mode)) return EACCES;
  if (::faccessat(dirfd, path.c_str(), X_OK, AT_EACCESS) != 0) return errno;
  return 0;
}

// Python's child reports the first error other than ENOENT/ENOTDIR, else the
// last one.
struct ExecErrors {
  int saved = 0;
  int last = ENOENT;
  void record(int err) {
    last = err;
    if (err != ENOENT && err != ENOTDIR && saved == 0) saved = err;
  }
  int result() const { return saved != 0 ? saved : last; }
};

// Sets up one of the child's standard streams (`target` 0, 1 or 2).
void redirect(FileActions& fa, int target, const Redirect& r, int pipesize, UniqueFd& parent_end,
              std::vector<UniqueFd>& holders) {
  if (!r) return;  // inherit
  const int v = *r;
  if (v == PIPE) {
    Pipe p = make_pipe(pipesize);
    UniqueFd child_end = std::move(target == 0 ? p.read : p.write);
    parent_end = std::move(target == 0 ? p.write : p.read);
    fa.check(posix_spawn_file_actions_adddup2(&fa.fa, child_end.get(), target));
    holders.push_back(std::move(child_end));
  } else if (v == DEVNULL) {
    fa.check(posix_spawn_file_actions_addopen(&fa.fa, target, "/dev/null", O_RDWR, 0));
  } else if (v == STDOUT && target == 2) {
    fa.check(posix_spawn_file_actions_adddup2(&fa.fa, 1, 2));
  } else {
    check_fd(v);
    int source = v;
    if (v < 3) {
      // 0, 1 or 2 may be overwritten by an earlier action: use a copy.
      UniqueFd copy(::fcntl(v, F_DUPFD_CLOEXEC, 3));
      if (copy.get() < 0) raise_os_error(errno);
      source = copy.get();
      holders.push_back(std::move(copy));
    }
    fa.check(posix_spawn_file_actions_adddup2(&fa.fa, source, target));
  }
}

}  // namespace

Spawned spawn(const Args& args, const Options& o) {
  std::vector<std::string> argv = args.argv();
  if (argv.empty()) throw ValueError("args must not be empty");
  if (o.shell) {
    argv.insert(argv.begin(), {"/bin/sh", "-c"});
    if (o.executable) argv[0] = *o.executable;
  }
  const std::string executable = (o.executable && !o.shell) ? *o.executable : argv[0];
  for (const auto& a : argv) check_nul(a);
  check_nul(executable);
  if (o.cwd) check_nul(*o.cwd);

  std::vector<std::string> env_entries;
  if (o.env) {
    env_entries.reserve(o.env->size());
    for (const auto& [k, v] : *o.env) {
      check_nul(k);
      check_nul(v);
      if (k.find('=') != std::string::npos) throw ValueError("illegal environment variable name");
      env_entries.push_back(k + "=" + v);
    }
  }
  for (int fd : o.pass_fds) check_fd(fd);

  // The working directory, checked here so that its errors name it.
  UniqueFd cwd_fd;
  if (o.cwd) {
    cwd_fd = UniqueFd(::open(o.cwd->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (cwd_fd.get() < 0) raise_os_error(errno, &*o.cwd);
    if (::faccessat(cwd_fd.get(), ".", X_OK, AT_EACCESS) != 0) raise_os_error(errno, &*o.cwd);
  }

  FileActions fa;
  std::vector<UniqueFd> holders;  // child-side descriptors, closed when we return
  Spawned result;
  UniqueFd in, out, err;
  redirect(fa, 0, o.stdin_, o.pipesize, in, holders);
  redirect(fa, 1, o.stdout_, o.pipesize, out, holders);
  redirect(fa, 2, o.stderr_, o.pipesize, err, holders);
  if (cwd_fd.get() >= 0) fa.check(posix_spawn_file_actions_addfchdir_np(&fa.fa, cwd_fd.get()));

  if (o.close_fds || !o.pass_fds.empty()) {
    std::vector<int> keep;
    for (int fd : o.pass_fds) {
      if (fd >= 3) keep.push_back(fd);
    }
    std::sort(keep.begin(), keep.end());
    keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
    for (int fd : keep) fa.check(posix_spawn_file_actions_adddup2(&fa.fa, fd, fd));
    int next = 3;
    for (int fd : keep) {
      for (; next < fd; ++next) fa.check(posix_spawn_file_actions_addclose(&fa.fa, next));
      next = fd + 1;
    }
    fa.check(posix_spawn_file_actions_addclosefrom_np(&fa.fa, next));
  }

  Attributes attr;
  short flags = 0;
  if (o.restore_signals) {
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    posix_spawnattr_setsigdefault(&attr.attr, &defaults);
    flags |= POSIX_SPAWN_SETSIGDEF;
  }
  if (o.start_new_session) flags |= POSIX_SPAWN_SETSID;
  if (o.process_group) {
    posix_spawnattr_setpgroup(&attr.attr, *o.process_group);
    flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&attr.attr, flags);

  std::vector<char*> argv_ptrs;
  argv_ptrs.reserve(argv.size() + 1);
  for (auto& a : argv) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  std::vector<char*> env_ptrs;
  if (o.env) {
    env_ptrs.reserve(env_entries.size() + 1);
    for (auto& e : env_entries) env_ptrs.push_back(e.data());
    env_ptrs.push_back(nullptr);
  }
  char** envp = o.env ? env_ptrs.data() : environ;

  ExecErrors errors;
  bool started = false;
  for (const std::string& path : candidates(executable, o)) {
    if (int e = precheck(path, cwd_fd.get()); e != 0) {
      errors.record(e);
      continue;
    }
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, path.c_str(), &fa.fa, &attr.attr, argv_ptrs.data(), envp);
    if (rc == 0) {
      result.pid = pid;
      started = true;
      break;
    }
    errors.record(rc);
  }
  if (!started) raise_os_error(errors.result(), &executable);

#ifdef SYS_pidfd_open
  result.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, result.pid, 0));
#endif
  result.stdin_fd = in.release();
  result.stdout_fd = out.release();
  result.stderr_fd = err.release();
  return result;
}

}  // namespace braid::subprocess::detail
