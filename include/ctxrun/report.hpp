// report.hpp — the whole run as JSON (--report FILE); the schema is in ctxrun(1), REPORT.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/clock.hpp"
#include "ctxrun/job.hpp"

namespace ctxrun {

struct ReportInput {
  std::string run_id, path;
  const std::vector<std::string>* command_line = nullptr;
  WallTime started_wall{};
  TimePoint started{};  ///< the same instant on the steady clock: attempt times are converted
  Duration elapsed{};
  std::optional<WallTime> deadline;
  std::string deadline_source;
  const Cause* cause = nullptr;
  int exit_status = 0;
  const std::vector<JobRecord>* jobs = nullptr;
};

/// The report document, pretty enough to read (one key per line is not needed: it is one
/// line of JSON followed by a newline).
std::string report_json(const ReportInput& in);

}  // namespace ctxrun
