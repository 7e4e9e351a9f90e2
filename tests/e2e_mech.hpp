// e2e_mech.hpp — what the mechanism tests (e2e_mech_*.cpp) share: the start state made once,
// jobs started with ctxrun::spawn whose stdout the test reads, bounded waits on descriptors
// and processes, a scoped child subreaper, and a guard that kills what a failed test left.
//
// Nothing here sleeps to synchronize: a wait is a poll(2) on a descriptor with a limit, or
// test::eventually with a limit.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/posix.hpp"
#include "ctxrun/spawner.hpp"
#include "harness.hpp"

extern char** environ;

namespace mech {

using namespace std::chrono_literals;
using test::Ms;

/// ctxrun's prepare_process, once per test binary (it ignores SIGPIPE and SIGTTOU and raises
/// the fd limit here too), and the signals that were ignored before it ran.
struct Start {
  std::vector<int> ignored_before;
  ctxrun::StartState state{};
};
inline const Start& start() {
  static const Start s = [] {
    Start r;
    for (int sig = 1; sig < SIGRTMIN; ++sig)
      if (ctxrun::ignored_at_start(sig)) r.ignored_before.push_back(sig);
    r.state = ctxrun::prepare_process({SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD});
    return r;
  }();
  return s;
}

/// What ctxrun asks of the spawner, for `argv` with stdout on `out`: our environment, a fixed
/// PATH, our start state.
inline ctxrun::SpawnRequest request(const std::vector<std::string>& argv, int out = -1, int death_signal = 0) {
  ctxrun::SpawnRequest req;
  req.argv = &argv;
  req.envp = environ;
  req.path = "/usr/bin:/bin";
  req.out = out;
  req.death_signal = death_signal;
  req.start = &start().state;
  return req;
}

/// Runs `io` until `done()` or `limit`; true if done.
template <class F>
bool run_until(boost::asio::io_context& io, F done, Ms limit = 10s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    io.restart();
    io.run_one_for(std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now()));
  }
  return true;
}

/// True if `fd` becomes readable (or hangs up) within `limit`.
inline bool readable(int fd, Ms limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  pollfd p{fd, POLLIN, 0};
  return ctxrun::retry_eintr([&] {  // the time left counted again after an interruption
           const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
           return ::poll(&p, 1, static_cast<int>(std::max(left, Ms::zero()).count()));
         }) == 1;
}

/// The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z'...), or 0 if there is no such process.
inline char state_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : 0;
}

/// Our children, in any state (zombies included), from /proc/self/task/TID/children.
inline std::vector<pid_t> children() {
  std::ifstream f("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  std::vector<pid_t> out;
  for (pid_t p; f >> p;) out.push_back(p);
  return out;
}

inline bool contains(const std::vector<pid_t>& v, pid_t p) { return std::find(v.begin(), v.end(), p) != v.end(); }

/// Waits (bounded) for our child `pid` to end and reaps it: its wait status, or nullopt.
inline std::optional<int> reap(pid_t pid, Ms limit = 10s) {
  int status = 0;
  const bool ended = test::eventually(
      [&] { return ctxrun::retry_eintr([&] { return ::waitpid(pid, &status, WNOHANG); }) == pid; }, limit);
  return ended ? std::optional<int>(status) : std::nullopt;
}

/// Waits (bounded) until `pid` is gone: reaped here if it is our child, otherwise no longer
/// alive (a zombie of someone else counts as gone).
inline bool gone(pid_t pid, Ms limit = 10s) {
  return test::eventually(
      [&] {
        const pid_t w = ::waitpid(pid, nullptr, WNOHANG);
        if (w == pid) return true;
        return w < 0 && errno == ECHILD && !test::alive(pid);
      },
      limit);
}

/// Kills and reaps, when the test ends (passed or not), every process and group it names.
struct KillOnExit {
  std::vector<pid_t> pids, groups;
  KillOnExit() = default;
  KillOnExit(const KillOnExit&) = delete;
  KillOnExit& operator=(const KillOnExit&) = delete;
  ~KillOnExit() {
    for (pid_t g : groups)
      if (g > 1) ::kill(-g, SIGKILL);
    for (pid_t p : pids)
      if (p > 1) ::kill(p, SIGKILL);
    for (pid_t p : pids)
      if (p > 1) gone(p, 5s);
    for (pid_t g : groups)
      if (g > 1) gone(g, 5s);
  }
};

/// Makes the test process a child subreaper for its lifetime: orphans of the processes a test
/// starts become our children, so the test can reap them.
class Subreaper {
 public:
  Subreaper() { ctxrun::become_subreaper(); }
  ~Subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 0); }
  Subreaper(const Subreaper&) = delete;
  Subreaper& operator=(const Subreaper&) = delete;
};

/// The read end of a pipe, read with bounds, line by line or to EOF.
class Lines {
 public:
  Lines() = default;
  explicit Lines(ctxrun::Fd fd) : fd_(std::move(fd)) {
    ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) | O_NONBLOCK);
  }

  /// The next line (from where the last one ended) starting with `prefix`; "" if the limit ran
  /// out or EOF came first.
  std::string wait_for(std::string_view prefix, Ms limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      for (std::size_t nl; (nl = text_.find('\n', cursor_)) != std::string::npos;) {
        std::string line = text_.substr(cursor_, nl - cursor_);
        cursor_ = nl + 1;
        if (line.rfind(prefix, 0) == 0) return line;
      }
      const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
      if (eof_ || left <= Ms::zero()) return "";
      fill(left);
    }
  }
  /// Reads until EOF; false if the limit ran out first.
  bool read_to_eof(Ms limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!eof_) {
      const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
      if (left <= Ms::zero()) return false;
      fill(left);
    }
    return true;
  }
  /// Reads until at least `n` bytes came in all; false if the limit or EOF came first.
  bool read_at_least(std::size_t n, Ms limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (text_.size() < n && !eof_) {
      const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
      if (left <= Ms::zero()) return false;
      fill(left);
    }
    return text_.size() >= n;
  }
  /// Everything read so far.
  const std::string& text() const { return text_; }
  bool eof() const { return eof_; }
  void close() { fd_.reset(); }
  /// The descriptor itself, for a reader of another kind (this one reads no more).
  ctxrun::Fd take() { return std::move(fd_); }

 private:
  void fill(Ms limit) {
    if (!readable(fd_.get(), limit)) return;
    char buf[65536];
    for (;;) {
      const ssize_t n = ctxrun::retry_eintr([&] { return ::read(fd_.get(), buf, sizeof buf); });
      if (n > 0) {
        text_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) eof_ = true;
      return;
    }
  }

  ctxrun::Fd fd_;
  std::string text_;
  std::size_t cursor_ = 0;
  bool eof_ = false;
};

/// A job started with ctxrun::spawn (its own process group), its stdout on a pipe we read.
/// Killed (the whole group) and reaped at the end of the test if the test did not reap it.
class Job {
 public:
  explicit Job(std::vector<std::string> argv, int death_signal = 0) {
    auto pipe = ctxrun::make_pipe();
    auto result = ctxrun::spawn(request(argv, pipe.write.get(), death_signal));
    auto* spawned = std::get_if<ctxrun::Spawned>(&result);
    if (!spawned) FAIL("spawn " << argv.front() << ": " << std::get<ctxrun::SpawnFailure>(result).message);
    pid_ = spawned->pid;
    pidfd_ = std::move(spawned->pidfd);
    out = Lines(std::move(pipe.read));
  }
  ~Job() {
    if (!reaped_ && pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      ctxrun::retry_eintr([this] { return ::waitpid(pid_, nullptr, 0); });
    }
  }
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  /// True if the leader ends within `limit` (its pidfd becomes readable).
  bool ends_within(Ms limit) { return readable(pidfd_.get(), limit); }
  /// Waits (bounded) for the leader to end and reaps it: its wait status, or nullopt.
  std::optional<int> wait(Ms limit = 10s) {
    if (!ends_within(limit)) return std::nullopt;
    auto status = reap(pid_, 5s);
    reaped_ = status.has_value();
    return status;
  }
  /// Kills the whole group and reaps the leader.
  void kill() {
    ::kill(-pid_, SIGKILL);
    wait();
  }

  Lines out;

 private:
  pid_t pid_ = -1;
  ctxrun::Fd pidfd_;
  bool reaped_ = false;
};

inline bool exited_with(std::optional<int> status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}
inline bool killed_by(std::optional<int> status, int sig) {
  return status && WIFSIGNALED(*status) && WTERMSIG(*status) == sig;
}

/// The `N` in `word N`, from a line like `escaped 123`.
inline pid_t pid_of(const std::string& line) { return line.empty() ? -1 : test::pid_in(line); }

}  // namespace mech
