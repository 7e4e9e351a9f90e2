// watchdog.cpp — the watchdog's whole life is a blocking read; it does nothing until EOF.
#include "ctxrun/watchdog.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <vector>

#include <fmt/format.h>

namespace ctxrun {
namespace {

constexpr int kGoodbye = 0;

long long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// ctxrun is gone: the termination sequence for every group it left behind.
[[noreturn]] void tear_down(const std::vector<pid_t>& groups, int first_signal, Duration grace) {
  std::vector<pollfd> leaders;
  for (pid_t g : groups) {
    ::kill(-g, first_signal);
    if (first_signal != SIGKILL) ::kill(-g, SIGCONT);
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, g, 0));
    if (fd >= 0) leaders.push_back({fd, POLLIN, 0});
  }
  const long long until = now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(grace).count();
  // Wait for the leaders to exit, or for the grace period to end, whichever comes first.
  while (!leaders.empty()) {
    const long long left = until - now_ms();
    if (left <= 0) break;
    if (::poll(leaders.data(), leaders.size(), static_cast<int>(std::min(left, 60'000LL))) < 0 && errno != EINTR) break;
    std::erase_if(leaders, [](const pollfd& p) { return p.revents != 0; });
  }
  for (pid_t g : groups) ::kill(-g, SIGKILL);
  ::_exit(0);
}

[[noreturn]] void watchdog_main(int fd, int first_signal, Duration grace) {
  ::setpgid(0, 0);  // out of ctxrun's group: a kill of that group must not take us along
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Hold nothing of ctxrun's: no terminal, no pipe a reader waits on.
  if (fd != 3) {
    ::dup2(fd, 3);
    fd = 3;
  }
  const int null = ::open("/dev/null", O_RDWR);
  for (int i = 0; i < 3; ++i) ::dup2(null, i);
  ::syscall(SYS_close_range, 4U, ~0U, 0U);
  ::chdir("/");

  std::vector<pid_t> groups;
  int buf[1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) tear_down(groups, first_signal, grace);
    for (ssize_t i = 0; i < n / static_cast<ssize_t>(sizeof(int)); ++i) {
      const int m = buf[i];
      if (m == kGoodbye) ::_exit(0);
      if (m > 0) {
        groups.push_back(m);
      } else {
        std::erase(groups, -m);
      }
    }
  }
}

}  // namespace

Watchdog Watchdog::start(int first_signal, Duration grace) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw fmt::system_error(errno, "pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    throw fmt::system_error(errno, "fork (watchdog)");
  }
  if (pid == 0) {
    ::close(p[1]);
    watchdog_main(p[0], first_signal, grace);
  }
  ::close(p[0]);
  Watchdog w;
  w.pipe_ = Fd(p[1]);
  w.pid_ = pid;
  return w;
}

void Watchdog::send(int message) {
  if (!pipe_) return;
  while (::write(pipe_.get(), &message, sizeof message) < 0 && errno == EINTR) {
  }
}

void Watchdog::watch(pid_t pgid) { send(static_cast<int>(pgid)); }

void Watchdog::forget(pid_t pgid) { send(-static_cast<int>(pgid)); }

void Watchdog::stop() {
  if (pid_ < 0) return;
  send(kGoodbye);
  pipe_.reset();
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace ctxrun
