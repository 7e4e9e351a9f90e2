// posix.cpp — thin wrappers; the reasons for each call are in posix.hpp.
#include "ctxrun/posix.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ctxrun {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

Fd::~Fd() { reset(); }

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);  // close(2) is never retried on EINTR on Linux
  fd_ = -1;
}

Pipe make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw fmt::system_error(errno, "pipe2");
  return {Fd(p[0]), Fd(p[1])};
}

Fd open_devnull() {
  const int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw fmt::system_error(errno, "open(/dev/null)");
  return Fd(fd);
}

bool ignored_at_start(int sig) {
  struct sigaction sa {};
  return ::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

StartState prepare_process(const std::vector<int>& handled) {
  // A closed 0, 1 or 2 would be taken by the next descriptor ctxrun opens (a pipe, epoll)
  // and handed to the jobs as their stdio. Put /dev/null there instead.
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int null = ::open("/dev/null", O_RDWR);
      if (null >= 0 && null != fd) {
        ::dup2(null, fd);
        ::close(null);
      }
    }
  }
  StartState s{};
  s.pid = ::getpid();
  ::sigprocmask(SIG_SETMASK, nullptr, &s.mask);
  ::getrlimit(RLIMIT_NOFILE, &s.nofile);
  s.handled = handled;
  for (int sig : {SIGPIPE, SIGTTOU}) {
    if (!ignored_at_start(sig)) {
      (void)::signal(sig, SIG_IGN);
      s.ignored_by_us.push_back(sig);
    }
  }
  // Three descriptors per running job: lift the soft limit (children get the original back).
  rlimit more = s.nofile;
  more.rlim_cur = more.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &more);
  sigset_t unblock;
  sigemptyset(&unblock);
  for (int sig : handled) sigaddset(&unblock, sig);
  ::sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
  return s;
}

SignalBlock::SignalBlock() {
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old_);
}

SignalBlock::~SignalBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }

namespace {
Delivery delivery(int result) {
  if (result == 0) return Delivery::Sent;
  return errno == EPERM ? Delivery::Denied : Delivery::Gone;
}

// A waitpid(2) status from waitid(2)'s report, so that one decoder (from_wait_status) serves.
int wait_status(const siginfo_t& info) {
  switch (info.si_code) {
    case CLD_EXITED: return (info.si_status & 0xff) << 8;
    case CLD_DUMPED: return (info.si_status & 0x7f) | 0x80;
    default: return info.si_status & 0x7f;  // CLD_KILLED
  }
}
}  // namespace

Fd open_pidfd(pid_t pid) { return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

Delivery signal_process(int pidfd, int sig) {
  return delivery(static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0)));
}

Delivery signal_group(pid_t pgid, int sig) {
  // Never -1 (everyone), 1, or our own group (our caller's, and ourselves).
  if (pgid <= 1 || pgid == ::getpgrp()) return Delivery::Gone;
  return delivery(::kill(-pgid, sig));
}

std::optional<int> peek_exit(int pidfd) {
  siginfo_t info{};
  const int r = retry_eintr([&] {
    return ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG | WNOWAIT);
  });
  if (r != 0 || info.si_pid == 0) return std::nullopt;
  return wait_status(info);
}

void reap(int pidfd) {
  for (;;) {
    siginfo_t info{};
    const int r = retry_eintr(
        [&] { return ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED); });
    if (r == 0) return;
    if (errno != EAGAIN) return;
    // A non-blocking pidfd (Asio made its description so) answers EAGAIN while the child
    // still runs: wait for its exit, then reap.
    pollfd p{pidfd, POLLIN, 0};
    retry_eintr([&] { return ::poll(&p, 1, -1); });
  }
}

bool stopped_now(int pidfd) {
  siginfo_t info{};
  const int r = retry_eintr(
      [&] { return ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WSTOPPED | WNOHANG); });
  return r == 0 && info.si_pid != 0 && info.si_code == CLD_STOPPED;
}

void die_by_signal(int sig) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  (void)::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  (void)::raise(sig);
  ::_exit(128 + sig);  // a signal whose default is not to die (should not happen)
}

std::optional<std::string> find_executable(const std::string& name, const std::string& path, int& error) {
  error = ENOENT;
  const auto usable = [&](const std::string& candidate) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode) || ::access(candidate.c_str(), X_OK) != 0) {
      error = EACCES;  // execvp reports EACCES if some candidate existed but could not run
      return false;
    }
    return true;
  };
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (usable(name)) return name;
    return std::nullopt;
  }
  for (std::size_t start = 0;;) {
    const auto colon = path.find(':', start);
    std::string dir = path.substr(start, colon - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (usable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

void random_bytes(std::span<unsigned char> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = retry_eintr([&] { return ::getrandom(out.data() + got, out.size() - got, 0); });
    if (n < 0) throw fmt::system_error(errno, "getrandom");
    got += static_cast<std::size_t>(n);
  }
}

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw fmt::system_error(errno, "prctl(PR_SET_CHILD_SUBREAPER)");
}

std::string error_text(int error_number) { return std::strerror(error_number); }

}  // namespace ctxrun

#include <sys/ioctl.h>

namespace ctxrun {
std::size_t terminal_width(int fd) {
  winsize ws{};
  return ::ioctl(fd, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}
}  // namespace ctxrun
