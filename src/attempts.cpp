// attempts.cpp — the supervisor's side of each attempt: start it under its context, route its
// output, and record what became of it. The attempt's own life is LiveAttempt's.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/error.hpp"
#include "ctxrun/exit_code.hpp"
#include "ctxrun/job_start.hpp"
#include "ctxrun/signal_name.hpp"
#include "supervisor_impl.hpp"

namespace ctxrun {

void Supervisor::start_attempt(const DueAttempt& due) {
  JobRecord& rec = records_[due.job];
  Attempt& a = rec.attempts.emplace_back();
  a.number = due.attempt;
  a.started = clock_.now();
  verbose(fmt::format("job \"{}\" starting{}: {}", rec.spec.name,
                      due.attempt > 1 ? fmt::format(" (attempt {})", due.attempt) : "", rec.spec.command));

  std::optional<Deadline> own;
  if (plan_.job_timeout > Duration::zero())
    own = Deadline{add_saturating(a.started, plan_.job_timeout), plan_.job_timeout_source, a.started};
  Context::Ptr ctx = root_->child(own);

  JobIo io{.single = plan_.single,
           .inherit_output = plan_.inherit_output,
           .devnull = devnull_.get(),
           .tty = lease_.can_lend() ? lease_.fd() : -1,
           .death_signal = plan_.first_signal};
  auto started = start_job(plan_, rec.spec, *ctx, due.attempt, io, start_state_);
  if (auto* f = std::get_if<SpawnFailure>(&started)) {
    spawn_failed(due.job, *f);
    return;
  }
  auto& s = std::get<StartedJob>(started);
  const pid_t pid = s.spawned.pid;
  watchdog_.watch(pid);  // at once: the child's death signal covers it until here
  if (io.tty >= 0) lease_.lent_to(pid);
  if (sink_) sink_->open(due.job);
  std::shared_ptr<LiveAttempt> attempt;
  try {
    attempt = LiveAttempt::make(io_, *this,
                                {.job = due.job,
                                 .number = due.attempt,
                                 .ctx = ctx,
                                 .spawned = std::move(s.spawned),
                                 .out = std::move(s.out),
                                 .err = std::move(s.err),
                                 .buffer = {buffer_.get(), buffer_ ? kReadBuffer : 0},
                                 .paused = paused_,
                                 .first_signal = plan_.first_signal,
                                 .grace = plan_.grace,
                                 .sent = [this, job = due.job, pid](int sig, const StopTarget&) {
                                   verbose(fmt::format("sent {} to job \"{}\" (process group {})", signal_name(sig),
                                                       records_[job].spec.name, pid));
                                 }});
  } catch (const std::exception& e) {
    // It runs, but the loop cannot watch it (the kernel refused to register a descriptor):
    // it must not run unwatched. Its leader is unreaped, so its group id is still its own.
    signal_group(pid, SIGKILL);
    retry_eintr([pid] { return ::waitpid(pid, nullptr, 0); });
    watchdog_.forget(pid);
    lease_.take_back(true);
    spawn_failed(due.job, SpawnFailure{ENOMEM, e.what()});
    return;
  }
  attempts_.push_back(attempt);
  ctx->after_done([this, weak = std::weak_ptr<LiveAttempt>(attempt)](const Cause& cause) {
    const auto live = weak.lock();
    if (!live || live->phase() != LiveAttempt::Phase::Running) return;  // it ended: its own cause
    verbose(fmt::format("stopping job \"{}\": {}", records_[live->job()].spec.name, describe(cause)));
    live->stop(root_->done() ? StopWhy::Canceled : StopWhy::Timeout);
  });
}

void Supervisor::spawn_failed(std::size_t job, const SpawnFailure& f) {
  Attempt& a = records_[job].attempts.back();
  a.ended = clock_.now();
  a.spawn_error = f.message;
  const int code = spawn_error_code(f.error);
  a.end = Exited{code};
  if (sink_) {  // as a shell would: the complaint on the job's stderr, the job's status 126/127
    sink_->open(job);
    sink_->data(job, Stream::Err, message_line(f.message));
    sink_->close(job);
    emit_group();
  }
  const Cause cause = Cause::spawn_failed(records_[job].spec.name, f.message, code);
  record_end(job, cause);
  // Out of descriptors, processes or memory: the next job would fail the same way, and the
  // ones running need what is left to be stopped cleanly. The run ends here, whatever the
  // policy.
  if (f.resource_shortage()) root_->cancel(cause);
  start_due();
}

void Supervisor::attempt_output(LiveAttempt& a, Stream s, std::string_view bytes) {
  Attempt& rec = records_[a.job()].attempts[static_cast<std::size_t>(a.number() - 1)];
  (s == Stream::Out ? rec.out_bytes : rec.err_bytes) += bytes.size();
  sink_->data(a.job(), s, bytes);
  if (!paused_ && writer_.pending() > Writer::kHighWater) pause_output();
}

// The reader of our output is slower than the jobs: let the jobs wait on their pipes.
void Supervisor::pause_output() {
  paused_ = true;
  for (auto& x : attempts_) x->pause_output();
  await_room();
}

void Supervisor::attempt_exited(LiveAttempt& la, int wait_status) {
  const ProcessEnd end = from_wait_status(wait_status);
  JobRecord& rec = records_[la.job()];
  Attempt& a = rec.attempts[static_cast<std::size_t>(la.number() - 1)];
  a.ended = clock_.now();
  a.end = end;
  a.stopped_how = la.stop_how(end);
  a.killed_early = a.stopped_how == StopHow::Killed && la.killed_early();
  if (a.stopped_how != StopHow::None) a.stopped_why = la.stop_why();
  lease_.take_back(a.stopped_how != StopHow::None || std::holds_alternative<Signaled>(end));
  // --preserve-status: one command's own status, whichever deadline stopped it (the run's
  // or its --job-timeout).
  if (plan_.single && a.stopped_why != StopWhy::None) result_.stopped_status = shell_code(end);
  const auto after = a.duration();
  Cause job_cause = succeeded(end) ? Cause::job_succeeded(rec.spec.name, after)
                                   : Cause::job_failed(rec.spec.name, end, after);
  if (a.stopped_why == StopWhy::Timeout) {  // the job's own deadline: its context's cause, with the job named
    job_cause = *la.context()->cause();
    job_cause.job = rec.spec.name;
  }
  verbose(fmt::format("job \"{}\" {} after {}", rec.spec.name, describe(end), format_duration(after)));
  la.context()->cancel(job_cause);  // the job's context ends with it
  record_end(la.job(), job_cause);
  sweep();  // its children are ours now; its group may be empty already
  start_due();
}

// One place turns an attempt's record into the scheduler's verdict and the job's outcome.
void Supervisor::record_end(std::size_t job, const Cause& job_cause) {
  JobRecord& rec = records_[job];
  const Attempt& a = rec.attempts.back();
  const AttemptResult result = result_of(a);
  const Verdict v = scheduler_.ended(job, result);
  if (v.job_done) rec.outcome = outcome_of(a);
  if (v.first_failure) first_failure_ = job_cause;
  if (v.ends_run) root_->cancel(job_cause);
}

void Supervisor::attempt_reaped(LiveAttempt& a) { watchdog_.forget(a.pid()); }

void Supervisor::attempt_done(LiveAttempt& a) {
  if (sink_) {
    sink_->close(a.job());
    emit_group();
  }
  std::erase_if(attempts_, [&a](const auto& x) { return x.get() == &a; });
  check_finished();
}

}  // namespace ctxrun
