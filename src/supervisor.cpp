// supervisor.cpp — the loop. It routes: the scheduler decides, LiveAttempt and Leftovers stop
// processes, the sinks format. This file runs the run (signals, the root context, the stages
// of the end); attempts.cpp starts attempts and records their ends.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/descendants.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/exit_code.hpp"
#include "ctxrun/signal_name.hpp"
#include "supervisor_impl.hpp"

namespace ctxrun {
namespace {

constexpr auto kStatusTick = std::chrono::milliseconds(200);
// After SIGKILL, how long processes get to vanish before ctxrun stops waiting for them
// (a process of another user refuses every signal; one in uninterruptible sleep takes time).
constexpr auto kGiveUpAfterKill = std::chrono::seconds(2);
// The least time the last output gets once a run with a deadline is over.
constexpr auto kMinFlush = std::chrono::seconds(1);
const std::vector<int> kStopSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

std::vector<int> handled_signals() {
  std::vector<int> s;
  for (int sig : kStopSignals)
    if (!ignored_at_start(sig)) s.push_back(sig);  // nohup'd, or `&` in a script: leave it so
  s.push_back(SIGCHLD);
  return s;
}

// The plan's policy, bounded by the run's deadline: a retry due after it is not waited for.
Policy policy_until_deadline(const Plan& plan) {
  Policy p = plan.policy;
  if (plan.deadline) p.until = plan.deadline->at;
  return p;
}

}  // namespace

std::size_t watched_groups(const Plan& plan) {
  constexpr std::size_t kOrphanGroups = 4096;  // 16 KiB of table
  const std::size_t jobs = plan.jobs.size();
  return (plan.policy.max_running ? std::min(plan.policy.max_running, jobs) : jobs) + kOrphanGroups;
}

Supervisor::Supervisor(Plan& plan, const Clock& clock, Presenter& presenter)
    : plan_(plan),
      clock_(clock),
      presenter_(presenter),
      start_state_(prepare_process(handled_signals())),
      writer_(io_,
              [this](Stream s) {
                root_->cancel(received(SIGPIPE, s == Stream::Out ? "stdout closed" : "stderr closed"));
              }),
      console_(writer_, ::isatty(STDOUT_FILENO) == 1, ::isatty(STDERR_FILENO) == 1),
      scheduler_(plan.jobs.size(), policy_until_deadline(plan), clock,
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
      root_(Context::root(clock, plan.deadline)),
      lease_(plan.single ? plan.tty : -1),
      devnull_(open_devnull()),
      watchdog_(Watchdog::start(plan.first_signal, plan.grace, watched_groups(plan), plan.instance_id)),
      leftovers_(
          io_, watchdog_, plan.first_signal, plan.grace, [this](const std::string& s) { verbose(s); },
          [this] { sweep(); }) {
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
    sink_->set_paced(true);  // group blocks go out as the writer has room (emit_group)
    buffer_.reset(new char[kReadBuffer]);
  }
}

RunResult Supervisor::run() {
  result_.started = clock_.now();
  result_.started_wall = std::chrono::system_clock::now();
  for (int sig : start_state_.handled) signals_.add(sig);
  wait_signals();
  watch_watchdog();
  root_->after_done([this](const Cause& c) { on_root_done(c); });
  if (plan_.deadline && !root_->expire()) {  // a deadline already past: nothing starts
    deadline_timer_.expires_at(plan_.deadline->at);
    deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) root_->expire();
    });
  }
  if (plan_.status_line) tick_status();
  start_due();
  // A handler that throws (memory, a descriptor the kernel refused) must not end the loop
  // with jobs running: the run is canceled, and the loop goes on to stop everything.
  const auto run_loop = [&] {
    while (stage_ != Stage::Over) {
      try {
        io_.run();
        break;
      } catch (const std::exception& e) {
        verbose(e.what());
        root_->cancel(Cause::spawn_failed("", e.what(), static_cast<int>(ExitCode::Usage)));
      }
    }
  };
  run_loop();

  console_.clear_status();
  result_.ended = clock_.now();
  result_.jobs = std::move(records_);
  if (root_->cause()) result_.ended_by = *root_->cause();
  result_.first_failure = first_failure_;
  result_.output_dropped = writer_.dropped() + group_dropped_;
  result_.leftovers_stopped = leftovers_.stopped();
  result_.leftovers_killed = leftovers_.killed();

  // The words come out through the same writer, still under the loop's care: a signal now
  // ends the wait for a stalled stderr instead of killing ctxrun halfway through the report.
  epilogue_ = true;
  const std::string summary = presenter_.epilogue(result_);
  if (!summary.empty()) console_.message(summary);
  io_.restart();
  io_.poll();  // a signal that came meanwhile
  flush_then(Stage::Over);
  run_loop();
  watchdog_.stop();
  return std::move(result_);
}

void Supervisor::wait_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    on_signal(sig);
    wait_signals();
  });
}

// If the watchdog dies during the run (killed by someone), another takes its place: a run
// never goes on unprotected.
void Supervisor::watch_watchdog() {
  const int fd = ::fcntl(watchdog_.pidfd(), F_DUPFD_CLOEXEC, 3);
  if (fd < 0) return;
  watchdog_death_.emplace(io_, fd);
  watchdog_death_->async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec || stage_ == Stage::Over) return;
    verbose("the watchdog died: starting another");
    watchdog_death_.reset();
    try {
      watchdog_.restart();
    } catch (const std::exception& e) {
      console_.message(message_line(fmt::format("{}: a SIGKILL to ctxrun would now leave its jobs running", e.what())));
      return;
    }
    watch_watchdog();
  });
}

void Supervisor::start_due() {
  if (starting_) {
    start_again_ = true;  // an attempt that could not start ended at once: loop, not recurse
    return;
  }
  starting_ = true;
  do {
    start_again_ = false;
    while (const auto due = scheduler_.next()) start_attempt(*due);
  } while (start_again_);
  starting_ = false;
  if (const auto at = scheduler_.next_wakeup()) {
    retry_timer_.expires_at(*at);
    retry_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) start_due();
    });
  }
  check_finished();
}

void Supervisor::on_root_done(const Cause& cause) {
  canceled_at_ = clock_.now();
  verbose(fmt::format("canceled: {}", describe(cause)));
  for (std::size_t job : scheduler_.run_done()) {
    if (records_[job].attempts.empty()) records_[job].outcome = JobOutcome::NotStarted;
    else records_[job].outcome = JobOutcome::Failed;  // its retry never came
  }
  retry_timer_.cancel();
  deadline_timer_.cancel();
  // Each running attempt's context is a child of the root: it stops itself (after_done).
  if (plan_.status_line) tick_status();
  check_finished();
}

void Supervisor::on_signal(int sig) {
  if (sig == SIGCHLD) {
    on_child();
    return;
  }
  // The run is over and its report written: a signal now changes nothing the report says
  // (ctxrun ends as it says), but nothing is waited for any more either.
  if (epilogue_) {
    drop_output();
    return;
  }
  if (root_->cancel(received(sig))) {
    // Every job has ended and only output is left to write: nothing to give a grace to.
    if (stage_ == Stage::Flushing) drop_output();
    return;
  }
  // A second signal while stopping: skip the rest of the grace period, and of the last flush.
  verbose(fmt::format("received {} again: sending SIGKILL", signal_name(sig)));
  hurry_ = true;
  for (auto& a : attempts_) a->escalate_now();
  leftovers_.escalate_now();
  if (stage_ == Stage::Flushing) drop_output();
}

// Only a job on the terminal needs SIGCHLD: pidfds report exits, not stops.
void Supervisor::on_child() {
  if (!plan_.single || !lease_.present()) return;
  for (auto& a : attempts_) {  // Ctrl-Z, or a read from the terminal in the background
    if (a->phase() <= LiveAttempt::Phase::Stopping && stopped_now(a->pidfd())) lease_.job_stopped(a->pid());
  }
}

// A received signal as a cause, with how long into the run it came (the report's after_s).
Cause Supervisor::received(int sig, std::string detail) const {
  Cause c = Cause::received(sig, std::move(detail));
  c.after = clock_.now() - result_.started;
  return c;
}

bool Supervisor::known(pid_t pid) const {
  if (pid == watchdog_.pid()) return true;
  return std::any_of(attempts_.begin(), attempts_.end(),
                     [pid](const auto& a) { return a->pid() == pid && a->phase() <= LiveAttempt::Phase::Exited; });
}

// The process tree changed (an attempt's leader or an orphan exited, the run is ending):
// children nobody knew are taken on as orphans, and exited leaders whose groups are empty
// are reaped.
void Supervisor::sweep() {
  const auto children = own_children();
  leftovers_.adopt(
      children, [this](pid_t p) { return known(p); }, [this](pid_t g) { return known(g); });
  const auto roots = leftovers_.living();
  for (auto& a : attempts_) a->sweep(roots);
  leftovers_.release(roots);
  check_finished();
}

void Supervisor::check_finished() {
  if (stage_ == Stage::Running) {
    if (!root_->done() && !scheduler_.finished()) return;
    if (std::any_of(attempts_.begin(), attempts_.end(),
                    [](const auto& a) { return a->phase() == LiveAttempt::Phase::Running; }))
      return;  // a job still runs (and the run was not canceled)
    // Nothing starts any more: what jobs left behind goes now (daemons: none outlives ctxrun).
    stage_ = Stage::Ending;
    leftovers_.stop();
    end_timer_.expires_after(plan_.grace + kGiveUpAfterKill);
    end_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) give_up();
    });
    sweep();
    return;
  }
  if (stage_ == Stage::Ending) {
    const bool leaders_gone = std::all_of(attempts_.begin(), attempts_.end(),
                                          [](const auto& a) { return a->phase() >= LiveAttempt::Phase::Reaped; });
    if (!leaders_gone || !leftovers_.empty()) return;
    // A child re-parented to us without a word (its parent was not ours) is taken on first:
    // its exit brings us back here.
    leftovers_.adopt(
        own_children(), [this](pid_t p) { return known(p); }, [this](pid_t g) { return known(g); });
    if (!leftovers_.empty()) return;
    // Nothing of ours is left to write into the pipes: take what they hold, and close them.
    stage_ = Stage::Draining;
    end_timer_.cancel();
    constexpr std::size_t kLastRead = 4 << 20;
    for (auto attempts = attempts_; auto& a : attempts) a->finish_output(kLastRead);
  }
  if (stage_ == Stage::Draining && attempts_.empty()) flush_then(Stage::Over);
}

// Lets the writer take what is queued, then moves to `next`. Once the run is canceled (or
// has a deadline), the reader gets until the grace period after it is over, and at least
// kMinFlush; a second signal gives up at once. A run that is neither waits for its reader, as
// any program writing to a pipe does.
void Supervisor::flush_then(Stage next) {
  stage_ = Stage::Flushing;
  flushed_ = [this, next] {
    stage_ = next;
    end_timer_.cancel();
    status_timer_.cancel();
    if (stage_ == Stage::Over) {
      watchdog_.dismiss();  // its exit overlaps the rest; reaped by stop()
      io_.stop();
    }
  };
  if (hurry_) drop_output();
  emit_group();
  if (stage_ != Stage::Flushing) return;  // written already
  writer_.when_idle([this] { check_flushed(); });
  std::optional<TimePoint> until;
  if (canceled_at_) until = *canceled_at_ + plan_.grace;
  if (root_->deadline()) until = std::min(until.value_or(TimePoint::max()), root_->deadline()->at + plan_.grace);
  if (until) {
    end_timer_.expires_at(std::max(*until, clock_.now() + kMinFlush));
    end_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) drop_output();
    });
  }
}

// Group mode: finished jobs' blocks go to the writer as it has room for them, so a block of
// gigabytes is never queued in memory at once.
void Supervisor::emit_group() {
  if (sink_) {
    while (sink_->has_ready() && writer_.pending() <= Writer::kLowWater)
      sink_->emit_ready(Writer::kHighWater - writer_.pending());
    if (sink_->has_ready()) await_room();
  }
  check_flushed();
}

// The writer calls back once it falls to its low mark: paused readers resume, and group
// blocks go on. One callback serves both.
void Supervisor::await_room() {
  if (room_armed_) return;
  room_armed_ = true;
  writer_.when_drained(Writer::kLowWater, [this] {
    room_armed_ = false;
    if (paused_) {
      paused_ = false;
      for (auto& x : attempts_) x->resume_output();
    }
    emit_group();
  });
}

void Supervisor::check_flushed() {
  if (stage_ == Stage::Flushing && writer_.idle() && !(sink_ && sink_->has_ready()) && flushed_)
    std::exchange(flushed_, nullptr)();
}

// Gives up on the output still waiting for a stalled reader.
void Supervisor::drop_output() {
  // The blocks first: the writer's drop calls back for more room, which would emit them.
  if (sink_) group_dropped_ += sink_->discard_ready();
  writer_.abandon();
  check_flushed();
}

// Some process refuses to go (another user's, or stuck in the kernel) well after SIGKILL:
// stop waiting, and say which.
void Supervisor::give_up() {
  if (stage_ != Stage::Ending) return;
  for (pid_t p : leftovers_.abandon()) result_.abandoned.push_back(p);
  for (auto& a : attempts_) a->abandon_group();
  for (pid_t p : own_children())
    if (p != watchdog_.pid() && !known(p)) result_.abandoned.push_back(p);
  verbose(fmt::format("giving up on {} process(es) that would not stop", result_.abandoned.size()));
  check_finished();
}

void Supervisor::tick_status() {
  Progress c;
  c.total = records_.size();
  for (const auto& r : records_) {
    c.done += r.outcome != JobOutcome::Pending;
    c.failed += r.outcome == JobOutcome::Failed || r.outcome == JobOutcome::TimedOut;
  }
  c.running = scheduler_.running();
  c.canceled = root_->done();
  if (root_->deadline()) c.left = root_->deadline()->at - clock_.now();
  console_.status(presenter_.status(c, terminal_width(STDERR_FILENO)));
  status_timer_.expires_after(kStatusTick);
  status_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && stage_ <= Stage::Draining) tick_status();
  });
}

void Supervisor::verbose(std::string_view text) {
  if (plan_.verbose) console_.message(message_line(text));
}

RunResult supervise(Plan& plan, const Clock& clock, Presenter& presenter) {
  return Supervisor(plan, clock, presenter).run();
}

}  // namespace ctxrun
