// cause.hpp — why a context is done, as data, and the one place it is put into words.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctxrun/duration.hpp"
#include "ctxrun/process_end.hpp"

namespace ctxrun {

enum class CauseKind {
  DeadlineExceeded,  ///< a deadline passed: --timeout/--deadline, --job-timeout, or inherited
  JobFailed,         ///< a job failed (exit status or signal)
  JobSucceeded,      ///< a job succeeded and --stop-on says that ends the run
  Signal,            ///< ctxrun received a signal (or its stdout was closed: SIGPIPE)
  CanceledByJob,     ///< `ctxrun cancel` from inside a job
  Parent,            ///< the cause of an enclosing ctxrun
  SpawnFailed,       ///< a job could not be started
};

/// `deadline-exceeded`, `job-failed`, ... (the report's spelling).
std::string_view format_as(CauseKind kind);

/// The reason a context is done. Immutable once set; the first cause wins.
struct Cause {
  CauseKind kind{};
  std::string job;                ///< the job involved; empty for the run's own deadline or a signal
  std::optional<ProcessEnd> end;  ///< JobFailed / JobSucceeded: how the job's process ended
  Duration after{};               ///< job kinds: since the job started; deadline: since its context began
  int signal = 0;                 ///< Signal: the signal ctxrun received
  std::string detail;             ///< which deadline (`--timeout 5s`), a message, a spawn error
  std::vector<Cause> chain;       ///< causes reported by nested ctxruns, outermost first

  static Cause deadline(std::string which, Duration after, std::string job = {});
  static Cause job_failed(std::string job, ProcessEnd end, Duration after);
  static Cause job_succeeded(std::string job, Duration after);
  static Cause received(int sig, std::string detail = {});
  static Cause spawn_failed(std::string job, std::string error, int code);

  bool operator==(const Cause&) const = default;
};

/// One line, no `ctxrun:` prefix: `job "lint" exited with status 1 after 2.1s`,
/// `deadline exceeded after 5s (--timeout 5s)`, `received SIGINT`.
std::string describe(const Cause& cause);

}  // namespace ctxrun
