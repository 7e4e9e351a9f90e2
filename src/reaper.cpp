// reaper.cpp — never a blanket waitpid(-1): that would steal statuses from the job handles.
#include "ctxrun/reaper.hpp"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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
  std::vector<pid_t> out;
  DIR* tasks = ::opendir("/proc/self/task");
  if (!tasks) return out;
  while (const dirent* t = ::readdir(tasks)) {
    if (t->d_name[0] == '.') continue;
    const std::string file = std::string("/proc/self/task/") + t->d_name + "/children";
    FILE* f = std::fopen(file.c_str(), "re");
    if (!f) continue;
    long pid = 0;
    while (std::fscanf(f, "%ld", &pid) == 1) {
      const auto p = static_cast<pid_t>(pid);
      if (is_known(p)) continue;
      // Still running? A zombie is already dead: the next reap_orphans takes it.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(p), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0)
        out.push_back(p);
    }
    std::fclose(f);
  }
  ::closedir(tasks);
  return out;
}

pid_t orphan_group(pid_t pid) {
  const pid_t g = ::getpgid(pid);
  return g > 1 && g != ::getpgrp() ? g : 0;
}

}  // namespace ctxrun
