// testchild — the program the process tests run under ctxrun. Every mode that waits prints
// `ready <pid>` first (flushed), so a test waits on that line instead of sleeping.
//
//   testchild sleep SECS               ready, then sleep
//   testchild exit N                   exit N at once
//   testchild kill SIG                 die by signal SIG (number)
//   testchild ignore SIG... -- MODE…   ignore the signals, then run MODE
//   testchild print-signals            ready, then print the name of each signal received
//   testchild spawn N SECS             fork N children (same group) sleeping SECS; print their
//                                      pids as `child <pid>`, ready, then wait
//   testchild join PGID|parent -- MODE...  move into another process group, then run MODE
//   testchild escape SECS              fork a grandchild that calls setsid() and sleeps SECS;
//                                      print `escaped <pid>`, ready, then exit 0 (or wait with
//                                      `escape SECS wait`)
//   testchild orphan SECS              fork a child that sleeps SECS in the same group; print
//                                      `orphan <pid>`, then exit 0 at once
//   testchild lines N [TEXT]           print N lines `TEXT-i`
//   testchild partial TEXT             print TEXT without newline, exit 0
//   testchild long BYTES               print one line of BYTES 'x' bytes
//   testchild slow-lines N MS          print `line i` every MS milliseconds
//   testchild stdin                    copy stdin to stdout
//   testchild env                      print every CTXRUN_* variable and TEST_* variable
//   testchild fds                      print the open descriptors (from /proc/self/fd)
//   testchild signals                  print the blocked and ignored signals
//   testchild tty                      print whether stdin is a TTY and whether our group is
//                                      its foreground group, then read a line and echo it
//   testchild stop                     ready, then stop ourselves (SIGSTOP) and print `continued`
//
// For the soak test (tests/soak.cpp):
//   testchild after MS MODE…           sleep MS milliseconds, then run MODE
//   testchild numbered N [MS]          N checked lines on stdout and one on stderr for every 4th,
//                                      spread over about MS milliseconds (see numbered_line)
//   testchild hold-pipe SECS [MS]      like escape, but the escapee keeps the job's stdout and
//                                      stderr open; print `escaped <pid>`, exit 0 after MS ms
//   testchild double-fork SECS         fork a child that forks a grandchild (same group, stdio
//                                      on /dev/null) sleeping SECS, then exits; wait for the
//                                      child, print `orphan <pid>`, exit 0
//   testchild new-group SECS keep|null exit|wait
//                                      fork a child that moves to a process group of its own and
//                                      sleeps SECS, keeping the job's stdout and stderr or not;
//                                      exit 0 at once, or when the child has ended
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "numbered_line.hpp"

namespace {

void ready() {
  std::printf("ready %d\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
}

void pause_seconds(double secs) {
  timespec ts{static_cast<time_t>(secs), static_cast<long>((secs - static_cast<time_t>(secs)) * 1e9)};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

volatile sig_atomic_t received[NSIG] = {};  // one flag per signal: none overwrites another
void record(int sig) { received[sig] = 1; }

int run(std::vector<std::string> args);

int mode_spawn(int n, double secs) {
  for (int i = 0; i < n; ++i) {
    const pid_t p = ::fork();
    if (p == 0) {
      pause_seconds(secs);
      ::_exit(0);
    }
    std::printf("child %d\n", static_cast<int>(p));
  }
  ready();
  while (::wait(nullptr) > 0 || errno == EINTR) {
  }
  return 0;
}

int mode_escape(double secs, bool wait_after) {
  int p[2];
  if (::pipe(p) != 0) return 1;
  const pid_t mid = ::fork();
  if (mid == 0) {
    const pid_t grand = ::fork();
    if (grand == 0) {
      ::setsid();
      const pid_t me = ::getpid();
      [[maybe_unused]] auto n = ::write(p[1], &me, sizeof me);
      ::close(p[1]);
      // Close our stdout copy so the job's pipe is not held by the escapee.
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      pause_seconds(secs);
      ::_exit(0);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  pid_t grand = 0;
  [[maybe_unused]] auto n = ::read(p[0], &grand, sizeof grand);
  ::waitpid(mid, nullptr, 0);
  std::printf("escaped %d\n", static_cast<int>(grand));
  ready();
  if (wait_after) pause_seconds(3600);
  return 0;
}

int mode_orphan(double secs) {
  const pid_t p = ::fork();
  if (p == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    pause_seconds(secs);
    ::_exit(0);
  }
  std::printf("orphan %d\n", static_cast<int>(p));
  std::fflush(stdout);
  return 0;
}

int mode_print_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT}) {
    struct sigaction sa {};
    sa.sa_handler = record;
    ::sigaction(sig, &sa, nullptr);
  }
  sigset_t all, old;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old);  // check the flags and sleep without a lost wake-up
  ready();
  for (;;) {
    ::sigsuspend(&old);
    bool stop = false;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (!received[sig]) continue;
      received[sig] = 0;
      std::printf("signal %s\n", sigabbrev_np(sig));
      stop |= sig == SIGTERM || sig == SIGINT;
    }
    std::fflush(stdout);
    if (stop) return 0;
  }
}

int mode_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  const int own = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' || std::atoi(e->d_name) == own) continue;
    std::printf("fd %s\n", e->d_name);
  }
  ::closedir(d);
  return 0;
}

int mode_signals() {
  sigset_t blocked;
  ::sigprocmask(SIG_SETMASK, nullptr, &blocked);
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    if (sigismember(&blocked, sig)) std::printf("blocked %s\n", sigabbrev_np(sig));
    struct sigaction sa {};
    ::sigaction(sig, nullptr, &sa);
    if (sa.sa_handler == SIG_IGN) std::printf("ignored %s\n", sigabbrev_np(sig));
  }
  return 0;
}

int mode_tty() {
  const bool tty = ::isatty(0) == 1;
  const bool fg = tty && ::tcgetpgrp(0) == ::getpgrp();
  std::printf("tty %s foreground %s\n", tty ? "yes" : "no", fg ? "yes" : "no");
  ready();
  char line[256];
  if (std::fgets(line, sizeof line, stdin)) std::printf("read %s", line);
  return 0;
}

// A soak line (numbered_line.hpp), with its newline.
std::string numbered_line(const std::string& key, long seq) { return test::numbered_line(key, seq) + "\n"; }

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Whole lines in writes of at most PIPE_BUF bytes: a pipe takes each such write entirely or
// not at all, so a job killed at any moment never leaves half a line behind, and every broken
// line the soak sees was broken by ctxrun.
class LineBatch {
 public:
  explicit LineBatch(int fd) : fd_(fd) {}
  ~LineBatch() { flush(); }
  void add(const std::string& line) {
    if (buf_.size() + line.size() > PIPE_BUF) flush();
    buf_ += line;
  }
  void flush() {
    if (buf_.empty()) return;
    [[maybe_unused]] auto n = ::write(fd_, buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  int fd_;
  std::string buf_;
};

int mode_numbered(long n, double ms) {
  const std::string lineage = env_or("CTXRUN_LINEAGE", "-");
  const std::string key = env_or("CTXRUN_PATH", "-") + ":" + env_or("CTXRUN_ATTEMPT", "-") + ":" +
                          lineage.substr(lineage.size() > 8 ? lineage.size() - 8 : 0);
  std::fflush(stdout);
  LineBatch out(1), err(2);
  constexpr long kEvery = 64;  // lines between two pauses when spread over time
  for (long i = 1; i <= n; ++i) {
    out.add(numbered_line(key + ":o", i));
    if (i % 4 == 0) err.add(numbered_line(key + ":e", i / 4));
    if (ms > 0 && i % kEvery == 0) {
      out.flush();
      err.flush();
      pause_seconds(ms / 1000.0 * kEvery / static_cast<double>(n));
    }
  }
  return 0;
}

int mode_hold_pipe(double secs, double ms) {
  int p[2];
  if (::pipe(p) != 0) return 1;
  const pid_t mid = ::fork();
  if (mid == 0) {
    if (::fork() == 0) {
      ::setsid();
      const pid_t me = ::getpid();
      [[maybe_unused]] auto n = ::write(p[1], &me, sizeof me);
      ::close(p[1]);
      pause_seconds(secs);  // stdout and stderr still the job's
      ::_exit(0);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  pid_t grand = 0;
  [[maybe_unused]] auto n = ::read(p[0], &grand, sizeof grand);
  ::waitpid(mid, nullptr, 0);
  std::printf("escaped %d\n", static_cast<int>(grand));
  std::fflush(stdout);
  pause_seconds(ms / 1000.0);
  return 0;
}

int mode_double_fork(double secs) {
  int p[2];
  if (::pipe(p) != 0) return 1;
  const pid_t mid = ::fork();
  if (mid == 0) {
    if (::fork() == 0) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 1);
      ::dup2(null, 2);
      const pid_t me = ::getpid();
      [[maybe_unused]] auto n = ::write(p[1], &me, sizeof me);
      ::close(p[1]);
      pause_seconds(secs);
      ::_exit(0);
    }
    ::_exit(0);
  }
  ::close(p[1]);
  pid_t grand = 0;
  [[maybe_unused]] auto n = ::read(p[0], &grand, sizeof grand);
  ::waitpid(mid, nullptr, 0);
  std::printf("orphan %d\n", static_cast<int>(grand));
  std::fflush(stdout);
  return 0;
}

int mode_new_group(double secs, bool keep, bool wait_for_it) {
  std::fflush(stdout);
  const pid_t p = ::fork();
  if (p == 0) {
    ::setpgid(0, 0);
    if (!keep) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    pause_seconds(secs);
    ::_exit(0);
  }
  ::setpgid(p, p);  // both sides: the child may not have run yet when we exit
  std::printf("child %d\n", static_cast<int>(p));
  std::fflush(stdout);
  if (wait_for_it)
    while (::waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
    }
  return 0;
}

int run(std::vector<std::string> a) {
  if (a.empty()) return 2;
  const std::string mode = a[0];
  const auto num = [&](std::size_t i, double dflt) { return a.size() > i ? std::atof(a[i].c_str()) : dflt; };
  if (mode == "sleep") {
    ready();
    pause_seconds(num(1, 3600));
    return 0;
  }
  if (mode == "exit") return static_cast<int>(num(1, 0));
  if (mode == "kill") {
    std::fflush(stdout);
    const int sig = static_cast<int>(num(1, SIGTERM));
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return 1;
  }
  if (mode == "ignore") {
    std::size_t i = 1;
    for (; i < a.size() && a[i] != "--"; ++i) ::signal(std::atoi(a[i].c_str()), SIG_IGN);
    return run(std::vector<std::string>(a.begin() + static_cast<long>(std::min(i + 1, a.size())), a.end()));
  }
  if (mode == "join") {  // join PGID|parent -- MODE...: move into another process group first
    const pid_t g = a.size() > 1 && a[1] == "parent" ? ::getpgid(::getppid()) : static_cast<pid_t>(num(1, 0));
    if (::setpgid(0, g) != 0) return 3;
    std::size_t i = 2;
    while (i < a.size() && a[i] != "--") ++i;
    return run(std::vector<std::string>(a.begin() + static_cast<long>(std::min(i + 1, a.size())), a.end()));
  }
  if (mode == "print-signals") return mode_print_signals();
  if (mode == "spawn") return mode_spawn(static_cast<int>(num(1, 1)), num(2, 3600));
  if (mode == "escape") return mode_escape(num(1, 3600), a.size() > 2 && a[2] == "wait");
  if (mode == "orphan") return mode_orphan(num(1, 3600));
  if (mode == "lines") {
    const long n = static_cast<long>(num(1, 1));
    const std::string text = a.size() > 2 ? a[2] : "line";
    for (long i = 1; i <= n; ++i) std::printf("%s-%ld\n", text.c_str(), i);
    return 0;
  }
  if (mode == "partial") {
    std::fputs(a.size() > 1 ? a[1].c_str() : "partial", stdout);
    return 0;
  }
  if (mode == "long") {
    std::string s(static_cast<std::size_t>(num(1, 1 << 20)), 'x');
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
    return 0;
  }
  if (mode == "slow-lines") {
    const long n = static_cast<long>(num(1, 10));
    for (long i = 1; i <= n; ++i) {
      std::printf("line %ld\n", i);
      std::fflush(stdout);
      pause_seconds(num(2, 100) / 1000.0);
    }
    return 0;
  }
  if (mode == "stdin") {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) std::fwrite(buf, 1, n, stdout);
    return 0;
  }
  if (mode == "env") {
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "CTXRUN_", 7) == 0 || std::strncmp(*e, "TEST_", 5) == 0) std::printf("%s\n", *e);
    return 0;
  }
  if (mode == "fds") return mode_fds();
  if (mode == "signals") return mode_signals();
  if (mode == "tty") return mode_tty();
  if (mode == "stop") {
    ready();
    ::raise(SIGSTOP);
    std::printf("continued\n");
    return 0;
  }
  if (mode == "after") {
    pause_seconds(num(1, 0) / 1000.0);
    return run(std::vector<std::string>(a.begin() + static_cast<long>(std::min<std::size_t>(2, a.size())), a.end()));
  }
  if (mode == "numbered") return mode_numbered(static_cast<long>(num(1, 100)), num(2, 0));
  if (mode == "hold-pipe") return mode_hold_pipe(num(1, 3600), num(2, 0));
  if (mode == "double-fork") return mode_double_fork(num(1, 3600));
  if (mode == "new-group")
    return mode_new_group(num(1, 3600), a.size() > 2 && a[2] == "keep", a.size() > 3 && a[3] == "wait");
  std::fprintf(stderr, "testchild: unknown mode %s\n", mode.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) { return run(std::vector<std::string>(argv + 1, argv + argc)); }
