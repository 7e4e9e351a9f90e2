// summary.cpp — the words after a run. Causes are worded by describe() alone.
#include "ctxrun/summary.hpp"

#include <algorithm>
#include <csignal>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "ctxrun/error.hpp"
#include "ctxrun/signal_name.hpp"
#include "ctxrun/text.hpp"

namespace ctxrun {

std::string describe_outcome(const JobRecord& job, Duration grace) {
  if (job.attempts.empty() || job.outcome == JobOutcome::NotStarted) return "not started";
  if (job.outcome == JobOutcome::Pending) return "running";
  const Attempt& a = job.attempts.back();
  const std::string ran = format_duration(a.duration());
  const std::string attempts = job.attempts.size() > 1 ? fmt::format(" (attempt {})", job.attempts.size()) : "";
  // How ctxrun's termination sequence ended it.
  const auto how = [&] {
    if (a.stopped_how == StopHow::Killed)
      return a.killed_early ? std::string("killed with SIGKILL on a second signal")
                            : fmt::format("killed with SIGKILL after the {} grace", format_duration(grace));
    if (a.end && std::holds_alternative<Signaled>(*a.end))
      return fmt::format("terminated by {}", signal_name(std::get<Signaled>(*a.end).signal));
    return fmt::format("stopped, then {}", a.end ? describe(*a.end) : "ended");
  };
  switch (job.outcome) {
    case JobOutcome::Succeeded: return fmt::format("succeeded after {}{}", ran, attempts);
    case JobOutcome::Failed:
      if (!a.spawn_error.empty()) return fmt::format("could not start: {}{}", a.spawn_error, attempts);
      return fmt::format("{} after {}{}", a.end ? describe(*a.end) : "failed", ran, attempts);
    case JobOutcome::TimedOut: return fmt::format("timed out after {}{}: {}", ran, attempts, how());
    case JobOutcome::Terminated:
    case JobOutcome::Killed:
      if (a.stopped_how == StopHow::Killed) return fmt::format("{} (ran {}){}", how(), ran, attempts);
      return fmt::format("{} after {}{}", how(), ran, attempts);
    case JobOutcome::NotStarted:
    case JobOutcome::Pending: break;
  }
  return "not started";
}

namespace {

// The order jobs are listed in: failures, then jobs ctxrun stopped, then jobs never started.
int rank(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::Failed:
    case JobOutcome::TimedOut: return 0;
    case JobOutcome::Terminated:
    case JobOutcome::Killed: return 1;
    case JobOutcome::NotStarted: return 2;
    case JobOutcome::Succeeded:
    case JobOutcome::Pending: break;
  }
  return 3;
}

// What a job is counted as when it is not listed: `not started`, `terminated by SIGTERM`.
std::string kind_of(const JobRecord& job) {
  if (job.attempts.empty() || job.outcome == JobOutcome::NotStarted) return "not started";
  const Attempt& a = job.attempts.back();
  switch (job.outcome) {
    case JobOutcome::Failed: return a.spawn_error.empty() ? "failed" : "could not start";
    case JobOutcome::TimedOut: return "timed out";
    case JobOutcome::Terminated:
    case JobOutcome::Killed:
      if (a.stopped_how == StopHow::Killed) return "killed with SIGKILL";
      if (a.end && std::holds_alternative<Signaled>(*a.end))
        return "terminated by " + signal_name(std::get<Signaled>(*a.end).signal);
      return "stopped";
    case JobOutcome::Succeeded: return "succeeded";
    case JobOutcome::Pending: return "running";
    case JobOutcome::NotStarted: break;
  }
  return "not started";
}

// `; sent SIGTERM, then SIGKILL after 5s grace` for one command stopped by ctxrun.
std::string single_actions(const JobRecord& job, const SummaryInput& in) {
  if (job.attempts.empty()) return "; nothing was started";
  const Attempt& a = job.attempts.back();
  switch (a.stopped_how) {
    case StopHow::None: return "";
    case StopHow::Terminated: {
      const auto* sig = a.end ? std::get_if<Signaled>(&*a.end) : nullptr;
      if (!a.end || (sig && sig->signal == in.first_signal))
        return fmt::format("; sent {}", signal_name(in.first_signal));
      return fmt::format("; sent {}, then the job {}", signal_name(in.first_signal), describe(*a.end));
    }
    case StopHow::Killed:
      if (in.first_signal == SIGKILL) return "; sent SIGKILL";
      if (a.killed_early)
        return fmt::format("; sent {}, then SIGKILL on a second signal", signal_name(in.first_signal));
      return fmt::format("; sent {}, then SIGKILL after {} grace", signal_name(in.first_signal),
                         format_duration(in.grace));
  }
  return "";
}

}  // namespace

std::vector<std::string> summary_lines(const SummaryInput& in) {
  const auto& jobs = *in.jobs;
  std::vector<std::string> out;
  const auto line = [&](std::string_view text) { out.push_back(message_line(text)); };
  // What the summary heads with: what ended the run, or, when it ran its course, its first failure.
  const Cause* cause = in.ended_by ? in.ended_by : in.first_failure;
  const bool success = !cause || cause->kind == CauseKind::JobSucceeded;
  if (success && in.quiet) return out;

  if (in.single && !jobs.empty()) {
    const auto& job = jobs.front();
    if (!cause) {
      line(fmt::format("job \"{}\" {}", job.spec.name, describe_outcome(job, in.grace)));
    } else {
      line(describe(*cause) + single_actions(job, in));
    }
    return out;
  }

  if (!cause) {
    if (jobs.empty()) line("no jobs to run");
    else if (jobs.size() == 1) line(fmt::format("1 job succeeded in {}", format_duration(in.elapsed)));
    else line(fmt::format("all {} jobs succeeded in {}", jobs.size(), format_duration(in.elapsed)));
    return out;
  }
  if (!in.ended_by) {  // the run ran its course: its first failure, counted among the others
    const auto failed = std::count_if(jobs.begin(), jobs.end(), [](const JobRecord& j) {
      return j.outcome == JobOutcome::Failed || j.outcome == JobOutcome::TimedOut;
    });
    line(fmt::format("{} of {} {} failed; the first: {}", failed, jobs.size(), jobs.size() == 1 ? "job" : "jobs",
                     describe(*cause)));
  } else {
    line(describe(*cause));
  }
  // The jobs that did not succeed, those that matter first: a canceled run of 100 000 jobs
  // must not bury its one failure under 99 999 "not started" lines.
  std::vector<std::size_t> listed;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].outcome != JobOutcome::Succeeded) listed.push_back(i);
  std::stable_sort(listed.begin(), listed.end(),
                   [&](std::size_t a, std::size_t b) { return rank(jobs[a].outcome) < rank(jobs[b].outcome); });
  const std::size_t shown = std::min(listed.size(), kSummaryJobLines);
  std::size_t width = 0;
  for (std::size_t k = 0; k < shown; ++k) width = std::max(width, display_width(jobs[listed[k]].spec.name));
  for (std::size_t k = 0; k < shown; ++k) {
    const auto i = listed[k];
    const auto& j = jobs[i];
    std::string name = j.spec.name + std::string(width - display_width(j.spec.name), ' ');
    if (in.color) name = paint(name, palette_color(i));
    line(fmt::format("  {}  {}", name, describe_outcome(j, in.grace)));
  }
  if (shown < listed.size()) {
    // Kinds in the order first met (which is by rank), then the largest counts first.
    std::vector<std::pair<std::string, std::size_t>> kinds;
    for (std::size_t k = shown; k < listed.size(); ++k) {
      std::string kind = kind_of(jobs[listed[k]]);
      auto it = std::find_if(kinds.begin(), kinds.end(), [&](const auto& p) { return p.first == kind; });
      if (it == kinds.end()) kinds.emplace_back(std::move(kind), 1);
      else ++it->second;
    }
    std::stable_sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string counts;
    for (const auto& [kind, n] : kinds) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, kind);
    line(fmt::format("  \u2026 and {} more: {}", listed.size() - shown, counts));
  }
  return out;
}

}  // namespace ctxrun
