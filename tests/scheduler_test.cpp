// scheduler_test.cpp — the pure policy, driven by a fake clock and a fixed "random" source.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/scheduler.hpp"
#include "fake_clock.hpp"

using namespace std::chrono_literals;
using ctxrun::AttemptResult;

namespace {

struct Fixture {
  test::FakeClock clock;
  double random = 0.5;  // jitter factor 1: delays come out exact
  ctxrun::Scheduler make(std::size_t jobs, ctxrun::Policy policy) {
    return ctxrun::Scheduler(jobs, policy, clock, [this] { return random; });
  }
};

ctxrun::Policy with_limit(std::size_t n) {
  ctxrun::Policy p;
  p.max_running = n;
  return p;
}

ctxrun::Policy with_retries(int retries, ctxrun::Duration delay, double backoff = 2.0, double jitter = 0.2) {
  ctxrun::Policy p;
  p.retries = retries;
  p.retry_delay = delay;
  p.retry_backoff = backoff;
  p.jitter = jitter;
  return p;
}

// Every attempt next() gives now, in order.
std::vector<ctxrun::DueAttempt> due(ctxrun::Scheduler& s) {
  std::vector<ctxrun::DueAttempt> out;
  while (const auto d = s.next()) out.push_back(*d);
  return out;
}

// Whether `job` is among the attempts given.
bool started(const std::vector<ctxrun::DueAttempt>& given, std::size_t job) {
  return std::any_of(given.begin(), given.end(), [job](const ctxrun::DueAttempt& d) { return d.job == job; });
}

}  // namespace

TEST_CASE("scheduler: without a limit every job starts at once, in order", "[scheduler]") {
  Fixture f;
  auto s = f.make(4, ctxrun::Policy{});
  const auto all = due(s);
  CHECK(all == std::vector<ctxrun::DueAttempt>{{0, 1}, {1, 1}, {2, 1}, {3, 1}});
  CHECK(s.running() == 4);
  CHECK_FALSE(s.next().has_value());
  for (std::size_t i = 0; i < 4; ++i) CHECK(started(all, i));
}

TEST_CASE("scheduler: -j bounds the running attempts and the queue goes on in order", "[scheduler]") {
  Fixture f;
  auto s = f.make(5, with_limit(2));
  const auto first = due(s);
  CHECK(first == std::vector<ctxrun::DueAttempt>{{0, 1}, {1, 1}});
  CHECK_FALSE(s.next().has_value());
  CHECK_FALSE(started(first, 2));
  s.ended(1, AttemptResult::Succeeded);
  CHECK(due(s) == std::vector<ctxrun::DueAttempt>{{2, 1}});
  s.ended(0, AttemptResult::Succeeded);
  s.ended(2, AttemptResult::Succeeded);
  CHECK(due(s) == std::vector<ctxrun::DueAttempt>{{3, 1}, {4, 1}});
  CHECK(due(s).empty());
}

TEST_CASE("scheduler: never more than -j attempts run, whatever order jobs end in", "[scheduler]") {
  const std::size_t limit = GENERATE(1u, 2u, 3u, 7u);
  const auto seed = GENERATE(1u, 2u, 3u);
  Fixture f;
  ctxrun::Policy p = with_limit(limit);
  p.stop_on = ctxrun::StopOn::Never;
  p.retries = 1;
  const std::size_t jobs = 20;
  auto s = f.make(jobs, p);
  std::mt19937 rng(seed);
  std::vector<std::size_t> running;
  std::vector<int> attempts(jobs, 0);
  for (int step = 0; step < 1000 && !s.finished(); ++step) {
    for (const auto& d : due(s)) {
      running.push_back(d.job);
      attempts[d.job] = d.attempt;
    }
    REQUIRE(running.size() <= limit);
    REQUIRE(s.running() == running.size());
    if (running.empty()) continue;
    const std::size_t k = rng() % running.size();
    const std::size_t job = running[k];
    running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    s.ended(job, rng() % 2 == 0 ? AttemptResult::Succeeded : AttemptResult::Failed);
  }
  CHECK(s.finished());
  for (int a : attempts) CHECK((a == 1 || a == 2));
}

TEST_CASE("scheduler: stop-on decides which ends end the run", "[scheduler]") {
  auto [stop_on, success, ends] = GENERATE(table<ctxrun::StopOn, bool, bool>({
      {ctxrun::StopOn::Failure, false, true},
      {ctxrun::StopOn::Failure, true, false},
      {ctxrun::StopOn::Success, false, false},
      {ctxrun::StopOn::Success, true, true},
      {ctxrun::StopOn::First, false, true},
      {ctxrun::StopOn::First, true, true},
      {ctxrun::StopOn::Never, false, false},
      {ctxrun::StopOn::Never, true, false},
  }));
  CAPTURE(static_cast<int>(stop_on), success);
  Fixture f;
  ctxrun::Policy p;
  p.stop_on = stop_on;
  auto s = f.make(2, p);
  due(s);
  const auto v = s.ended(0, success ? AttemptResult::Succeeded : AttemptResult::Failed);
  CHECK(v.job_done);
  CHECK_FALSE(v.retry);
  CHECK(v.ends_run == ends);
  CHECK(v.first_failure == !success);
}

TEST_CASE("scheduler: only the first failed job is the first failure", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p;
  p.stop_on = ctxrun::StopOn::Never;
  auto s = f.make(3, p);
  due(s);
  CHECK_FALSE(s.ended(1, AttemptResult::Succeeded).first_failure);
  CHECK(s.ended(2, AttemptResult::Failed).first_failure);
  CHECK_FALSE(s.ended(0, AttemptResult::Failed).first_failure);
}

TEST_CASE("scheduler: a failed attempt with retries left is retried after the delay", "[scheduler]") {
  Fixture f;
  auto s = f.make(1, with_retries(2, 1s));
  REQUIRE(s.next() == ctxrun::DueAttempt{0, 1});
  const auto v = s.ended(0, AttemptResult::Failed);
  CHECK(v.retry);
  CHECK_FALSE(v.job_done);
  CHECK_FALSE(v.ends_run);
  CHECK_FALSE(v.first_failure);
  CHECK(v.retry_at == f.clock.now() + 1s);
  CHECK(s.running() == 0);
  CHECK_FALSE(s.finished());
}

TEST_CASE("scheduler: a retry is due only once its time has come", "[scheduler]") {
  Fixture f;
  auto s = f.make(1, with_retries(1, 2s));
  s.next();
  const auto v = s.ended(0, AttemptResult::Failed);
  REQUIRE(s.next_wakeup() == v.retry_at);
  CHECK_FALSE(s.next().has_value());
  f.clock.advance(2s - 1ns);
  CHECK(due(s).empty());
  f.clock.advance(1ns);
  CHECK(due(s) == std::vector<ctxrun::DueAttempt>{{0, 2}});
  CHECK_FALSE(s.next_wakeup().has_value());
}

TEST_CASE("scheduler: jitter scales each delay by a factor from 1-j up to 1+j", "[scheduler]") {
  auto [random, expected_ms] = GENERATE(table<double, double>({
      {0.0, 800.0},
      {0.5, 1000.0},
      {0.999, 1199.6},
  }));
  CAPTURE(random);
  Fixture f;
  f.random = random;
  auto s = f.make(1, with_retries(1, 1s, 2.0, 0.2));
  s.next();
  const auto v = s.ended(0, AttemptResult::Failed);
  REQUIRE(v.retry);
  const double ms = std::chrono::duration<double, std::milli>(v.retry_at - f.clock.now()).count();
  CHECK(ms == Approx(expected_ms).margin(0.001));
  CHECK(ms >= 800.0);
  CHECK(ms < 1200.0);
}

TEST_CASE("scheduler: delays grow by the backoff factor across attempts", "[scheduler]") {
  const double backoff = GENERATE(1.0, 1.5, 2.0, 3.0);
  CAPTURE(backoff);
  Fixture f;
  auto s = f.make(1, with_retries(4, 100ms, backoff, 0.2));
  double expected = 100.0;  // delay × backoff^(n-2) before attempt n
  for (int attempt = 1; attempt <= 4; ++attempt) {
    const auto d = s.next();
    REQUIRE(d == ctxrun::DueAttempt{0, attempt});
    const auto v = s.ended(0, AttemptResult::Failed);
    REQUIRE(v.retry);
    const double ms = std::chrono::duration<double, std::milli>(v.retry_at - f.clock.now()).count();
    CHECK(ms == Approx(expected).epsilon(1e-6));
    f.clock.t = v.retry_at;
    expected *= backoff;
  }
}

TEST_CASE("scheduler: when retries are exhausted the job is done and the failure counts", "[scheduler]") {
  Fixture f;
  auto s = f.make(1, with_retries(2, 0s));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    REQUIRE(s.next() == ctxrun::DueAttempt{0, attempt});
    REQUIRE(s.ended(0, AttemptResult::Failed).retry);
  }
  REQUIRE(s.next() == ctxrun::DueAttempt{0, 3});
  const auto v = s.ended(0, AttemptResult::Failed);
  CHECK_FALSE(v.retry);
  CHECK(v.job_done);
  CHECK(v.ends_run);
  CHECK(v.first_failure);
  CHECK(s.finished());
  CHECK_FALSE(s.next().has_value());
}

TEST_CASE("scheduler: a success with retries left is not retried", "[scheduler]") {
  Fixture f;
  auto s = f.make(1, with_retries(3, 1s));
  s.next();
  const auto v = s.ended(0, AttemptResult::Succeeded);
  CHECK_FALSE(v.retry);
  CHECK(v.job_done);
  CHECK(s.finished());
}

TEST_CASE("scheduler: a stopped attempt is neither retried nor a failure", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p = with_retries(3, 0s);
  p.stop_on = ctxrun::StopOn::First;
  auto s = f.make(2, p);
  due(s);
  const auto v = s.ended(0, AttemptResult::Stopped);
  CHECK_FALSE(v.retry);
  CHECK(v.job_done);
  CHECK_FALSE(v.ends_run);
  CHECK_FALSE(v.first_failure);
  // The next real failure, once its retries are spent, is still the first one.
  ctxrun::Verdict last;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    last = s.ended(1, AttemptResult::Failed);
    if (!last.retry) break;
    REQUIRE(s.next() == ctxrun::DueAttempt{1, attempt + 1});
  }
  CHECK(last.job_done);
  CHECK(last.first_failure);
}

TEST_CASE("scheduler: run_done returns never-started and waiting jobs, and nothing starts after", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p = with_retries(1, 5s);
  p.max_running = 2;
  auto s = f.make(4, p);
  REQUIRE(due(s) == std::vector<ctxrun::DueAttempt>{{0, 1}, {1, 1}});
  REQUIRE(s.ended(0, AttemptResult::Failed).retry);  // job 0 waits to retry; job 1 runs
  const auto never = s.run_done();
  CHECK(never == std::vector<std::size_t>{0, 2, 3});
  CHECK(s.run_done().empty());  // done already: nothing is left to drop
  CHECK_FALSE(s.next_wakeup().has_value());
  f.clock.advance(1h);
  CHECK(due(s).empty());
  CHECK_FALSE(s.finished());  // job 1 is still running
  CHECK(s.running() == 1);
  CHECK(s.ended(1, AttemptResult::Stopped).job_done);
  CHECK(s.finished());
  CHECK(due(s).empty());
}

TEST_CASE("scheduler: run_done twice returns nothing the second time", "[scheduler]") {
  Fixture f;
  auto s = f.make(3, with_limit(1));
  s.next();
  CHECK(s.run_done() == std::vector<std::size_t>{1, 2});
  CHECK(s.run_done().empty());
}

TEST_CASE("scheduler: a failure after run_done is not retried", "[scheduler]") {
  Fixture f;
  auto s = f.make(1, with_retries(5, 0s));
  s.next();
  s.run_done();
  const auto v = s.ended(0, AttemptResult::Failed);
  CHECK_FALSE(v.retry);
  CHECK(v.job_done);
  CHECK(s.finished());
  CHECK(due(s).empty());
}

TEST_CASE("scheduler: finished once every job has ended", "[scheduler]") {
  Fixture f;
  auto s = f.make(2, ctxrun::Policy{});
  CHECK_FALSE(s.finished());
  due(s);
  s.ended(0, AttemptResult::Succeeded);
  CHECK_FALSE(s.finished());
  s.ended(1, AttemptResult::Succeeded);
  CHECK(s.finished());
}

TEST_CASE("scheduler: zero jobs is finished at once", "[scheduler]") {
  Fixture f;
  auto s = f.make(0, ctxrun::Policy{});
  CHECK(s.finished());
  CHECK(due(s).empty());
}

TEST_CASE("scheduler: a due retry goes before queued jobs", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p = with_retries(1, 1s);
  p.max_running = 1;
  auto s = f.make(3, p);
  REQUIRE(s.next() == ctxrun::DueAttempt{0, 1});
  REQUIRE(s.ended(0, AttemptResult::Failed).retry);
  // Not due yet: the queue goes on.
  REQUIRE(s.next() == ctxrun::DueAttempt{1, 1});
  f.clock.advance(1s);
  s.ended(1, AttemptResult::Succeeded);
  CHECK(s.next() == ctxrun::DueAttempt{0, 2});
  CHECK_FALSE(s.next().has_value());  // -j 1 still holds for retries
}

TEST_CASE("scheduler: next_wakeup is the earliest waiting retry", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p = with_retries(1, 1s, 2.0, 0.0);
  auto s = f.make(2, p);
  due(s);
  const auto first = s.ended(0, AttemptResult::Failed).retry_at;
  f.clock.advance(500ms);
  const auto second = s.ended(1, AttemptResult::Failed).retry_at;
  REQUIRE(second > first);
  CHECK(s.next_wakeup() == first);
  f.clock.t = first;
  CHECK(due(s) == std::vector<ctxrun::DueAttempt>{{0, 2}});
  CHECK(s.next_wakeup() == second);
}

TEST_CASE("scheduler: a retry that would come due at or after the deadline is not waited for", "[scheduler]") {
  Fixture f;
  ctxrun::Policy p = with_retries(3, 2s);
  p.jitter = 0;
  p.until = f.clock.now() + 3s;
  auto s = f.make(1, p);
  due(s);
  const auto first = s.ended(0, AttemptResult::Failed);  // due in 2s: before the deadline
  REQUIRE(first.retry);
  f.clock.advance(2s);
  REQUIRE(due(s).size() == 1);
  const auto second = s.ended(0, AttemptResult::Failed);  // due in 4s: after it
  CHECK_FALSE(second.retry);
  CHECK(second.job_done);
  CHECK(second.first_failure);
  CHECK(second.ends_run);
  CHECK(s.finished());
}
