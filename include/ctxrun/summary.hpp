// summary.hpp — the end of a run in words: the cause, then every job that did not succeed.
#pragma once
#include <csignal>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/job.hpp"

namespace ctxrun {

struct SummaryInput {
  const std::vector<JobRecord>* jobs = nullptr;
  const Cause* ended_by = nullptr;       ///< what ended the run; nullptr: it ran its course
  const Cause* first_failure = nullptr;  ///< the first job that failed, if any
  bool single = false;                   ///< one command (`ctxrun -- cmd`)
  int first_signal = SIGTERM;
  Duration grace{};
  Duration elapsed{};
  bool quiet = false;
  bool color = false;
};

/// At most this many job lines; the rest are counted by kind in one more line.
inline constexpr std::size_t kSummaryJobLines = 10;

/// Lines for stderr, each starting with `ctxrun: ` and ending with a newline. After a failure:
/// the cause, then the jobs that did not succeed (failed and timed out, then stopped by
/// ctxrun, then not started; in job order within each), at most kSummaryJobLines of them,
/// then `  … and 480 more: 470 not started, 10 terminated by SIGTERM`.
std::vector<std::string> summary_lines(const SummaryInput& in);

/// What became of one job, without its name: `exited with status 1 after 2.1s`,
/// `terminated by SIGTERM after 2.1s`, `not started`.
std::string describe_outcome(const JobRecord& job, Duration grace);

}  // namespace ctxrun
