// summary.hpp — the end of a run in words: the cause, then every job that did not succeed.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/job.hpp"

namespace ctxrun {

struct SummaryInput {
  const std::vector<JobRecord>* jobs = nullptr;
  const Cause* cause = nullptr;   ///< why the run ended; nullptr if every job succeeded
  bool single = false;            ///< one command (`ctxrun -- cmd`)
  bool keep_going = false;        ///< --stop-on never: the cause is the first failure
  int first_signal = 15;
  Duration grace{};
  Duration elapsed{};
  bool quiet = false;
  bool color = false;
};

/// Lines for stderr, each starting with `ctxrun: ` and ending with a newline.
std::vector<std::string> summary_lines(const SummaryInput& in);

/// What became of one job, without its name: `exited with status 1 after 2.1s`,
/// `terminated by SIGTERM after 2.1s`, `not started`.
std::string describe_outcome(const JobRecord& job, Duration grace);

}  // namespace ctxrun
