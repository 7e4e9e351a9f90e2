// watchdog.hpp — tears the jobs down if ctxrun itself is SIGKILLed.
//
// A parent-death signal reaches only a job's leader, not the rest of its group. So ctxrun
// forks a tiny watchdog at start, in a process group of its own and deaf to every signal it
// can ignore. Each job registers its process group on the watchdog's pipe from the child,
// before exec. When the pipe reaches EOF without a goodbye, ctxrun is dead: the watchdog
// sends every registered group the first signal, waits out the grace period (or until the
// leaders are gone), then sends SIGKILL, and exits.
#pragma once
#include <sys/types.h>

#include "ctxrun/duration.hpp"
#include "ctxrun/posix.hpp"

namespace ctxrun {

class Watchdog {
 public:
  Watchdog() = default;
  /// Forks the watchdog. Throws fmt::system_error if it cannot.
  static Watchdog start(int first_signal, Duration grace);

  /// The pipe's write end: a job child writes its pgid (an int) here before exec.
  int fd() const { return pipe_.get(); }
  pid_t pid() const { return pid_; }
  /// Registers a group from ctxrun (an orphan's own group).
  void watch(pid_t pgid);
  /// The group is gone: a later emergency must not signal a reused id.
  void forget(pid_t pgid);
  /// Normal end: says goodbye, waits for the watchdog to exit.
  void stop();

 private:
  void send(int message);
  Fd pipe_;
  pid_t pid_ = -1;
};

}  // namespace ctxrun
