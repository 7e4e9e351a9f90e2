// foreground.cpp — tcsetpgrp in both directions; SIGTTOU is ignored by ctxrun (posix.cpp).
#include "ctxrun/foreground.hpp"

#include <unistd.h>

#include <csignal>

namespace ctxrun {

TerminalLease::TerminalLease(int fd) {
  if (fd < 0 || ::isatty(fd) == 0 || ::tcgetpgrp(fd) != ::getpgrp()) return;
  fd_ = fd;
  have_modes_ = ::tcgetattr(fd, &modes_) == 0;
}

void TerminalLease::take_back(bool restore_modes) {
  if (fd_ < 0 || job_ == 0) return;
  if (::tcgetpgrp(fd_) == job_) ::tcsetpgrp(fd_, ::getpgrp());
  if (restore_modes && have_modes_) ::tcsetattr(fd_, TCSADRAIN, &modes_);
  job_ = 0;
}

void TerminalLease::job_stopped() {
  if (fd_ < 0 || job_ == 0) return;
  const pid_t job = job_;
  termios job_modes{};
  const bool saved = ::tcgetattr(fd_, &job_modes) == 0;
  take_back(true);
  ::kill(::getpid(), SIGSTOP);  // resumes here on SIGCONT (fg, bg)
  if (::tcgetpgrp(fd_) == ::getpgrp()) {  // continued in the foreground: lend it again
    if (saved) ::tcsetattr(fd_, TCSADRAIN, &job_modes);
    ::tcsetpgrp(fd_, job);
  }
  job_ = job;
  ::kill(-job, SIGCONT);
}

}  // namespace ctxrun
