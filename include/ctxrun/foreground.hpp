// foreground.hpp — lending the terminal to one command and taking it back (SPEC §4.3).
#pragma once
#include <sys/types.h>
#include <termios.h>

namespace ctxrun {

/// The terminal ctxrun may hand to its one job: its controlling terminal, when ctxrun's
/// process group is the terminal's foreground group (not run with `&`).
class TerminalLease {
 public:
  /// `fd`: the terminal (stdin, or /dev/tty for --foreground). Not usable: -1.
  explicit TerminalLease(int fd);
  bool usable() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  /// The job's group now owns the terminal (the child did tcsetpgrp itself, before exec).
  void lent_to(pid_t pgid) { job_ = pgid; }
  /// Takes the terminal back; restores the saved modes if the job may have left them broken
  /// (it died by a signal or was stopped by ctxrun), as shells do.
  void take_back(bool restore_modes);
  /// The job stopped (Ctrl-Z, or it read the terminal while in the background): ctxrun takes
  /// the terminal back and stops itself, so the calling shell sees a stopped job. When
  /// continued, it hands the terminal back (if it is in the foreground again) and continues
  /// the job's group.
  void job_stopped();

 private:
  int fd_ = -1;
  pid_t job_ = 0;
  termios modes_{};
  bool have_modes_ = false;
};

}  // namespace ctxrun
