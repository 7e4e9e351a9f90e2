// exit_code.hpp — the exit status table, in one place (the man page's EXIT STATUS).
#pragma once
#include <optional>
#include <span>
#include <string_view>

#include "ctxrun/cause.hpp"

namespace ctxrun {

enum class ExitCode {
  Ok = 0,
  DeadlineExceeded = 124,
  Usage = 125,
  CannotInvoke = 126,
  NotFound = 127,
};

/// The exit status for how a run ended.
/// - no cause (every job succeeded): 0
/// - deadline-exceeded: 124, or with --preserve-status the status of the job it stopped
/// - job-succeeded: 0
/// - job-failed: the job's status, 128+N for a death by signal N
/// - spawn-failed: 126 (found but not runnable) or 127 (not found)
/// - signal N: 128+N (ctxrun then dies by N itself, see exit_for)
/// `preserved` is, for --preserve-status, the status of the one command a deadline stopped:
/// the run's deadline or the command's own --job-timeout alike. Without it (nothing was
/// running, or several jobs ran) a deadline is 124.
int exit_code_for(const Cause* cause, bool preserve_status, std::optional<int> preserved);

/// How ctxrun ends: with a status, or by a signal after cleanup (as timeout(1) does), so its
/// caller sees what it would have seen without ctxrun. `status` is what the report records.
struct Exit {
  int status = 0;
  int signal = 0;  ///< not 0: ctxrun kills itself with this signal instead of exiting
};

/// How a run ended, as the exit decision needs it.
struct RunEnd {
  const Cause* ended_by = nullptr;       ///< what ended the run (the root context's cause)
  const Cause* first_failure = nullptr;  ///< the first job that failed, timed out, or did not start
  bool single = false;                   ///< one command
  bool preserve_status = false;
  std::optional<int> preserved;  ///< see exit_code_for
};

/// The one exit decision. The cause that counts is what ended the run or, when the run ran its
/// course (--stop-on never), its first failure; its status is exit_code_for's. ctxrun dies by
/// a signal that ended the run, and by the signal that killed its one command when nobody
/// here sent it (Ctrl-C in a script, SIGSEGV).
Exit exit_for(const RunEnd& end);

/// One row of the exit status table as --help prints it; the man page's EXIT STATUS says more.
struct ExitStatusRow {
  std::string_view status;   ///< `124`, `128+N`, `other`
  std::string_view meaning;  ///< lines of at most 70 columns, separated by \n
};
std::span<const ExitStatusRow> exit_status_table();

/// 127 for "not found" errors (ENOENT), else 126.
int spawn_error_code(int error_number);

}  // namespace ctxrun
