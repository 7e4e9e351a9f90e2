// spawner.cpp — Boost.Process v2's vfork_launcher with ctxrun's child setup.
#include "ctxrun/spawner.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "boost_process.hpp"

namespace ctxrun {
namespace {

// Runs in the child between vfork and exec, on ctxrun's memory and stack (ctxrun waits):
// system calls only. Signal dispositions, the mask and limits are the child's own.
struct ChildSetup {
  const SpawnRequest& req;

  template <class Launcher>
  bp::error_code on_exec_setup(Launcher&, const std::filesystem::path&, const char* const*) {
    const auto fail = [] { return bp::error_code(errno, bp::system_category()); };
    if (::setpgid(0, 0) != 0) return fail();
    const pid_t self = ::getpid();
    // ctxrun registers our group with its watchdog as soon as fork returns there. If ctxrun
    // dies before that, the death signal stops us; if it is dead already, we do not run.
    if (req.death_signal > 0 && ::prctl(PR_SET_PDEATHSIG, req.death_signal) != 0) return fail();
    if (::getppid() != req.start->pid) ::_exit(127);
    // SIGTTOU is blocked (the parent blocked everything around vfork), so a background
    // process group may take the terminal.
    if (req.tty >= 0 && ::tcsetpgrp(req.tty, self) != 0) return fail();
    for (auto [from, to] : {std::pair{req.in, 0}, std::pair{req.out, 1}, std::pair{req.err, 2}}) {
      if (from >= 0 && from != to && ::dup2(from, to) < 0) return fail();
    }
    // Every other descriptor closes at exec. (1.81's close_all skips some: P5.)
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    ::setrlimit(RLIMIT_NOFILE, &req.start->nofile);
    // Default dispositions before the mask opens: a signal arriving now must not run the
    // parent's Asio handler in this child (boostorg/asio#349).
    for (int sig : req.start->handled) ::signal(sig, SIG_DFL);
    for (int sig : req.start->ignored_by_us) ::signal(sig, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &req.start->mask, nullptr);
    return {};
  }

  // 1.81 probes for a 5-argument on_exec_error but calls the 4-argument one (P4), which
  // replaces the launcher's exit(): that would flush ctxrun's stdio buffers from the child
  // (P3). The error itself reaches the parent: the vfork child writes it to the launcher's
  // error_code, in the memory they share.
  template <class Launcher>
  void on_exec_error(Launcher&, const bp::error_code&, const std::filesystem::path&, const char* const*,
                     const bp::error_code&) {}
  template <class Launcher>
  void on_exec_error(Launcher&, const std::filesystem::path&, const char* const*, const bp::error_code&) {
    ::_exit(127);
  }
};

// One vfork, with the program already found.
std::variant<Spawned, SpawnFailure> launch(const std::string& exe, std::vector<const char*>& args,
                                           const SpawnRequest& req) {
  // vfork: the child borrows ctxrun's memory until it execs, so nothing is copied, which is
  // most of the cost of a spawn (posix_spawn does the same). In the child the launcher calls
  // notify_fork(fork_child) on the executor's context; on a context with a reactor that
  // rebuilds the reactor, in memory the parent shares (P8). So each spawn gets a context of
  // its own, empty until Boost's handle is made, after the child has exec'd.
  asio::io_context io;
  bp::posix::vfork_launcher launcher;
  launcher.env = req.envp;
  bp::error_code ec;
  ChildSetup setup{req};
  Process p = [&] {
    SignalBlock block;  // see ChildSetup: no Asio handler may run in the child
    return launcher(io.get_executor(), ec, std::filesystem::path(exe), args.data(), setup);
  }();
  if (ec) {
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);  // it _exit()ed: reap it (P2)
    return SpawnFailure{ec.value(), fmt::format("{}: {}", args.front(), ec.message())};
  }
  const pid_t pid = p.id();
  p.detach();  // Boost's handle goes (closing its pidfd); ours waits without blocking
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {  // pidfd_open is blocked (old kernel, seccomp): a job we cannot wait on must not run
    const int open_error = errno;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return SpawnFailure{open_error, fmt::format("pidfd_open: {}", error_text(open_error))};
  }
  return Spawned{pid, std::move(pidfd)};
}

}  // namespace

std::variant<Spawned, SpawnFailure> spawn(const SpawnRequest& req) {
  const auto& argv = *req.argv;
  // A run starts the same commands again and again: look each one up once, as shells do.
  static std::map<std::pair<std::string, std::string>, std::string> found;
  auto key = std::make_pair(argv.front(), req.path);
  auto it = found.find(key);
  if (it == found.end()) {
    int error = 0;
    const auto exe = find_executable(argv.front(), req.path, error);
    if (!exe) return SpawnFailure{error, fmt::format("{}: {}", argv.front(), error_text(error))};
    it = found.emplace(std::move(key), *exe).first;
  }
  const std::string& exe = it->second;

  std::vector<const char*> args;
  args.reserve(argv.size() + 2);
  for (const auto& a : argv) args.push_back(a.c_str());  // argv[0] as given, not the resolved path (P12)
  args.push_back(nullptr);
  auto result = launch(exe, args, req);
  // A file that is no executable format (a script without #!) runs with /bin/sh, as with
  // execvp(3) and timeout(1).
  if (auto* f = std::get_if<SpawnFailure>(&result); f && f->error == ENOEXEC) {
    args.front() = exe.c_str();
    args.insert(args.begin(), "sh");
    result = launch("/bin/sh", args, req);
  }
  return result;
}

}  // namespace ctxrun
