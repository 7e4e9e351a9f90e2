// watchdog.cpp — the watchdog sleeps on a pidfd of ctxrun; it does nothing until ctxrun dies.
#include "ctxrun/watchdog.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "ctxrun/env_context.hpp"

namespace ctxrun {

struct Watchdog::Shared {
  explicit Shared(std::size_t n) : groups(n), slots(new std::atomic<pid_t>[n]) {
    for (std::size_t i = 0; i < n; ++i) slots[i].store(0, std::memory_order_relaxed);
  }
  int parent_pidfd = -1;
  int first_signal = SIGTERM;
  long long grace_ms = 0;
  std::size_t groups;
  std::unique_ptr<std::atomic<pid_t>[]> slots;  // 0: free
  void* stack = nullptr;
  std::size_t stack_size = 0;
  // Descendants that left every group are known by their environment: a CTXRUN_LINEAGE with
  // `id` among its ids (see Watchdog::start). Empty: no search.
  char id[kInstanceIdSize] = {};
  bool search = false;
};

namespace {

constexpr std::size_t kStack = 256 * 1024;

// Keeps `pid` on the CPU ctxrun runs on now. On a VM a wake-up across CPUs costs an
// interprocessor interrupt, ~0.1 ms here: starting, killing and reaping the watchdog on
// ctxrun's own CPU took 80 us instead of 490. (Never done for jobs: affinity survives exec.)
void pin_to_current_cpu(pid_t pid) {
  const int cpu = ::sched_getcpu();
  if (cpu < 0) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ::sched_setaffinity(pid, sizeof one, &one);
}
constexpr std::size_t kMaxLeaders = 4096;  // pidfds polled in an emergency (more just get SIGKILL)

long long now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

bool watched(const Watchdog::Shared& w, pid_t pgid) {
  for (std::size_t i = 0; i < w.groups; ++i)
    if (w.slots[i].load() == pgid) return true;
  return false;
}

// Whether the environment of `pid` marks it as ctxrun's: an entry CTXRUN_LINEAGE=ID:ID:...
// with ctxrun's id in one of the fixed-width places. Read as a stream of NUL-ended entries,
// on the stack (an environment can be of any size).
bool marked(const Watchdog::Shared& w, pid_t pid) {
  char file[32] = "/proc/";
  char digits[12];
  int nd = 0;
  for (unsigned v = static_cast<unsigned>(pid); v > 0; v /= 10) digits[nd++] = static_cast<char>('0' + v % 10);
  char* f = file + 6;
  while (nd > 0) *f++ = digits[--nd];
  for (const char* t = "/environ"; *t;) *f++ = *t++;
  const int fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static constexpr char kName[] = "CTXRUN_LINEAGE=";
  constexpr std::size_t kNameSize = sizeof kName - 1;
  bool found = false;
  bool named = true;   // the entry so far matches kName
  bool same = true;    // the id in the current place so far matches ours
  bool whole = false;  // ours is in the current place, if a ':' or the entry's end follows
  std::size_t at = 0;  // in the current entry
  char buf[4096];
  for (ssize_t n; !found && (n = ::read(fd, buf, sizeof buf)) > 0;) {
    for (ssize_t i = 0; i < n && !found; ++i) {
      const char c = buf[i];
      if (c == '\0') {
        found = whole;
        named = same = true;
        whole = false;
        at = 0;
        continue;
      }
      if (at < kNameSize) {
        named = named && c == kName[at];
      } else if (named) {
        const std::size_t place = (at - kNameSize) % (kInstanceIdSize + 1);  // kInstanceIdSize: the ':'
        if (place == 0) same = true;
        if (place < kInstanceIdSize) same = same && c == w.id[place];
        if (place == kInstanceIdSize - 1) whole = same;
        if (place == kInstanceIdSize) {
          found = whole && c == ':';
          whole = false;
        }
      }
      ++at;
    }
  }
  ::close(fd);
  return found;
}

// Sends `sig` (and SIGCONT) to every process outside the watched groups that the environment
// marks as ctxrun's: what escaped its job's group (setsid, a daemon) before ctxrun saw it.
// Keeps a pidfd of each in `waits` while there is room.
void signal_marked(const Watchdog::Shared& w, int sig, pollfd* waits, std::size_t& n) {
  if (!w.search) return;
  const int dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  const auto self = static_cast<pid_t>(::syscall(SYS_getpid));
  alignas(dirent64) char buf[8192];
  for (long got; (got = ::syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0;) {
    for (long off = 0; off < got;) {
      const auto* d = reinterpret_cast<const dirent64*>(buf + off);
      off += d->d_reclen;
      pid_t pid = 0;
      for (const char* c = d->d_name; *c && pid >= 0; ++c) pid = *c >= '0' && *c <= '9' ? pid * 10 + (*c - '0') : -1;
      if (pid <= 1 || pid == self) continue;
      // The pidfd first: whatever is read below is about the process it signals.
      const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
      if (watched(w, static_cast<pid_t>(::syscall(SYS_getpgid, pid))) || !marked(w, pid)) {
        if (fd >= 0) ::close(fd);  // a watched group has its signal already: a second may mean "force"
        continue;
      }
      if (fd < 0) {  // out of descriptors, say: the pid then
        ::kill(pid, sig);
        if (sig != SIGKILL) ::kill(pid, SIGCONT);
        continue;
      }
      ::syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0);
      if (sig != SIGKILL) ::syscall(SYS_pidfd_send_signal, fd, SIGCONT, nullptr, 0);
      if (waits && n < kMaxLeaders) {
        waits[n++] = {fd, POLLIN, 0};
      } else {
        ::close(fd);
      }
    }
  }
  ::close(dir);
}

// ctxrun is dead: the termination sequence for every group it left, and for the processes
// its environment marks that left them. The memory is ours alone now, but ctxrun may have
// died anywhere (inside malloc): no heap here either.
[[noreturn]] void tear_down(const Watchdog::Shared& w) {
  pollfd leaders[kMaxLeaders];
  std::size_t n = 0;
  for (std::size_t i = 0; i < w.groups; ++i) {
    const pid_t g = w.slots[i].load();
    if (g <= 1) continue;
    ::kill(-g, w.first_signal);
    if (w.first_signal != SIGKILL) ::kill(-g, SIGCONT);
    const int fd = static_cast<int>(::syscall(SYS_pidfd_open, g, 0));
    if (fd >= 0 && n < kMaxLeaders) {
      leaders[n++] = {fd, POLLIN, 0};
    } else if (fd >= 0) {
      ::close(fd);
    }
  }
  signal_marked(w, w.first_signal, leaders, n);
  // Until the grace period ends, or every leader is gone, whichever comes first. The time left
  // is counted again for every poll, an interrupted one included.
  for (const long long until = now_ms() + w.grace_ms; n > 0;) {
    const auto left = [until] { return std::clamp(until - now_ms(), 0LL, 60'000LL); };
    if (left() == 0) break;
    if (retry_eintr([&] { return ::poll(leaders, n, static_cast<int>(left())); }) < 0) break;
    std::size_t kept = 0;  // the leaders still there; the others' pidfds are closed
    for (std::size_t i = 0; i < n; ++i) {
      if (leaders[i].revents) {
        ::close(leaders[i].fd);
      } else {
        leaders[kept++] = leaders[i];
      }
    }
    n = kept;
  }
  // The search again, with SIGKILL: it also finds what the marked ones started meanwhile.
  std::size_t none = 0;
  signal_marked(w, SIGKILL, nullptr, none);
  for (std::size_t i = 0; i < w.groups; ++i)
    if (const pid_t g = w.slots[i].load(); g > 1) ::kill(-g, SIGKILL);
  ::syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

// The watchdog's whole life while ctxrun lives: two system calls, on its own stack. (The
// syscall() wrapper writes errno only on failure, and neither call fails here.)
int watchdog_main(void* arg) {
  auto& w = *static_cast<Watchdog::Shared*>(arg);
  // Hold nothing of ctxrun's (no terminal, no pipe a reader waits on) but the pidfd.
  const auto fd = static_cast<unsigned>(w.parent_pidfd);
  if (fd > 0) ::syscall(SYS_close_range, 0U, fd - 1, 0U);
  ::syscall(SYS_close_range, fd + 1, ~0U, 0U);
  pollfd parent{w.parent_pidfd, POLLIN, 0};
  while (::syscall(SYS_ppoll, &parent, 1, nullptr, nullptr, 0) != 1) {
  }
  tear_down(w);
}

}  // namespace

Watchdog::Watchdog(Watchdog&& o) noexcept
    : shared_(std::move(o.shared_)),
      free_(std::move(o.free_)),
      pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::move(o.pidfd_)),
      dismissed_(o.dismissed_) {}

Watchdog& Watchdog::operator=(Watchdog&& o) noexcept {
  if (this != &o) {
    stop();
    shared_ = std::move(o.shared_);
    free_ = std::move(o.free_);
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::move(o.pidfd_);
    dismissed_ = o.dismissed_;
  }
  return *this;
}

Watchdog::Watchdog() = default;

Watchdog::~Watchdog() { stop(); }

Watchdog Watchdog::start(int first_signal, Duration grace, std::size_t groups, const std::string& instance_id) {
  Watchdog w;
  w.shared_ = std::make_unique<Shared>(groups);
  Shared& s = *w.shared_;
  s.first_signal = first_signal;
  if (instance_id.size() == kInstanceIdSize) {
    std::copy(instance_id.begin(), instance_id.end(), s.id);
    s.search = true;
  }
  s.grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(grace).count();
  for (std::size_t i = groups; i-- > 0;) w.free_.push_back(i);
  s.stack = ::mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (s.stack == MAP_FAILED) {
    s.stack = nullptr;
    throw fmt::system_error(errno, "mmap (watchdog stack)");
  }
  s.stack_size = kStack;
  w.clone_process();
  return w;
}

void Watchdog::clone_process() {
  Shared& s = *shared_;
  s.parent_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  if (s.parent_pidfd < 0) throw fmt::system_error(errno, "pidfd_open (watchdog)");
  // Every signal blocked in the child from its first instruction: it never unblocks them.
  // And the child starts on this CPU (it inherits the affinity mask; see pin_to_current_cpu).
  sigset_t all, old;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &old);
  cpu_set_t cpus;
  const bool had_cpus = ::sched_getaffinity(0, sizeof cpus, &cpus) == 0;
  if (had_cpus) pin_to_current_cpu(0);
  int pidfd = -1;
  const pid_t pid = ::clone(watchdog_main, static_cast<char*>(s.stack) + kStack, CLONE_VM | CLONE_PIDFD | SIGCHLD, &s,
                            &pidfd);
  const int clone_error = errno;
  if (had_cpus) ::sched_setaffinity(0, sizeof cpus, &cpus);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(s.parent_pidfd);  // the child has its own copy
  if (pid < 0) throw fmt::system_error(clone_error, "clone (watchdog)");
  // Out of ctxrun's group (done from here: the child makes no call that could fail), so a
  // signal to that group, such as Ctrl-C, cannot reach it.
  ::setpgid(pid, pid);
  pid_ = pid;
  pidfd_ = Fd(pidfd);
  dismissed_ = false;
}

void Watchdog::restart() {
  if (!shared_) return;
  if (pidfd_) reap(pidfd_.get());  // its stack is free again only once it is gone
  pidfd_.reset();
  pid_ = -1;
  clone_process();
}

bool Watchdog::watch(pid_t pgid) {
  if (!shared_ || free_.empty()) return false;
  shared_->slots[free_.back()].store(pgid);
  free_.pop_back();
  return true;
}

void Watchdog::forget(pid_t pgid) {
  if (!shared_) return;
  for (std::size_t i = 0; i < shared_->groups; ++i) {
    if (shared_->slots[i].load(std::memory_order_relaxed) == pgid) {
      shared_->slots[i].store(0);
      free_.push_back(i);
      return;
    }
  }
}

void Watchdog::dismiss() {
  if (pidfd_ && !dismissed_) {
    pin_to_current_cpu(pid_);  // dies and is reaped here, without a cross-CPU wake-up
    signal_process(pidfd_.get(), SIGKILL);
  }
  dismissed_ = true;
}

void Watchdog::stop() {
  if (pidfd_) {
    dismiss();
    reap(pidfd_.get());
    pidfd_.reset();
    pid_ = -1;
  }
  if (shared_ && shared_->stack) {
    ::munmap(shared_->stack, shared_->stack_size);  // only once the watchdog is gone
    shared_->stack = nullptr;
  }
}

}  // namespace ctxrun
