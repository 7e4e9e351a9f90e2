// attempt.hpp — one attempt of a job on the loop, from spawn to nothing left: the state
// machine the supervisor routes events into.
//
//   Running ──stop()──▶ Stopping ──leader exits──▶ Exited ──group empty──▶ Reaped ──output closed──▶ Done
//      └───────────────leader exits────────────────▲
//
// - Running: the leader runs and its context is live.
// - Stopping: the context is done (the run was canceled, or --job-timeout passed): the
//   termination sequence goes to the leader (by pidfd) and its process group.
// - Exited: the leader has exited and its end is known. It is kept unreaped (a zombie) while
//   anything is left in its process group, so the group id stays the job's own and the
//   sequence can go on reaching what the job left there.
// - Reaped: leader and group are gone. Output may still arrive from a descendant that left
//   the group and holds a pipe: that one is an orphan of the loop's, stopped with the rest
//   when the run ends; finish_output() then closes the pipes for good.
// - Done: nothing of the attempt is left; the supervisor lets go of it.
//
// Lifetime: made by make() and held through a shared_ptr, by the supervisor and by every
// pending operation (exit wait, deadline timer, readers hold their own). The supervisor may
// drop its reference at any time after Done.
#pragma once
#include <sys/types.h>

#include <csignal>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ctxrun/context.hpp"
#include "ctxrun/job.hpp"
#include "ctxrun/output.hpp"
#include "ctxrun/pipe_reader.hpp"
#include "ctxrun/spawner.hpp"
#include "ctxrun/termination.hpp"

namespace ctxrun {

class LiveAttempt {
 public:
  enum class Phase { Running, Stopping, Exited, Reaped, Done };

  /// What the attempt tells its owner. attempt_done comes from the loop, never from inside a
  /// call the owner made into the attempt; output may (finish_output reads synchronously).
  struct Events {
    virtual void attempt_output(LiveAttempt& a, Stream stream, std::string_view bytes) = 0;
    /// The leader exited with `wait_status` (Phase::Exited).
    virtual void attempt_exited(LiveAttempt& a, int wait_status) = 0;
    /// The leader is reaped (Phase::Reaped): its pid and group id are free for reuse now.
    virtual void attempt_reaped(LiveAttempt& a) = 0;
    /// Phase::Done: nothing of the attempt is left.
    virtual void attempt_done(LiveAttempt& a) = 0;

   protected:
    ~Events() = default;
  };

  struct Setup {
    std::size_t job = 0;
    int number = 1;
    Context::Ptr ctx;
    Spawned spawned;
    Fd out, err;             ///< read ends of the job's pipes; empty when output is inherited
    std::span<char> buffer;  ///< shared by every reader
    bool paused = false;     ///< start with the readers paused (backpressure)
    int first_signal = SIGTERM;
    Duration grace{};
    Termination::Sent sent;  ///< --verbose
  };

  static std::shared_ptr<LiveAttempt> make(boost::asio::io_context& io, Events& events, Setup setup);
  LiveAttempt(const LiveAttempt&) = delete;
  LiveAttempt& operator=(const LiveAttempt&) = delete;

  /// Its context is done while the leader runs: the termination sequence, for `why`.
  void stop(StopWhy why);
  /// SIGKILL now, to whatever of it is being stopped (a second signal).
  void escalate_now();
  /// The process tree changed: if the leader has exited and no living process is left in its
  /// group (looked for below `roots`, the orphans), the leader is reaped; if one is, the
  /// termination sequence stops it.
  void sweep(std::span<const pid_t> roots);
  /// Gives up on a group that cannot be emptied (its members refuse signals): reaps the
  /// leader as if the group were gone.
  void abandon_group();
  /// The run is over and nothing of ours holds the pipes any more: reads what they hold
  /// (at most `limit` bytes each) and closes them.
  void finish_output(std::size_t limit);
  void pause_output();
  void resume_output();

  Phase phase() const { return phase_; }
  std::size_t job() const { return job_; }
  int number() const { return number_; }
  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_number_; }
  const Context::Ptr& context() const { return ctx_; }
  /// How ctxrun stopped it, once the leader has exited: why, and how far the sequence went
  /// before the leader ended (given the leader's end).
  StopWhy stop_why() const { return why_; }
  StopHow stop_how(const ProcessEnd& end) const;
  /// SIGKILL came before the grace period was over (a second signal).
  bool killed_early() const { return term_->killed_early(); }

 private:
  struct Tag {};

 public:
  LiveAttempt(Tag, boost::asio::io_context& io, Events& events, Setup& setup);

 private:
  void wait_exit();
  void exited();
  void reaped();
  void stream_closed();
  void enter(Phase next);

  Events& events_;
  std::size_t job_;
  int number_;
  pid_t pid_;
  Context::Ptr ctx_;
  boost::asio::posix::stream_descriptor pidfd_;
  int pidfd_number_;  // -1 once reaped
  std::optional<boost::asio::steady_timer> deadline_;
  std::shared_ptr<Termination> term_;
  std::shared_ptr<PipeReader> out_, err_;
  int open_streams_ = 0;
  Phase phase_ = Phase::Running;
  StopWhy why_ = StopWhy::None;
  bool stopped_before_exit_ = false;
  std::weak_ptr<LiveAttempt> self_;
};

}  // namespace ctxrun
