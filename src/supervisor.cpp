// supervisor.cpp — the loop. It routes: the scheduler decides, Termination signals, the
// sinks format. Each handler is short; the order of calls inside each is the design.
#include "ctxrun/supervisor.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "ctxrun/exit_code.hpp"
#include "ctxrun/foreground.hpp"
#include "ctxrun/launch.hpp"
#include "ctxrun/pipe_reader.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/reaper.hpp"
#include "ctxrun/signal_name.hpp"
#include "ctxrun/status_line.hpp"
#include "ctxrun/termination.hpp"
#include "ctxrun/watchdog.hpp"
#include "ctxrun/writer.hpp"

namespace ctxrun {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kReadBuffer = 256 * 1024;
constexpr std::size_t kHighWater = 4 << 20;  // pause the jobs' pipes above this much queued output
constexpr std::size_t kLowWater = 1 << 20;
constexpr auto kStatusTick = std::chrono::milliseconds(200);
const std::vector<int> kStopSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// One running attempt of a job.
struct Running {
  std::size_t job = 0;
  Context::Ptr ctx;
  pid_t pid = 0;  // == its process group
  std::optional<asio::posix::stream_descriptor> pidfd;
  std::unique_ptr<PipeReader> out, err;
  std::optional<asio::steady_timer> deadline;
  std::unique_ptr<Termination> term;
  bool leader_done = false, complete = false;
  StopWhy why = StopWhy::None;
};

class Supervisor {
 public:
  Supervisor(const Plan& plan, const Clock& clock);
  RunResult run();

 private:
  void pump();
  void launch(const Launch& l);
  void spawn_failed(std::size_t job, const SpawnFailure& f);
  void stop(Running& r, const Cause& cause);
  void wait_exit(Running& r);
  void on_exit(Running& r, int status);
  void on_data(Running& r, Stream s, std::string_view bytes);
  void complete_if_done(Running& r);
  void attempt_ended(std::size_t job, bool success, bool timed_out, bool canceled, const Cause& job_cause);
  void on_root_done(const Cause& cause);
  void on_signal(int sig);
  void on_child();
  void terminate_orphans();
  void check_finished();
  void wait_signals();
  void tick_status();
  void verbose(std::string text);
  bool is_job_leader(pid_t pid) const;

  const Plan& plan_;
  const Clock& clock_;
  StartState start_state_;
  Watchdog watchdog_;
  asio::io_context io_;
  asio::io_context launch_io_;  // never run: see spawn()
  asio::signal_set signals_{io_};
  asio::steady_timer deadline_timer_{io_}, retry_timer_{io_}, status_timer_{io_};
  Writer writer_;
  Console console_;
  std::optional<LineSink> sink_;
  std::mt19937_64 random_{std::random_device{}()};
  Scheduler scheduler_;
  Context::Ptr root_;
  TerminalLease lease_;
  Fd devnull_;
  std::vector<char> buffer_;
  std::vector<JobRecord> records_;
  std::vector<std::unique_ptr<Running>> running_;
  std::vector<std::unique_ptr<Termination>> lingering_;  // groups left behind, orphans
  std::optional<Cause> first_failure_;
  RunResult result_;
  bool pumping_ = false, pump_again_ = false, finished_ = false, paused_ = false;
};

std::vector<int> handled_signals() {
  std::vector<int> s;
  for (int sig : kStopSignals)
    if (!ignored_at_start(sig)) s.push_back(sig);  // nohup'd, or `&` in a script: leave it so
  s.push_back(SIGCHLD);
  return s;
}

Supervisor::Supervisor(const Plan& plan, const Clock& clock)
    : plan_(plan),
      clock_(clock),
      start_state_(prepare_process(handled_signals())),
      watchdog_(Watchdog::start(plan.first_signal, plan.grace)),
      writer_(io_,
              [this](Stream s) {
                root_->cancel(Cause::received(SIGPIPE, s == Stream::Out ? "stdout closed" : "stderr closed"));
              }),
      console_(writer_, ::isatty(STDOUT_FILENO) == 1, ::isatty(STDERR_FILENO) == 1),
      scheduler_(plan.jobs.size(), plan.policy, clock,
                 [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }),
      root_(Context::root(clock, plan.deadline, plan.values)),
      lease_(plan.single ? plan.tty : -1),
      devnull_(open_devnull()) {
  become_subreaper();  // orphans of the jobs come to us, so none can outlive the run
  std::vector<std::string> names;
  for (const auto& j : plan.jobs) {
    records_.push_back(JobRecord{j, {}, JobOutcome::Pending});
    names.push_back(j.name);
  }
  if (!plan.inherit_output) {
    sink_.emplace(console_, plan.sink_mode, names, plan.color);
    buffer_.resize(kReadBuffer);
  }
}

RunResult Supervisor::run() {
  result_.started = clock_.now();
  result_.started_wall = std::chrono::system_clock::now();
  for (int sig : start_state_.handled) signals_.add(sig);
  wait_signals();
  root_->after_done([this](const Cause& c) { on_root_done(c); });
  if (plan_.deadline && !root_->expire()) {  // a deadline already past: nothing starts
    deadline_timer_.expires_at(plan_.deadline->at);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) root_->expire();
    });
  }
  if (plan_.status_line) tick_status();
  pump();
  if (!finished_) io_.run();

  console_.clear_status();
  writer_.flush();
  watchdog_.stop();
  result_.ended = clock_.now();
  result_.jobs = std::move(records_);
  if (root_->cause()) {
    result_.cause = *root_->cause();
  } else {
    result_.cause = first_failure_;
  }
  return std::move(result_);
}

void Supervisor::wait_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    on_signal(sig);
    if (!finished_) wait_signals();
  });
}

void Supervisor::pump() {
  if (pumping_) {
    pump_again_ = true;  // a launch failed synchronously and ended its attempt: loop, not recurse
    return;
  }
  pumping_ = true;
  do {
    pump_again_ = false;
    while (const auto l = scheduler_.next()) launch(*l);
  } while (pump_again_);
  pumping_ = false;
  if (const auto at = scheduler_.next_wakeup()) {
    retry_timer_.expires_at(*at);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }
  check_finished();
}

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
  if (plan_.job_timeout > Duration::zero()) own = Deadline{a.started + plan_.job_timeout, plan_.job_timeout_source, a.started};
  r->ctx = root_->child(own);

  LaunchIo io{.single = plan_.single, .inherit_output = plan_.inherit_output, .devnull = devnull_.get(),
              .tty = lease_.can_lend() ? lease_.fd() : -1, .watchdog = watchdog_.fd()};
  auto started = start_job(launch_io_, plan_, rec.spec, *r->ctx, l.attempt, io, start_state_);
  if (auto* f = std::get_if<SpawnFailure>(&started)) {
    spawn_failed(l.job, *f);
    return;
  }
  auto& s = std::get<StartedJob>(started);
  Running& rr = *r;
  rr.pid = s.spawned.pid;
  rr.pidfd.emplace(io_, s.spawned.pidfd.release());
  rr.term = std::make_unique<Termination>(io_, rr.pid, plan_.first_signal, plan_.grace,
                                          [this, job = l.job, pid = rr.pid](int sig) {
                                            verbose(fmt::format("sent {} to job \"{}\" (process group {})",
                                                                signal_name(sig), records_[job].spec.name, pid));
                                          });
  if (io.tty >= 0) lease_.lent_to(rr.pid);
  if (sink_) {
    sink_->open(l.job);
    rr.out = std::make_unique<PipeReader>(
        io_, std::move(s.out), buffer_, [this, &rr](std::string_view b) { on_data(rr, Stream::Out, b); },
        [this, &rr] { sink_->eof(rr.job, Stream::Out); complete_if_done(rr); });
    rr.err = std::make_unique<PipeReader>(
        io_, std::move(s.err), buffer_, [this, &rr](std::string_view b) { on_data(rr, Stream::Err, b); },
        [this, &rr] { sink_->eof(rr.job, Stream::Err); complete_if_done(rr); });
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
  if (!paused_ && writer_.pending() > kHighWater) {
    // The reader of our output is slower than the jobs: let the jobs wait on their pipes.
    paused_ = true;
    for (auto& x : running_)
      for (auto* p : {x->out.get(), x->err.get()})
        if (p) p->pause();
    writer_.when_drained(kLowWater, [this] {
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
    lingering_.push_back(std::move(r.term));  // still stopping what the job left behind
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

void Supervisor::on_root_done(const Cause& cause) {
  verbose(fmt::format("canceled: {}", describe(cause)));
  for (std::size_t job : scheduler_.run_done()) {
    if (records_[job].attempts.empty()) records_[job].outcome = JobOutcome::NotStarted;
    else records_[job].outcome = JobOutcome::Failed;  // its retry never came
  }
  retry_timer_.cancel();
  deadline_timer_.cancel();
  terminate_orphans();
  if (plan_.status_line) tick_status();
  check_finished();
}

void Supervisor::on_signal(int sig) {
  if (sig == SIGCHLD) {
    on_child();
    return;
  }
  if (root_->cancel(Cause::received(sig))) return;
  // A second signal while stopping: skip the rest of the grace period.
  verbose(fmt::format("received {} again: sending SIGKILL", signal_name(sig)));
  for (auto& r : running_)
    if (r->term) r->term->escalate_now();
  for (auto& t : lingering_) t->escalate_now();
}

void Supervisor::on_child() {
  reap_orphans([this](pid_t p) { return is_job_leader(p); });
  std::erase_if(lingering_, [this](const auto& t) {
    if (group_alive(t->pgid())) return false;
    t->finish();
    watchdog_.forget(t->pgid());
    return true;
  });
  if (plan_.single && lease_.present()) {  // Ctrl-Z, or a read from the terminal in the background
    for (auto& r : running_) {
      siginfo_t info{};
      if (!r->leader_done && ::waitid(P_PID, static_cast<id_t>(r->pid), &info, WSTOPPED | WNOHANG) == 0 &&
          info.si_pid == r->pid && info.si_code == CLD_STOPPED) {
        lease_.job_stopped(r->pid);
      }
    }
  }
  check_finished();
}

void Supervisor::terminate_orphans() {
  const auto known = [this](pid_t p) {
    if (p == watchdog_.pid() || is_job_leader(p)) return true;
    const pid_t g = orphan_group(p);
    return std::any_of(lingering_.begin(), lingering_.end(), [g](const auto& t) { return t->pgid() == g; }) ||
           std::any_of(running_.begin(), running_.end(), [g](const auto& r) { return r->pid == g; });
  };
  for (pid_t orphan : living_orphans(known)) {
    const pid_t g = orphan_group(orphan);
    if (g == 0) {
      ::kill(orphan, plan_.first_signal);  // it joined ctxrun's own group: only the process itself
      continue;
    }
    verbose(fmt::format("stopping process {} (process group {}), left behind by a job", orphan, g));
    watchdog_.watch(g);
    auto& t = lingering_.emplace_back(std::make_unique<Termination>(io_, g, plan_.first_signal, plan_.grace));
    t->begin();
  }
}

void Supervisor::check_finished() {
  if (finished_ || !scheduler_.finished() || !running_.empty()) return;
  terminate_orphans();  // daemons the jobs left: none outlives ctxrun
  if (!lingering_.empty()) return;  // SIGCHLD brings us back when they are gone
  finished_ = true;
  io_.stop();
}

void Supervisor::tick_status() {
  StatusCounts c;
  c.total = records_.size();
  for (const auto& r : records_) {
    c.done += r.outcome != JobOutcome::Pending;
    c.failed += r.outcome == JobOutcome::Failed || r.outcome == JobOutcome::TimedOut;
  }
  c.running = scheduler_.running();
  c.canceled = root_->done();
  if (root_->deadline()) c.left = root_->deadline()->at - clock_.now();
  console_.status(status_text(c, terminal_width(STDERR_FILENO), plan_.color));
  status_timer_.expires_after(kStatusTick);
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !finished_) tick_status();
  });
}

void Supervisor::verbose(std::string text) {
  if (plan_.verbose) console_.message(fmt::format("ctxrun: {}\n", text));
}

bool Supervisor::is_job_leader(pid_t pid) const {
  return std::any_of(running_.begin(), running_.end(), [pid](const auto& r) { return r->pid == pid && !r->leader_done; });
}

}  // namespace

RunResult supervise(const Plan& plan, const Clock& clock) { return Supervisor(plan, clock).run(); }

}  // namespace ctxrun
