// posix.hpp — the POSIX calls ctxrun makes outside the event loop, each named on failure.
#pragma once
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ctxrun {

/// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read, write;
};
/// pipe2(O_CLOEXEC); both ends close on exec.
Pipe make_pipe();
/// /dev/null for reading and writing, O_CLOEXEC.
Fd open_devnull();

/// What the process looked like at start, so children can be given the same: a job starts
/// as it would without ctxrun in between (ctxrun(1), JOBS): signal mask, the signals ctxrun
/// ignores itself, the fd limit.
struct StartState {
  sigset_t mask;                   ///< the mask ctxrun was started with
  rlimit nofile;                   ///< the fd limit ctxrun was started with
  std::vector<int> ignored_by_us;  ///< signals ctxrun set to SIG_IGN (reset in children)
  std::vector<int> handled;        ///< signals the loop catches (reset before the mask is restored)
  pid_t pid;
};
/// Captures the start state, ignores SIGPIPE (EPIPE is handled as a cause) and SIGTTOU
/// (ctxrun writes and hands the terminal around from a background group), raises the soft
/// fd limit to the hard one, and unblocks the signals the loop waits for.
StartState prepare_process(const std::vector<int>& handled);

/// True if `sig` was ignored when ctxrun started (nohup, `&` in a script): then ctxrun does
/// not catch it either, like timeout(1) since coreutils 9.10.
bool ignored_at_start(int sig);

/// Blocks every signal for its lifetime. Around clone: a signal caught in the child before it
/// resets its dispositions would run ctxrun's handler there, and Asio's handler would tell
/// ctxrun's loop of a signal ctxrun never received.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_{};
};

/// Retries `f()` while it fails with EINTR; returns its last result (errno is kept).
template <class F>
auto retry_eintr(F f) {
  for (;;) {
    auto r = f();
    if (!(r < 0 && errno == EINTR)) return r;
  }
}

/// What became of a signal sent.
enum class Delivery {
  Sent,    ///< the kernel took it
  Gone,    ///< no such process (or group) any more
  Denied,  ///< not ours to signal (EPERM: another user, a setuid program)
};

/// pidfd_open(2): a descriptor (close-on-exec) that names `pid` for as long as it is held,
/// whatever number the kernel gives out later. Empty if the process is gone (or errno).
Fd open_pidfd(pid_t pid);
/// pidfd_send_signal(2): signals exactly the process the descriptor was opened for.
Delivery signal_process(int pidfd, int sig);
/// kill(-pgid, sig). Only for a group whose leader ctxrun holds unreaped: a leader that is
/// alive or a zombie keeps its pid, and so its group id, from being given to anyone else.
/// Refuses pgid <= 1 and ctxrun's own group.
Delivery signal_group(pid_t pgid, int sig);

/// The exit of our child behind `pidfd`, as a waitpid(2) status, without reaping it (it
/// stays a zombie, holding its pid); nullopt while it runs.
std::optional<int> peek_exit(int pidfd);
/// Reaps our exited child behind `pidfd`; its pid is free for reuse from here on.
void reap(int pidfd);
/// Whether our child behind `pidfd` is stopped now (Ctrl-Z, SIGTTIN); consumes the report.
bool stopped_now(int pidfd);

/// After cleanup: dies by `sig` so a calling shell sees a death by signal (bash stops a
/// script on Ctrl-C only then). Core dumps are disabled first.
[[noreturn]] void die_by_signal(int sig);

/// execvp's search: `name` with a '/' is used as is; otherwise each directory of `path`.
/// On failure returns nullopt and sets `error` to ENOENT or EACCES.
std::optional<std::string> find_executable(const std::string& name, const std::string& path, int& error);

/// Fills `out` from getrandom(2).
void random_bytes(std::span<unsigned char> out);

/// prctl(PR_SET_CHILD_SUBREAPER): orphans of our jobs become our children.
void become_subreaper();

/// The `errno` text, for messages.
std::string error_text(int error_number);

}  // namespace ctxrun

namespace ctxrun {
/// Columns of the terminal on `fd`, 0 if unknown.
std::size_t terminal_width(int fd);
}  // namespace ctxrun
