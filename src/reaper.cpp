// reaper.cpp — never a blanket waitpid(-1): that would steal statuses from the job handles.
#include "ctxrun/reaper.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace ctxrun {

int reap_orphans(const std::function<bool(pid_t)>& is_job) {
  int reaped = 0;
  for (;;) {
    siginfo_t info{};
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      return reaped;  // ECHILD: no children at all
    }
    const pid_t pid = info.si_pid;
    if (pid == 0 || is_job(pid)) return reaped;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) ++reaped;
  }
}

std::vector<pid_t> living_orphans(const std::function<bool(pid_t)>& is_known) {
  // ctxrun is single-threaded: its children are all listed under its main thread.
  std::vector<pid_t> out;
  const std::string file = "/proc/self/task/" + std::to_string(::getpid()) + "/children";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  for (const char* p = text.c_str(); *p;) {
    char* end = nullptr;
    const long pid = std::strtol(p, &end, 10);
    if (end == p) break;
    p = end;
    const auto child = static_cast<pid_t>(pid);
    if (is_known(child)) continue;
    // Still running? A zombie is already dead: the next reap_orphans takes it.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0)
      out.push_back(child);
  }
  return out;
}

pid_t orphan_group(pid_t pid) {
  const pid_t g = ::getpgid(pid);
  return g > 1 && g != ::getpgrp() ? g : 0;
}

}  // namespace ctxrun
