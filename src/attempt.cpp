// attempt.cpp — one attempt of a job: spawn it under its context, read its output, see it
// exit, and stop it (and what it leaves behind) when its context is done.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "ctxrun/exit_code.hpp"
#include "ctxrun/launch.hpp"
#include "ctxrun/reaper.hpp"
#include "ctxrun/signal_name.hpp"
#include "supervisor_impl.hpp"

namespace ctxrun {

void Supervisor::launch(const Launch& l) {
  JobRecord& rec = records_[l.job];
  Attempt& a = rec.attempts.emplace_back();
  a.number = l.attempt;
  a.started = clock_.now();
  a.started_wall = std::chrono::system_clock::now();
  verbose(fmt::format("job \"{}\" starting{}: {}", rec.spec.name,
                      l.attempt > 1 ? fmt::format(" (attempt {})", l.attempt) : "", rec.spec.command));

  auto r = std::make_unique<Running>();
  r->job = l.job;
  std::optional<Deadline> own;
  if (plan_.job_timeout > Duration::zero())
    own = Deadline{a.started + plan_.job_timeout, plan_.job_timeout_source, a.started};
  r->ctx = root_->child(own);

  LaunchIo io{.single = plan_.single, .inherit_output = plan_.inherit_output, .devnull = devnull_.get(),
              .tty = lease_.can_lend() ? lease_.fd() : -1, .death_signal = plan_.first_signal};
  auto started = start_job(plan_, rec.spec, *r->ctx, l.attempt, io, start_state_);
  if (auto* f = std::get_if<SpawnFailure>(&started)) {
    spawn_failed(l.job, *f);
    return;
  }
  auto& s = std::get<StartedJob>(started);
  Running& rr = *r;
  rr.pid = s.spawned.pid;
  rr.pidfd.emplace(io_, s.spawned.pidfd.release());
  watchdog_.watch(rr.pid);  // at once: the child's death signal covers it until here
  rr.term = std::make_unique<Termination>(io_, rr.pid, plan_.first_signal, plan_.grace,
                                          [this, job = l.job, pid = rr.pid](int sig) {
                                            verbose(fmt::format("sent {} to job \"{}\" (process group {})",
                                                                signal_name(sig), records_[job].spec.name, pid));
                                          });
  if (io.tty >= 0) lease_.lent_to(rr.pid);
  if (sink_) {
    sink_->open(l.job);
    const std::span<char> buffer(buffer_.get(), kReadBuffer);
    const auto reader = [&](Fd fd, Stream stream) {
      return std::make_unique<PipeReader>(
          io_, std::move(fd), buffer, [this, &rr, stream](std::string_view b) { on_data(rr, stream, b); },
          [this, &rr, stream] {
            sink_->eof(rr.job, stream);
            complete_if_done(rr);
          });
    };
    rr.out = reader(std::move(s.out), Stream::Out);
    rr.err = reader(std::move(s.err), Stream::Err);
    if (paused_) {
      rr.out->pause();
      rr.err->pause();
    }
  }
  if (rr.ctx->owns_deadline()) {
    rr.deadline.emplace(io_, rr.ctx->deadline()->at);
    rr.deadline->async_wait([&rr](const boost::system::error_code& ec) {
      if (!ec) rr.ctx->expire();
    });
  }
  wait_exit(rr);
  rr.ctx->after_done([this, &rr](const Cause& c) { stop(rr, c); });
  running_.push_back(std::move(r));
}

void Supervisor::spawn_failed(std::size_t job, const SpawnFailure& f) {
  Attempt& a = records_[job].attempts.back();
  a.ended = clock_.now();
  a.spawn_error = f.message;
  const int code = spawn_error_code(f.error);
  a.end = Exited{code};
  if (sink_) {  // as a shell would: the complaint on the job's stderr, the job's status 126/127
    sink_->open(job);
    sink_->data(job, Stream::Err, fmt::format("ctxrun: {}\n", f.message));
    sink_->close(job);
  }
  attempt_ended(job, false, false, false, Cause::spawn_failed(records_[job].spec.name, f.message, code));
  pump();
}

void Supervisor::stop(Running& r, const Cause& cause) {
  if (r.leader_done) {  // the job is over; what it left in its group goes too
    if (group_alive(r.pid)) r.term->begin();
    return;
  }
  r.why = root_->done() ? StopWhy::Canceled : StopWhy::Timeout;
  verbose(fmt::format("stopping job \"{}\": {}", records_[r.job].spec.name, describe(cause)));
  r.term->begin();
}

void Supervisor::wait_exit(Running& r) {
  r.pidfd->async_wait(asio::posix::descriptor_base::wait_read, [this, &r](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;
    int status = 0;
    const pid_t w = ::waitpid(r.pid, &status, WNOHANG);
    if (w == 0) {  // a readiness that was not ours (a recycled Asio descriptor state): wait on
      wait_exit(r);
      return;
    }
    if (w < 0) status = 255 << 8;  // cannot happen: nothing else reaps a job leader
    r.pidfd->close();
    on_exit(r, status);
  });
}

void Supervisor::on_exit(Running& r, int status) {
  r.leader_done = true;
  const ProcessEnd end = from_wait_status(status);
  JobRecord& rec = records_[r.job];
  Attempt& a = rec.attempts.back();
  a.ended = clock_.now();
  a.end = end;
  const bool stopped = r.term->begun();
  if (stopped) {
    a.stopped_why = r.why;
    const auto* sig = std::get_if<Signaled>(&end);
    a.stopped_how = r.term->killed() && sig && sig->signal == SIGKILL ? StopHow::Killed : StopHow::Terminated;
  }
  lease_.take_back(stopped || std::holds_alternative<Signaled>(end));
  const bool timed_out = stopped && r.why == StopWhy::Timeout;
  const bool canceled = stopped && r.why == StopWhy::Canceled;
  if (plan_.single && canceled) result_.stopped_status = shell_code(end);
  const auto after = a.duration();
  Cause job_cause = succeeded(end) ? Cause::job_succeeded(rec.spec.name, after)
                                   : Cause::job_failed(rec.spec.name, end, after);
  if (timed_out) {  // the job's own deadline: its context's cause, with the job named
    job_cause = *r.ctx->cause();
    job_cause.job = rec.spec.name;
  }
  verbose(fmt::format("job \"{}\" {} after {}", rec.spec.name, describe(end), format_duration(after)));
  r.ctx->cancel(job_cause);  // the job's context ends with it: leftovers in its group are stopped
  attempt_ended(r.job, succeeded(end) && !timed_out, timed_out, canceled, job_cause);
  reap_orphans([this](pid_t p) { return is_job_leader(p); });
  complete_if_done(r);
  pump();
}

void Supervisor::attempt_ended(std::size_t job, bool success, bool timed_out, bool canceled, const Cause& job_cause) {
  JobRecord& rec = records_[job];
  const Verdict v = scheduler_.ended(job, success, canceled);
  if (v.job_done) {
    const Attempt& a = rec.attempts.back();
    rec.outcome = success     ? JobOutcome::Succeeded
                  : canceled  ? (a.stopped_how == StopHow::Killed ? JobOutcome::Killed : JobOutcome::Terminated)
                  : timed_out ? JobOutcome::TimedOut
                              : JobOutcome::Failed;
  }
  if (v.first_failure) first_failure_ = job_cause;
  if (v.ends_run) root_->cancel(job_cause);
}

void Supervisor::on_data(Running& r, Stream s, std::string_view bytes) {
  Attempt& a = records_[r.job].attempts.back();
  (s == Stream::Out ? a.out_bytes : a.err_bytes) += bytes.size();
  sink_->data(r.job, s, bytes);
  if (!paused_ && writer_.pending() > Writer::kHighWater) {
    // The reader of our output is slower than the jobs: let the jobs wait on their pipes.
    paused_ = true;
    for (auto& x : running_)
      for (auto* p : {x->out.get(), x->err.get()})
        if (p) p->pause();
    writer_.when_drained(Writer::kLowWater, [this] {
      paused_ = false;
      for (auto& x : running_)
        for (auto* p : {x->out.get(), x->err.get()})
          if (p) p->resume();
    });
  }
}

void Supervisor::complete_if_done(Running& r) {
  if (r.complete || !r.leader_done || (r.out && r.out->open()) || (r.err && r.err->open())) return;
  r.complete = true;
  if (sink_) sink_->close(r.job);
  if (r.deadline) r.deadline->cancel();
  if (group_alive(r.pid)) {
    leftovers_.keep(std::move(r.term));  // still stopping what the job left behind
  } else {
    r.term->finish();
    watchdog_.forget(r.pid);
  }
  // Destroyed from the loop, not from inside one of its own handlers.
  asio::post(io_, [this, p = &r] {
    std::erase_if(running_, [p](const auto& x) { return x.get() == p; });
    check_finished();
  });
}

}  // namespace ctxrun
