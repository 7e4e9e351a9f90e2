// supervisor.hpp — the loop: one io_context that turns events into scheduler calls and
// scheduler decisions into spawns and terminations. Policy lives in Scheduler, signal
// sequences in Termination, words in the Presenter: this file only routes.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/job.hpp"
#include "ctxrun/plan.hpp"
#include "ctxrun/progress.hpp"

namespace ctxrun {

struct RunResult {
  std::vector<JobRecord> jobs;
  std::optional<Cause> ended_by;       ///< what ended the run: the root context's cause
  std::optional<Cause> first_failure;  ///< the first job that failed, timed out, or did not start
  std::optional<int> stopped_status;   ///< single job stopped by a deadline: its own status
  TimePoint started{}, ended{};
  WallTime started_wall{};
  int leftovers_stopped = 0;       ///< processes jobs left behind that ctxrun stopped
  int leftovers_killed = 0;        ///< ... of which needed SIGKILL
  std::vector<pid_t> abandoned;    ///< left running: they refused every signal (another user's)
  std::size_t output_dropped = 0;  ///< bytes for a stalled reader, given up on at the end
};

/// The words of a run, which the loop leaves to the layers above it: it hands them data.
class Presenter {
 public:
  virtual ~Presenter() = default;
  /// The live status line's text, at most `width` columns (0: no limit).
  virtual std::string status(const Progress& progress, std::size_t width) = 0;
  /// Called once the run is over, while the loop still catches signals: writes the report and
  /// returns the summary for stderr, which the loop then writes like any other output.
  virtual std::string epilogue(const RunResult& result) = 0;
};

/// Runs the plan to the end: every job ended or never started, every process reaped, every
/// line of output written (or given up on: a stalled reader past the deadline's grace, or a
/// signal). The jobs move out of the plan into the result (a large run keeps one copy).
RunResult supervise(Plan& plan, const Clock& clock, Presenter& presenter);

}  // namespace ctxrun
