// plan.hpp — a run, resolved from the options and the inherited environment: what the loop runs.
#pragma once
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/context.hpp"
#include "ctxrun/duration.hpp"
#include "ctxrun/env_context.hpp"
#include "ctxrun/job.hpp"
#include "ctxrun/output_port.hpp"
#include "ctxrun/scheduler.hpp"

namespace ctxrun {

/// Everything the loop needs, resolved from the options and the inherited environment.
struct Plan {
  std::vector<JobSpec> jobs;
  Policy policy;                     ///< without `until`: the loop bounds it by `deadline`
  bool single = false;               ///< one command: it keeps stdin, may get the terminal
  std::optional<Deadline> deadline;  ///< the root's, on the steady clock
  Duration job_timeout{0};           ///< 0: none
  std::string job_timeout_source;    ///< `--job-timeout 2s`
  int first_signal = SIGTERM;
  Duration grace{};
  bool inherit_output = false;  ///< jobs write to ctxrun's stdout/stderr directly
  SinkMode sink_mode = SinkMode::Prefix;
  bool color = false;
  bool status_line = false;
  bool verbose = false;
  int tty = -1;  ///< hand this terminal to the single job
  Values values;
  std::string run_id, path;
  std::string instance_id;            ///< this ctxrun's own, random: what the watchdog looks for
  std::string lineage;                ///< CTXRUN_LINEAGE for the jobs: the inherited one, then ours
  std::vector<std::string> base_env;  ///< the environment minus what each job gets set
  std::string search_path;            ///< PATH for finding directly exec'd commands
};

}  // namespace ctxrun
