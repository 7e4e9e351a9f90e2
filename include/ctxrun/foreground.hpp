// foreground.hpp — lending the terminal to one command and taking it back (ctxrun(1), SIGNALS AND
// TERMINALS).
#pragma once
#include <sys/types.h>
#include <termios.h>

namespace ctxrun {

/// The terminal ctxrun shares with its one job.
class TerminalLease {
 public:
  /// `fd`: the terminal (stdin, or /dev/tty for --foreground); -1 or not a terminal: none.
  explicit TerminalLease(int fd);
  /// There is a terminal: stops of the job are mirrored (Ctrl-Z, or a read from the
  /// background that stopped it with SIGTTIN).
  bool present() const { return fd_ >= 0; }
  /// ctxrun's process group is the terminal's foreground group (not started with `&`):
  /// the job may be given the terminal at spawn.
  bool can_lend() const;
  int fd() const { return fd_; }

  /// The job's group now owns the terminal (the child did tcsetpgrp itself, before exec).
  void lent_to(pid_t pgid) { job_ = pgid; }
  /// The job ended: takes the terminal back; restores the saved modes if the job may have
  /// left them broken (it died by a signal or was stopped by ctxrun), as shells do.
  void take_back(bool restore_modes);
  /// The job (group `pgid`) stopped: ctxrun takes the terminal back and stops itself, so the
  /// calling shell sees a stopped job. When continued, it lends the terminal again if it is
  /// in the foreground now (`fg`), and continues the job's group.
  void job_stopped(pid_t pgid);

 private:
  int fd_ = -1;
  pid_t job_ = 0;  // the group the terminal is lent to, 0 if none
  termios modes_{};
  bool have_modes_ = false;
};

}  // namespace ctxrun
