// cause.cpp — every cause is put into words here and nowhere else.
#include "ctxrun/cause.hpp"

#include <fmt/format.h>

#include "ctxrun/signal_name.hpp"

namespace ctxrun {

std::string_view format_as(CauseKind kind) {
  switch (kind) {
    case CauseKind::DeadlineExceeded: return "deadline-exceeded";
    case CauseKind::JobFailed: return "job-failed";
    case CauseKind::JobSucceeded: return "job-succeeded";
    case CauseKind::Signal: return "signal";
    case CauseKind::CanceledByJob: return "canceled-by-job";
    case CauseKind::Parent: return "parent";
    case CauseKind::SpawnFailed: return "spawn-failed";
  }
  return "unknown";
}

Cause Cause::deadline(std::string which, Duration after, std::string job) {
  Cause c;
  c.kind = CauseKind::DeadlineExceeded;
  c.job = std::move(job);
  c.after = after;
  c.detail = std::move(which);
  return c;
}

Cause Cause::job_failed(std::string job, ProcessEnd end, Duration after) {
  Cause c;
  c.kind = CauseKind::JobFailed;
  c.job = std::move(job);
  c.end = end;
  c.after = after;
  return c;
}

Cause Cause::job_succeeded(std::string job, Duration after) {
  Cause c;
  c.kind = CauseKind::JobSucceeded;
  c.job = std::move(job);
  c.end = Exited{0};
  c.after = after;
  return c;
}

Cause Cause::received(int sig, std::string detail) {
  Cause c;
  c.kind = CauseKind::Signal;
  c.signal = sig;
  c.detail = std::move(detail);
  return c;
}

Cause Cause::spawn_failed(std::string job, std::string error, int code) {
  Cause c;
  c.kind = CauseKind::SpawnFailed;
  c.job = std::move(job);
  c.end = Exited{code};
  c.detail = std::move(error);
  return c;
}

std::string describe(const Cause& c) {
  std::string text;
  switch (c.kind) {
    case CauseKind::DeadlineExceeded:
      if (c.after < Duration::zero()) {  // a deadline given in the past
        text = "deadline exceeded before the start";
      } else {
        text = c.job.empty()
                   ? fmt::format("deadline exceeded after {}", format_duration(c.after))
                   : fmt::format("job \"{}\" exceeded its deadline after {}", c.job, format_duration(c.after));
      }
      if (!c.detail.empty()) text += fmt::format(" ({})", c.detail);
      break;
    case CauseKind::JobFailed:
      text = fmt::format("job \"{}\" {} after {}", c.job, c.end ? describe(*c.end) : "failed",
                         format_duration(c.after));
      break;
    case CauseKind::JobSucceeded:
      text = fmt::format("job \"{}\" succeeded after {}", c.job, format_duration(c.after));
      break;
    case CauseKind::Signal:
      text = c.detail.empty() ? fmt::format("received {}", signal_name(c.signal))
                              : fmt::format("{} ({})", c.detail, signal_name(c.signal));
      break;
    case CauseKind::CanceledByJob:
      text = c.job.empty() ? fmt::format("canceled: {}", c.detail)
                           : fmt::format("canceled by job \"{}\": {}", c.job, c.detail);
      break;
    case CauseKind::Parent: text = c.detail.empty() ? "canceled by the enclosing ctxrun" : c.detail; break;
    case CauseKind::SpawnFailed:
      // No job: ctxrun itself failed while the run went on (see Supervisor::run).
      text = c.job.empty() ? fmt::format("ctxrun failed: {}", c.detail)
                           : fmt::format("job \"{}\" could not start: {}", c.job, c.detail);
      break;
  }
  for (const auto& inner : c.chain) text += ": " + describe(inner);
  return text;
}

}  // namespace ctxrun
