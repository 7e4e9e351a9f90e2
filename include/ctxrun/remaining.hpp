// remaining.hpp — `ctxrun remaining`: the time left in the inherited context, for a script
// (`curl --max-time "$(ctxrun remaining)" URL` inside a job).
#pragma once
#include <optional>
#include <string>

#include "ctxrun/duration.hpp"
#include "ctxrun/env_context.hpp"

namespace ctxrun {

/// How the time is written: `--unit s`, `ms` or `go`.
enum class TimeUnit { Seconds, Milliseconds, Go };

/// The time left cut down to whole milliseconds (never more than is left): seconds as a
/// decimal number (`4.25`, `5`, `0.001`: what curl --max-time and timeout(1) take), whole
/// milliseconds (`4250`), or a Go duration (`4.25s`, `1m30s`, `250ms`: what -t takes).
/// Nothing left is `0`, or `0s` for go.
std::string format_remaining(Duration left, TimeUnit unit);

/// What `ctxrun remaining` writes, and its exit status.
struct RemainingAnswer {
  int status = 0;
  std::string out;  ///< standard output: the time and a newline, or nothing
  std::string err;  ///< standard error: one line, or nothing
};

/// No inherited deadline: nothing on standard output, status 1. Less than a millisecond left:
/// `0` and status 124, since 0 means "no limit" to curl, timeout(1) and -t and a script must
/// be able to tell. Otherwise the time, status 0.
RemainingAnswer remaining_answer(const std::optional<InheritedDeadline>& deadline, TimeUnit unit);

/// The options of `ctxrun remaining` (argv[0] is "remaining"): throws UsageError naming the
/// flag and the value, or HelpRequested.
TimeUnit read_remaining_options(int argc, const char* const* argv);

/// `ctxrun remaining [--unit s|ms|go]`: reads the options, the environment and the clock,
/// prints the answer, and returns its status.
int remaining_main(int argc, const char* const* argv);

}  // namespace ctxrun
