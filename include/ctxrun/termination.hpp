// termination.hpp — the termination sequence: the first signal (and SIGCONT, so a stopped
// process can act on it) to every target at once, then SIGKILL to every target when the grace
// period ends. A target that joins late gets what the sequence has come to: nothing yet, the
// first signal, or SIGKILL at once.
//
// Lifetime: a Termination is made by make() and held by its owner through a shared_ptr; the
// grace timer's handler holds only a weak_ptr. So an owner may drop it at any moment, even
// when the timer's completion is already queued: the handler then finds nothing and returns.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "ctxrun/duration.hpp"

namespace ctxrun {

/// A process the sequence stops: always signalled through its pidfd (which its owner keeps
/// open while it is a target), and its whole process group too when `group` is set: only for
/// a group whose leader ctxrun holds unreaped, so the number cannot name someone else's.
struct StopTarget {
  int pidfd = -1;
  pid_t group = 0;
};

class Termination {
 public:
  /// `sent(sig, target)` is told of every signal delivered (for --verbose).
  using Sent = std::function<void(int sig, const StopTarget& target)>;

  static std::shared_ptr<Termination> make(boost::asio::io_context& io, int first_signal, Duration grace,
                                           Sent sent = {});
  Termination(const Termination&) = delete;
  Termination& operator=(const Termination&) = delete;

  void add(StopTarget target);
  /// The process is gone (reaped): nothing more is sent to it.
  void remove(int pidfd);
  /// The first signal to every target, and the grace timer. Once only.
  void begin();
  /// SIGKILL to every target now: the grace ran out, or a second signal came.
  void escalate_now();

  bool begun() const { return phase_ != Phase::Idle; }
  /// SIGKILL was sent.
  bool killed() const { return phase_ == Phase::Killed; }
  /// SIGKILL was sent before the grace period was over (a second signal).
  bool killed_early() const { return early_; }

 private:
  enum class Phase { Idle, Signalled, Killed };
  struct Tag {};

 public:
  Termination(Tag, boost::asio::io_context& io, int first_signal, Duration grace, Sent sent);

 private:
  void send(const StopTarget& t, int sig);
  void signal_first(const StopTarget& t);

  boost::asio::steady_timer timer_;
  int first_signal_;
  Duration grace_;
  Sent sent_;
  std::vector<StopTarget> targets_;
  Phase phase_ = Phase::Idle;
  bool early_ = false;
  std::chrono::steady_clock::time_point kill_at_{};
  std::weak_ptr<Termination> self_;
};

}  // namespace ctxrun
