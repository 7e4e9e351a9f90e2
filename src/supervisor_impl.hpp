// supervisor_impl.hpp — the Supervisor class, private to the loop: supervisor.cpp runs the
// run (signals, the root context, the stages of its end), attempts.cpp starts attempts and
// records what became of them. Each attempt's own life is LiveAttempt's (attempt.hpp).
//
// Ownership: what lives as long as the loop (the Supervisor and its members) is captured by
// reference in handlers; what comes and goes (attempts, orphans, readers, terminations) is
// held by shared_ptr, and a handler holds a shared_ptr or weak_ptr to the object it serves.
#pragma once
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ctxrun/attempt.hpp"
#include "ctxrun/foreground.hpp"
#include "ctxrun/leftovers.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/spawner.hpp"
#include "ctxrun/supervisor.hpp"
#include "ctxrun/watchdog.hpp"
#include "ctxrun/writer.hpp"

namespace ctxrun {

namespace asio = boost::asio;

inline constexpr std::size_t kReadBuffer = 64 * 1024;

/// Room in the watchdog's table: every job that can run at once, and orphans' groups.
std::size_t watched_groups(const Plan& plan);

class Supervisor final : LiveAttempt::Events {
 public:
  Supervisor(Plan& plan, const Clock& clock, Presenter& presenter);
  RunResult run();

 private:
  // How far the run has come. Each stage begins when the one before is over; check_finished()
  // moves from one to the next.
  enum class Stage {
    Running,   // jobs start as the scheduler says
    Ending,    // nothing starts any more: what is left (attempts being stopped, orphans) is stopped
    Draining,  // every process is gone: the last output is read from the pipes
    Flushing,  // ctxrun's own stdout and stderr take what is queued
    Over,
  };

  // The run (supervisor.cpp).
  void wait_signals();
  void watch_watchdog();
  void start_due();  // every attempt the scheduler has due now, then the timer for the next retry
  void on_root_done(const Cause& cause);
  void on_signal(int sig);
  void on_child();
  void sweep();
  void check_finished();
  void flush_then(Stage next);
  void give_up();
  void tick_status();
  void verbose(std::string_view text);
  bool known(pid_t pid) const;
  Cause received(int sig, std::string detail = {}) const;

  // Attempts (attempts.cpp).
  void start_attempt(const DueAttempt& due);
  void spawn_failed(std::size_t job, const SpawnFailure& f);
  void attempt_output(LiveAttempt& a, Stream stream, std::string_view bytes) override;
  void attempt_exited(LiveAttempt& a, int wait_status) override;
  void attempt_reaped(LiveAttempt& a) override;
  void attempt_done(LiveAttempt& a) override;
  void record_end(std::size_t job, const Cause& job_cause);
  void pause_output();
  // Output (supervisor.cpp).
  void await_room();
  void emit_group();
  void check_flushed();
  void drop_output();

  const Plan& plan_;
  const Clock& clock_;
  Presenter& presenter_;
  StartState start_state_;
  asio::io_context io_;
  asio::signal_set signals_{io_};
  asio::steady_timer deadline_timer_{io_}, retry_timer_{io_}, status_timer_{io_}, end_timer_{io_};
  Writer writer_;
  Console console_;
  std::optional<LineSink> sink_;
  std::mt19937_64 random_;  // seeded on first use: only retries need it
  Scheduler scheduler_;
  Context::Ptr root_;
  TerminalLease lease_;
  Fd devnull_;
  Watchdog watchdog_;  // before any job starts (see Watchdog)
  std::optional<asio::posix::stream_descriptor> watchdog_death_;
  std::unique_ptr<char[]> buffer_;  // shared by every PipeReader; not zero-filled: pages come as used
  std::vector<JobRecord> records_;
  std::vector<std::shared_ptr<LiveAttempt>> attempts_;
  Leftovers leftovers_;
  std::optional<Cause> first_failure_;
  RunResult result_;
  Stage stage_ = Stage::Running;
  std::optional<TimePoint> canceled_at_;
  bool hurry_ = false;             // a second signal: no more grace, for processes or for output
  bool room_armed_ = false;        // the writer calls back when it falls to its low mark
  std::function<void()> flushed_;  // the end of Flushing, once everything is written
  std::uint64_t group_dropped_ = 0;
  bool starting_ = false, start_again_ = false, paused_ = false, seeded_ = false, epilogue_ = false;
};

}  // namespace ctxrun
