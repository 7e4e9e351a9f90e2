// exit_code.cpp — the exit status table of the man page, row by row.
#include "ctxrun/exit_code.hpp"

#include <cerrno>
#include <variant>

namespace ctxrun {

int exit_code_for(const Cause* cause, bool preserve_status, std::optional<int> preserved) {
  if (!cause) return static_cast<int>(ExitCode::Ok);
  switch (cause->kind) {
    case CauseKind::DeadlineExceeded:
      if (preserve_status && preserved) return *preserved;
      return static_cast<int>(ExitCode::DeadlineExceeded);
    case CauseKind::JobSucceeded: return static_cast<int>(ExitCode::Ok);
    case CauseKind::JobFailed: return cause->end ? shell_code(*cause->end) : 1;
    case CauseKind::SpawnFailed: return cause->end ? shell_code(*cause->end) : static_cast<int>(ExitCode::NotFound);
    case CauseKind::Signal: return 128 + cause->signal;
    case CauseKind::CanceledByJob:
    case CauseKind::Parent: return cause->end ? shell_code(*cause->end) : 1;
  }
  return 1;
}

Exit exit_for(const RunEnd& end) {
  const Cause* cause = end.ended_by ? end.ended_by : end.first_failure;
  Exit e{.status = exit_code_for(cause, end.preserve_status, end.preserved)};
  if (!cause) return e;
  if (cause->kind == CauseKind::Signal) e.signal = cause->signal;
  if (end.single && cause->kind == CauseKind::JobFailed && cause->end && std::holds_alternative<Signaled>(*cause->end))
    e.signal = std::get<Signaled>(*cause->end).signal;
  return e;
}

std::span<const ExitStatusRow> exit_status_table() {
  static constexpr ExitStatusRow kTable[] = {
      {"0", "every job succeeded (or --stop-on success/first and the winner succeeded)"},
      {"124", "a deadline was exceeded (--timeout, --deadline, --job-timeout, or inherited)"},
      {"125",
       "ctxrun itself failed: bad usage or value, unreadable jobs file, unwritable\n"
       "report, an inherited CTXRUN_* variable that does not parse"},
      {"126",
       "one command: found but not executable; or the system ran short of\n"
       "descriptors, processes or memory while starting a job"},
      {"127", "one command: not found"},
      {"128+N", "ctxrun was stopped by signal N (it dies by that signal after cleanup)"},
      {"other", "the status of the job whose failure ended the run (128+N if killed by signal N)"},
  };
  return kTable;
}

int spawn_error_code(int error_number) {
  return error_number == ENOENT || error_number == ENOTDIR ? static_cast<int>(ExitCode::NotFound)
                                                           : static_cast<int>(ExitCode::CannotInvoke);
}

}  // namespace ctxrun
