// exit_code.hpp — the exit status table, in one place (the man page's EXIT STATUS).
#pragma once
#include <optional>

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
/// - signal N: 128+N (ctxrun then dies by N itself, see die_by_signal)
/// `preserved` is, for --preserve-status, the status of the one command a deadline stopped:
/// the run's deadline or the command's own --job-timeout alike. Without it (nothing was
/// running, or several jobs ran) a deadline is 124.
int exit_code_for(const Cause* cause, bool preserve_status, std::optional<int> preserved);

/// 127 for "not found" errors (ENOENT), else 126.
int spawn_error_code(int error_number);

}  // namespace ctxrun
