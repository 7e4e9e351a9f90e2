// job.hpp — what a job is, what happened to each of its attempts, and how it ended.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxrun/clock.hpp"
#include "ctxrun/duration.hpp"
#include "ctxrun/process_end.hpp"

namespace ctxrun {

struct JobSpec {
  std::string name;               ///< unique in the run; `1`, `2`, … unless named
  std::string command;            ///< as the user wrote it (argv joined for one command)
  std::vector<std::string> argv;  ///< one command's words; empty for -c/-f jobs (see exec_argv)
  std::size_t index = 0;          ///< 1-based
  int line = 0;                   ///< line in the jobs file, 0 if none
};

/// Splits a `-c`/`-f` command into words when it has no shell syntax, so it can be exec'd
/// directly with the same result as `sh -c` (as make does); otherwise {"sh", "-c", command}.
std::vector<std::string> command_argv(const std::string& command);

/// What is exec'd for a job: its words, or command_argv(command). Made when needed, not kept:
/// a run of many jobs holds one string per job, not four.
std::vector<std::string> exec_argv(const JobSpec& job);

/// One command's default name: its program's last path component, as basename(1) has it
/// (`make` for `/usr/bin/make`, `bin` for `/usr/bin/`, `.` for `./`), or `1`, the name a first
/// -c job gets, when there is none (`/`, or an empty word): a name is never empty.
std::string command_name(std::string_view program);

/// How ctxrun stopped an attempt, if it did.
enum class StopHow {
  None,        ///< it ended by itself
  Terminated,  ///< it ended after the first signal
  Killed,      ///< it was still there after the grace period and got SIGKILL
};

/// Why ctxrun stopped an attempt.
enum class StopWhy { None, Canceled, Timeout };

struct Attempt {
  int number = 1;
  TimePoint started{}, ended{};
  std::optional<ProcessEnd> end;  ///< empty if it could not be spawned
  std::string spawn_error;        ///< `foo: No such file or directory`
  StopWhy stopped_why = StopWhy::None;
  StopHow stopped_how = StopHow::None;
  /// With StopHow::Killed: the SIGKILL came early, on a second signal to ctxrun, not because
  /// the grace period ran out.
  bool killed_early = false;
  std::uint64_t out_bytes = 0, err_bytes = 0;
  Duration duration() const { return ended - started; }
};

enum class JobOutcome {
  Pending,  ///< not ended yet
  Succeeded,
  Failed,      ///< exited non-zero, killed by a signal it was not sent by ctxrun, or could not start
  TimedOut,    ///< its --job-timeout passed
  Terminated,  ///< stopped by ctxrun because the run ended, after the first signal
  Killed,      ///< stopped by ctxrun because the run ended, with SIGKILL after the grace
  NotStarted,  ///< the run ended before it started
};

/// `succeeded`, `failed`, `timed-out`, … (the report's spelling).
std::string_view format_as(JobOutcome outcome);

/// What an attempt's end means to the scheduler.
enum class AttemptResult {
  Succeeded,  ///< exit status 0 (even after ctxrun's signal: the job chose to succeed)
  Failed,     ///< failed, could not start, or its --job-timeout passed: retried if allowed
  Stopped,    ///< ctxrun stopped it because the run was done: neither failure nor retried
};

/// Both read off the one record of how an attempt ended (its end, and why and how ctxrun
/// stopped it), never off flags passed alongside.
AttemptResult result_of(const Attempt& attempt);
/// The job's outcome when `last` was its last attempt.
JobOutcome outcome_of(const Attempt& last);

struct JobRecord {
  JobSpec spec;
  std::vector<Attempt> attempts;
  JobOutcome outcome = JobOutcome::Pending;
};

}  // namespace ctxrun
