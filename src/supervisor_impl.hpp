// supervisor_impl.hpp — the Supervisor class, private to the loop: supervisor.cpp runs the
// run (signals, the root context, the scheduler, the end), attempt.cpp runs one attempt of a
// job (spawn, output, exit, stop).
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

#include "ctxrun/foreground.hpp"
#include "ctxrun/leftovers.hpp"
#include "ctxrun/pipe_reader.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/spawner.hpp"
#include "ctxrun/supervisor.hpp"
#include "ctxrun/termination.hpp"
#include "ctxrun/watchdog.hpp"
#include "ctxrun/writer.hpp"

namespace ctxrun {

namespace asio = boost::asio;

inline constexpr std::size_t kReadBuffer = 64 * 1024;

/// Room in the watchdog's table: every job that can run at once, and orphans' groups.
std::size_t watched_groups(const Plan& plan);

/// One running attempt of a job: its process, pipes, deadline and termination sequence.
struct Running {
  std::size_t job = 0;
  Context::Ptr ctx;
  pid_t pid = 0;  ///< == its process group
  std::optional<asio::posix::stream_descriptor> pidfd;
  std::unique_ptr<PipeReader> out, err;
  std::optional<asio::steady_timer> deadline;
  std::unique_ptr<Termination> term;
  bool leader_done = false, complete = false;
  StopWhy why = StopWhy::None;
};

class Supervisor {
 public:
  Supervisor(Plan& plan, const Clock& clock);
  RunResult run();

 private:
  // The run (supervisor.cpp).
  void wait_signals();
  void pump();
  void on_root_done(const Cause& cause);
  void on_signal(int sig);
  void on_child();
  void check_finished();
  void tick_status();
  void verbose(std::string text);
  bool is_job_leader(pid_t pid) const;
  bool is_job_group(pid_t pgid) const;

  // One attempt (attempt.cpp).
  void launch(const Launch& l);
  void spawn_failed(std::size_t job, const SpawnFailure& f);
  void stop(Running& r, const Cause& cause);
  void wait_exit(Running& r);
  void on_exit(Running& r, int status);
  void attempt_ended(std::size_t job, bool success, bool timed_out, bool canceled, const Cause& job_cause);
  void on_data(Running& r, Stream s, std::string_view bytes);
  void complete_if_done(Running& r);

  const Plan& plan_;
  const Clock& clock_;
  StartState start_state_;
  asio::io_context io_;
  asio::signal_set signals_{io_};
  asio::steady_timer deadline_timer_{io_}, retry_timer_{io_}, status_timer_{io_};
  Writer writer_;
  Console console_;
  std::optional<LineSink> sink_;
  std::mt19937_64 random_;  // seeded on first use: only retries need it
  Scheduler scheduler_;
  Context::Ptr root_;
  TerminalLease lease_;
  Fd devnull_;
  Watchdog watchdog_;  // before any job starts (see Watchdog)
  std::unique_ptr<char[]> buffer_;  // shared by every PipeReader; not zero-filled: pages come as used
  std::vector<JobRecord> records_;
  std::vector<std::unique_ptr<Running>> running_;
  Leftovers leftovers_;
  std::optional<Cause> first_failure_;
  RunResult result_;
  bool pumping_ = false, pump_again_ = false, finished_ = false, paused_ = false, seeded_ = false;
};

}  // namespace ctxrun
