// descendants.cpp — the /proc walk. Numbers read here are only looked at, never signalled:
// what ctxrun signals it holds by a pidfd or by an unreaped group leader.
#include "ctxrun/descendants.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "ctxrun/posix.hpp"

namespace ctxrun {
namespace {

std::string read_small(const std::string& file) {
  std::string text;
  const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return text;
  char buf[4096];
  for (ssize_t n; (n = retry_eintr([&] { return ::read(fd.get(), buf, sizeof buf); })) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  return text;
}

void append_pids(const std::string& text, std::vector<pid_t>& out) {
  for (const char* p = text.c_str(); *p;) {
    char* end = nullptr;
    const long pid = std::strtol(p, &end, 10);
    if (end == p) break;
    if (pid > 0) out.push_back(static_cast<pid_t>(pid));
    p = end;
  }
}

// From /proc/PID/stat: the state letter and the process group. The command name, in
// parentheses, may hold anything, so the fields are counted from its last ')'.
bool living_member(pid_t pid, pid_t pgid) {
  const std::string stat = read_small("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  const char state = stat[close + 2];
  if (state == 'Z' || state == 'X') return false;
  char* end = nullptr;
  (void)std::strtol(stat.c_str() + close + 3, &end, 10);  // ppid, skipped
  const long group = std::strtol(end, nullptr, 10);       // pgrp
  return group == pgid;
}

// Children of every thread of `pid`: a thread other than the main one may have forked.
void children_of(pid_t pid, std::vector<pid_t>& out) {
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = ::opendir(task.c_str());
  if (!dir) return;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    append_pids(read_small(task + "/" + e->d_name + "/children"), out);
  }
  ::closedir(dir);
}

}  // namespace

std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  append_pids(read_small("/proc/thread-self/children"), out);
  return out;
}

bool group_has_members(pid_t pgid, std::span<const pid_t> roots) {
  constexpr std::size_t kMaxWalk = 1 << 16;  // a tree this big is not waited for process by process
  std::vector<pid_t> todo(roots.begin(), roots.end());
  for (std::size_t seen = 0; !todo.empty() && seen < kMaxWalk; ++seen) {
    const pid_t pid = todo.back();
    todo.pop_back();
    if (living_member(pid, pgid)) return true;
    children_of(pid, todo);
  }
  return !todo.empty();  // too big to finish: assume the worst, ask again later
}

}  // namespace ctxrun
