// termination.hpp — the termination sequence of one process group: the first signal (and
// SIGCONT, so a stopped group can act on it), then SIGKILL when the grace period is over.
#pragma once
#include <sys/types.h>

#include <functional>

#include <boost/asio/steady_timer.hpp>

#include "ctxrun/duration.hpp"

namespace ctxrun {

class Termination {
 public:
  /// `on_signal(sig)` is told of every signal sent (for --verbose).
  Termination(boost::asio::io_context& io, pid_t pgid, int first_signal, Duration grace,
              std::function<void(int)> on_signal = {});
  Termination(const Termination&) = delete;
  Termination& operator=(const Termination&) = delete;

  /// Sends the first signal and arms the grace timer. Once only; a no-op when finished.
  void begin();
  /// SIGKILL now (the grace ran out, or a second SIGINT arrived).
  void escalate_now();
  /// The group is gone: stop the timer, send nothing more.
  void finish();

  bool begun() const { return begun_; }
  bool killed() const { return killed_; }
  pid_t pgid() const { return pgid_; }

 private:
  void send(int sig);

  boost::asio::steady_timer timer_;
  pid_t pgid_;
  int first_signal_;
  Duration grace_;
  std::function<void(int)> on_signal_;
  bool begun_ = false, killed_ = false, finished_ = false;
};

}  // namespace ctxrun
