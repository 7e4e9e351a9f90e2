// spawner.cpp — clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) and ctxrun's child setup.
//
// Not Boost.Process: its 1.81 launchers leave a zombie on exec errors, flush ctxrun's stdio
// from the child, and either copy ctxrun's memory (fork) or need an io_context of their own
// per spawn (vfork; each costs two descriptors, and fails when they run out). The few steps
// below are what posix_spawn(3) does, plus the ones it cannot (death signal, terminal).
#include "ctxrun/spawner.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <map>

#include <fmt/format.h>

namespace ctxrun {
namespace {

// What the child reads, and where it leaves an error: memory it shares with ctxrun, which
// waits (CLONE_VFORK) until the child has exec'd or exited.
struct Child {
  const SpawnRequest& req;
  const char* exe = nullptr;
  char* const* argv = nullptr;
  int error = 0;
  const char* step = nullptr;  // the call that failed; nullptr: execve itself
};

// The child's whole life before exec: system calls only, on its own stack. Its signal
// dispositions, mask and limits are its own (no CLONE_SIGHAND); its memory is ctxrun's.
int child_main(void* arg) {
  auto& c = *static_cast<Child*>(arg);
  const SpawnRequest& req = c.req;
  const auto fail = [&](const char* step) {
    c.error = errno;
    c.step = step;
    ::_exit(127);
  };
  // Default dispositions before the mask opens: a signal arriving now must not run one of
  // ctxrun's handlers, on ctxrun's memory.
  for (int sig : req.start->handled) (void)::signal(sig, SIG_DFL);
  for (int sig : req.start->ignored_by_us) (void)::signal(sig, SIG_DFL);
  if (::setpgid(0, 0) != 0) fail("setpgid");
  // ctxrun registers our group with its watchdog as soon as clone returns there. If ctxrun
  // dies before that, the death signal stops us; if it is dead already, we do not run.
  if (req.death_signal > 0 && ::prctl(PR_SET_PDEATHSIG, req.death_signal) != 0) fail("prctl");
  if (::getppid() != req.start->pid) ::_exit(127);
  // SIGTTOU is blocked (everything is, until the mask is restored), so a background
  // process group may take the terminal.
  if (req.tty >= 0 && ::tcsetpgrp(req.tty, ::getpid()) != 0) fail("tcsetpgrp");
  for (auto [from, to] : {std::pair{req.in, 0}, std::pair{req.out, 1}, std::pair{req.err, 2}}) {
    if (from >= 0 && from != to && ::dup2(from, to) < 0) fail("dup2");
  }
  // Every other descriptor closes at exec (ctxrun opens its own with O_CLOEXEC; this also
  // covers what ctxrun inherited).
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::setrlimit(RLIMIT_NOFILE, &req.start->nofile);
  ::sigprocmask(SIG_SETMASK, &req.start->mask, nullptr);
  ::execve(c.exe, c.argv, const_cast<char* const*>(req.envp));
  fail(nullptr);
  return 127;
}

// One clone, with the program already found.
std::variant<Spawned, SpawnFailure> clone_exec(const char* exe, std::vector<char*>& args, const SpawnRequest& req) {
  // The child runs on this stack until it execs; ctxrun is suspended meanwhile, and spawns
  // one at a time, so one stack serves every spawn. Pages are touched only as used.
  alignas(64) static char stack[64 * 1024];
  Child c{req, exe, args.data()};
  int pidfd = -1;
  pid_t pid = -1;
  int clone_error = 0;
  {
    SignalBlock block;  // see child_main: no handler of ctxrun's may run in the child
    pid = ::clone(child_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &c, &pidfd);
    clone_error = errno;
  }
  if (pid < 0) return SpawnFailure{clone_error, fmt::format("clone: {}", error_text(clone_error))};
  Fd fd(pidfd);
  if (c.error != 0 || c.step != nullptr) {  // it _exit()ed: reap it, and say why
    reap(fd.get());
    const std::string what = c.step ? c.step : args.front();
    return SpawnFailure{c.error, fmt::format("{}: {}", what, error_text(c.error))};
  }
  return Spawned{pid, std::move(fd)};
}

}  // namespace

bool SpawnFailure::resource_shortage() const {
  return error == EMFILE || error == ENFILE || error == EAGAIN || error == ENOMEM || error == ENOSPC;
}

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

  std::vector<char*> args;
  args.reserve(argv.size() + 2);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));  // argv[0] as given
  args.push_back(nullptr);
  auto result = clone_exec(exe.c_str(), args, req);
  // A file that is no executable format (a script without #!) runs with /bin/sh, as with
  // execvp(3) and timeout(1).
  if (auto* f = std::get_if<SpawnFailure>(&result); f && f->error == ENOEXEC) {
    args.front() = const_cast<char*>(exe.c_str());
    static char sh[] = "sh";
    args.insert(args.begin(), sh);
    result = clone_exec("/bin/sh", args, req);
  }
  return result;
}

}  // namespace ctxrun
