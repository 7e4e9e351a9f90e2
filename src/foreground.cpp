// foreground.cpp — tcsetpgrp in both directions; SIGTTOU is ignored by ctxrun (posix.cpp).
#include "ctxrun/foreground.hpp"

#include <unistd.h>

#include <csignal>

namespace ctxrun {

TerminalLease::TerminalLease(int fd) {
  if (fd < 0 || ::isatty(fd) == 0) return;
  fd_ = fd;
  have_modes_ = ::tcgetattr(fd, &modes_) == 0;
}

bool TerminalLease::can_lend() const { return fd_ >= 0 && ::tcgetpgrp(fd_) == ::getpgrp(); }

void TerminalLease::take_back(bool restore_modes) {
  if (fd_ < 0 || job_ == 0) return;
  if (::tcgetpgrp(fd_) == job_) ::tcsetpgrp(fd_, ::getpgrp());
  if (restore_modes && have_modes_) ::tcsetattr(fd_, TCSADRAIN, &modes_);
  job_ = 0;
}

void TerminalLease::job_stopped(pid_t pgid) {
  if (fd_ < 0) return;
  termios job_modes{};
  const bool lent = job_ != 0;
  const bool saved = lent && ::tcgetattr(fd_, &job_modes) == 0;
  take_back(true);
  ::kill(::getpid(), SIGSTOP);  // resumes here on SIGCONT (fg, bg)
  if (can_lend()) {             // continued in the foreground: the job gets the terminal (back)
    if (saved) ::tcsetattr(fd_, TCSADRAIN, &job_modes);
    ::tcsetpgrp(fd_, pgid);
    job_ = pgid;
  }
  ::kill(-pgid, SIGCONT);
}

}  // namespace ctxrun
