// scheduler.hpp — pure policy: what starts next (-j), what a job's end means (--stop-on),
// and when a failed job runs again (--retries with backoff and jitter).
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "ctxrun/clock.hpp"
#include "ctxrun/duration.hpp"
#include "ctxrun/job.hpp"

namespace ctxrun {

enum class StopOn { Failure, Success, First, Never };

struct Policy {
  std::size_t max_running = 0;  ///< -j; 0 = no limit
  StopOn stop_on = StopOn::Failure;
  int retries = 0;             ///< extra attempts after a failure
  Duration retry_delay{0};     ///< before the first retry
  double retry_backoff = 2.0;  ///< each further delay is this many times longer
  double jitter = 0.2;         ///< each delay is scaled by a random factor in [1-j, 1+j)
  /// The run's deadline: a retry due at or after it would never start, so it is not waited
  /// for (the job fails with its last attempt's status, and the run does not sit idle).
  std::optional<TimePoint> until = std::nullopt;
};

/// An attempt due to start now: job index (0-based) and attempt number (1-based).
struct DueAttempt {
  std::size_t job;
  int attempt;
  bool operator==(const DueAttempt&) const = default;
};

/// What the end of an attempt means.
struct Verdict {
  bool retry = false;  ///< the job runs again at `retry_at`
  TimePoint retry_at{};
  bool job_done = false;       ///< this was the job's last attempt
  bool ends_run = false;       ///< by --stop-on, this end is the cause that ends the run
  bool first_failure = false;  ///< the first failed job of the run (its status is the run's)
};

class Scheduler {
 public:
  /// `random01` returns numbers in [0, 1) for the jitter.
  Scheduler(std::size_t jobs, Policy policy, const Clock& clock, std::function<double()> random01);

  /// The next attempt to start now, if any: retries whose delay is over first, then queued
  /// jobs, within -j. Nothing once the run is done. The attempt counts as running from here.
  std::optional<DueAttempt> next();
  /// When the next delayed retry becomes due, if one waits.
  std::optional<TimePoint> next_wakeup() const;

  /// An attempt ended. A Stopped one (ctxrun stopped it because the run was done) is neither a
  /// failure nor retried.
  Verdict ended(std::size_t job, AttemptResult result);

  /// The run is done: nothing more starts, waiting retries are dropped. Returns the jobs that
  /// will never (again) start and are not running: never started ones, and ones waiting to retry.
  std::vector<std::size_t> run_done();

  std::size_t running() const { return running_; }
  /// Every job has ended or will never start, and none is running.
  bool finished() const;

 private:
  enum class State { Queued, Running, Waiting, Done };
  struct Job {
    State state = State::Queued;
    int attempts = 0;
    TimePoint retry_at{};
  };
  Duration delay_before(int attempt);

  Policy policy_;
  const Clock& clock_;
  std::function<double()> random01_;
  std::vector<Job> jobs_;
  std::size_t next_queued_ = 0;
  std::size_t running_ = 0;
  std::size_t done_ = 0;
  std::size_t waiting_ = 0;
  bool run_done_ = false;
  bool any_failure_ = false;
};

}  // namespace ctxrun
