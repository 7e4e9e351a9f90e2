// supervisor.hpp — the loop: one io_context that turns events into scheduler calls and
// scheduler decisions into spawns and terminations. Policy lives in Scheduler, signal
// sequences in Termination, words in summary/report: this file only routes.
#pragma once
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/context.hpp"
#include "ctxrun/env_context.hpp"
#include "ctxrun/job.hpp"
#include "ctxrun/output.hpp"
#include "ctxrun/scheduler.hpp"

namespace ctxrun {

/// Everything the loop needs, resolved from the options and the inherited environment.
struct Plan {
  std::vector<JobSpec> jobs;
  Policy policy;                          ///< without `until`: the loop bounds it by `deadline`
  bool single = false;                    ///< one command: it keeps stdin, may get the terminal
  std::optional<Deadline> deadline;       ///< the root's, on the steady clock
  Duration job_timeout{0};                ///< 0: none
  std::string job_timeout_source;         ///< `--job-timeout 2s`
  int first_signal = SIGTERM;
  Duration grace{};
  bool inherit_output = false;            ///< jobs write to ctxrun's stdout/stderr directly
  SinkMode sink_mode = SinkMode::Prefix;
  bool color = false;
  bool status_line = false;
  bool verbose = false;
  int tty = -1;                           ///< hand this terminal to the single job
  Values values;
  std::string run_id, path;
  std::string instance_id;                ///< this ctxrun's own, random: what the watchdog looks for
  std::string lineage;                    ///< CTXRUN_LINEAGE for the jobs: the inherited one, then ours
  std::vector<std::string> base_env;      ///< the environment minus what each job gets set
  std::string search_path;                ///< PATH for finding directly exec'd commands
};

struct RunResult {
  std::vector<JobRecord> jobs;
  std::optional<Cause> cause;   ///< the root's cause, or with --stop-on never the first failure
  std::optional<int> stopped_status;  ///< single job stopped by a deadline: its own status
  TimePoint started{}, ended{};
  WallTime started_wall{};
  int leftovers_stopped = 0;    ///< processes jobs left behind that ctxrun stopped
  int leftovers_killed = 0;     ///< ... of which needed SIGKILL
  std::vector<pid_t> abandoned; ///< left running: they refused every signal (another user's)
  std::size_t output_dropped = 0;  ///< bytes for a stalled reader, given up on at the end
};

/// Called once the run is over, while the loop still catches signals: writes the report and
/// returns the summary for stderr, which the loop then writes like any other output.
using Epilogue = std::function<std::string(const RunResult&)>;

/// Runs the plan to the end: every job ended or never started, every process reaped, every
/// line of output written (or given up on: a stalled reader past the deadline's grace, or a
/// signal). The jobs move out of the plan into the result (a large run keeps one copy).
RunResult supervise(Plan& plan, const Clock& clock, const Epilogue& epilogue);

}  // namespace ctxrun
