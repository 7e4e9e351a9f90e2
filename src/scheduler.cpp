// scheduler.cpp — decisions only; the loop carries them out.
#include "ctxrun/scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace ctxrun {

Scheduler::Scheduler(std::size_t jobs, Policy policy, const Clock& clock, std::function<double()> random01)
    : policy_(policy), clock_(clock), random01_(std::move(random01)), jobs_(jobs) {}

std::optional<DueAttempt> Scheduler::next() {
  if (run_done_ || (policy_.max_running != 0 && running_ >= policy_.max_running)) return std::nullopt;
  const auto start = [&](std::size_t i) {
    auto& j = jobs_[i];
    j.state = State::Running;
    ++j.attempts;
    ++running_;
    return DueAttempt{i, j.attempts};
  };
  // Retries first: they were queued before anything still waiting in the queue.
  if (waiting_ > 0) {
    const TimePoint now = clock_.now();
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      if (jobs_[i].state == State::Waiting && jobs_[i].retry_at <= now) {
        --waiting_;
        return start(i);
      }
    }
  }
  if (next_queued_ < jobs_.size()) return start(next_queued_++);
  return std::nullopt;
}

std::optional<TimePoint> Scheduler::next_wakeup() const {
  std::optional<TimePoint> t;
  if (run_done_ || waiting_ == 0) return t;
  for (const auto& j : jobs_)
    if (j.state == State::Waiting && (!t || j.retry_at < *t)) t = j.retry_at;
  return t;
}

Duration Scheduler::delay_before(int attempt) {
  // attempt 2 waits retry_delay, attempt 3 retry_delay × backoff, … each scaled by jitter.
  const double base = std::chrono::duration<double>(policy_.retry_delay).count();
  const double factor = std::pow(policy_.retry_backoff, attempt - 2);
  const double jitter = 1.0 + policy_.jitter * (2.0 * random01_() - 1.0);
  const double seconds = std::min(base * factor * jitter, 1e9);  // ~31 years: far past any deadline
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

Verdict Scheduler::ended(std::size_t job, AttemptResult result) {
  const bool success = result == AttemptResult::Succeeded, stopped = result == AttemptResult::Stopped;
  auto& j = jobs_[job];
  --running_;
  Verdict v;
  bool retry = !stopped && !success && !run_done_ && j.attempts <= policy_.retries;
  TimePoint at{};
  if (retry) {
    at = add_saturating(clock_.now(), delay_before(j.attempts + 1));
    retry = !policy_.until || at < *policy_.until;  // one that could never start is not waited for
  }
  if (retry) {
    j.state = State::Waiting;
    j.retry_at = at;
    ++waiting_;
    v.retry = true;
    v.retry_at = j.retry_at;
    return v;
  }
  j.state = State::Done;
  ++done_;
  v.job_done = true;
  if (stopped) return v;
  if (success) {
    v.ends_run = policy_.stop_on == StopOn::Success || policy_.stop_on == StopOn::First;
  } else {
    v.ends_run = policy_.stop_on == StopOn::Failure || policy_.stop_on == StopOn::First;
    v.first_failure = !any_failure_;
    any_failure_ = true;
  }
  return v;
}

std::vector<std::size_t> Scheduler::run_done() {
  std::vector<std::size_t> never;
  if (run_done_) return never;
  run_done_ = true;
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    auto& j = jobs_[i];
    if (j.state == State::Queued || j.state == State::Waiting) {
      j.state = State::Done;
      ++done_;
      never.push_back(i);
    }
  }
  waiting_ = 0;
  next_queued_ = jobs_.size();
  return never;
}

bool Scheduler::finished() const { return running_ == 0 && done_ == jobs_.size(); }

}  // namespace ctxrun
