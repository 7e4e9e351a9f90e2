// supervisor.cpp — the loop. It routes: the scheduler decides, Termination signals, the
// sinks format. This file runs the run (signals, the root context, the end); attempt.cpp runs
// each attempt. Each handler is short; the order of calls inside each is the design.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/signal_name.hpp"
#include "ctxrun/status_line.hpp"
#include "supervisor_impl.hpp"

namespace ctxrun {
namespace {

constexpr auto kStatusTick = std::chrono::milliseconds(200);
const std::vector<int> kStopSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

std::vector<int> handled_signals() {
  std::vector<int> s;
  for (int sig : kStopSignals)
    if (!ignored_at_start(sig)) s.push_back(sig);  // nohup'd, or `&` in a script: leave it so
  s.push_back(SIGCHLD);
  return s;
}

}  // namespace

std::size_t watched_groups(const Plan& plan) {
  constexpr std::size_t kOrphanGroups = 256;
  const std::size_t jobs = plan.jobs.size();
  return (plan.policy.max_running ? std::min(plan.policy.max_running, jobs) : jobs) + kOrphanGroups;
}

Supervisor::Supervisor(Plan& plan, const Clock& clock)
    : plan_(plan),
      clock_(clock),
      start_state_(prepare_process(handled_signals())),
      writer_(io_,
              [this](Stream s) {
                root_->cancel(Cause::received(SIGPIPE, s == Stream::Out ? "stdout closed" : "stderr closed"));
              }),
      console_(writer_, ::isatty(STDOUT_FILENO) == 1, ::isatty(STDERR_FILENO) == 1),
      scheduler_(plan.jobs.size(), plan.policy, clock,
                 [this] {
                   if (!seeded_) {
                     unsigned char seed[16];
                     random_bytes(seed);
                     std::seed_seq seq(seed, seed + sizeof seed);
                     random_.seed(seq);
                     seeded_ = true;
                   }
                   return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
                 }),
      root_(Context::root(clock, plan.deadline, plan.values)),
      lease_(plan.single ? plan.tty : -1),
      devnull_(open_devnull()),
      watchdog_(Watchdog::start(plan.first_signal, plan.grace, watched_groups(plan), plan.instance_id)),
      leftovers_(io_, watchdog_, plan.first_signal, plan.grace, [this](std::string s) { verbose(std::move(s)); }) {
  become_subreaper();  // orphans of the jobs come to us, so none can outlive the run
  std::vector<std::string> names;
  records_.reserve(plan.jobs.size());
  for (auto& j : plan.jobs) {
    names.push_back(j.name);
    records_.push_back(JobRecord{std::move(j), {}, JobOutcome::Pending});
  }
  plan.jobs = {};
  if (!plan.inherit_output) {
    sink_.emplace(console_, plan.sink_mode, names, plan.color);
    buffer_.reset(new char[kReadBuffer]);
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

void Supervisor::on_root_done(const Cause& cause) {
  verbose(fmt::format("canceled: {}", describe(cause)));
  for (std::size_t job : scheduler_.run_done()) {
    if (records_[job].attempts.empty()) records_[job].outcome = JobOutcome::NotStarted;
    else records_[job].outcome = JobOutcome::Failed;  // its retry never came
  }
  retry_timer_.cancel();
  deadline_timer_.cancel();
  leftovers_.stop_orphans([this](pid_t g) { return is_job_group(g); });
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
  leftovers_.escalate_now();
}

void Supervisor::on_child() {
  leftovers_.reap([this](pid_t p) { return is_job_leader(p); });
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

void Supervisor::check_finished() {
  if (finished_ || !scheduler_.finished() || !running_.empty()) return;
  leftovers_.stop_orphans([this](pid_t g) { return is_job_group(g); });  // daemons: none outlives ctxrun
  if (!leftovers_.empty()) return;  // SIGCHLD brings us back when they are gone
  finished_ = true;
  watchdog_.dismiss();  // its exit overlaps the flush; reaped after it
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

bool Supervisor::is_job_group(pid_t pgid) const {
  return std::any_of(running_.begin(), running_.end(), [pgid](const auto& r) { return r->pid == pgid; });
}

RunResult supervise(Plan& plan, const Clock& clock) { return Supervisor(plan, clock).run(); }

}  // namespace ctxrun
