// summary_test.cpp — the words after a run: the cause line and one line per job that did not succeed.
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/summary.hpp"
#include "ctxrun/text.hpp"

using namespace std::chrono_literals;
using Lines = std::vector<std::string>;
using Catch::Contains;

namespace {

const ctxrun::TimePoint kT0{std::chrono::hours(1)};

ctxrun::Attempt attempt(ctxrun::Duration ran, std::optional<ctxrun::ProcessEnd> end,
                        ctxrun::StopHow how = ctxrun::StopHow::None, int number = 1) {
  ctxrun::Attempt a;
  a.number = number;
  a.started = kT0;
  a.ended = kT0 + ran;
  a.end = end;
  a.stopped_how = how;
  if (how != ctxrun::StopHow::None) a.stopped_why = ctxrun::StopWhy::Canceled;
  return a;
}

ctxrun::JobRecord job(std::string name, ctxrun::JobOutcome outcome, std::vector<ctxrun::Attempt> attempts = {}) {
  ctxrun::JobRecord r;
  r.spec.name = std::move(name);
  r.outcome = outcome;
  r.attempts = std::move(attempts);
  return r;
}

}  // namespace

TEST_CASE("summary: describe_outcome words every outcome", "[summary]") {
  using O = ctxrun::JobOutcome;
  using H = ctxrun::StopHow;
  auto [record, text] = GENERATE_COPY(table<ctxrun::JobRecord, std::string>({
      {job("a", O::NotStarted), "not started"},
      {job("a", O::Succeeded, {attempt(1500ms, ctxrun::Exited{0})}), "succeeded after 1.5s"},
      {job("a", O::Failed, {attempt(2100ms, ctxrun::Exited{1})}), "exited with status 1 after 2.1s"},
      {job("a", O::Failed, {attempt(1s, ctxrun::Signaled{SIGSEGV, true})}),
       "was killed by SIGSEGV (core dumped) after 1s"},
      {job("a", O::Terminated, {attempt(2100ms, ctxrun::Signaled{SIGTERM}, H::Terminated)}),
       "terminated by SIGTERM after 2.1s"},
      {job("a", O::Terminated, {attempt(2s, ctxrun::Exited{0}, H::Terminated)}),
       "stopped, then exited with status 0 after 2s"},
      {job("a", O::TimedOut, {attempt(2s, ctxrun::Signaled{SIGTERM}, H::Terminated)}),
       "timed out after 2s: terminated by SIGTERM"},
      {job("a", O::TimedOut, {attempt(7s, ctxrun::Signaled{SIGKILL}, H::Killed)}),
       "timed out after 7s: killed with SIGKILL after the 5s grace"},
  }));
  CAPTURE(text);
  CHECK(ctxrun::describe_outcome(record, 5s) == text);
}

TEST_CASE("summary: a killed job names SIGKILL and the grace", "[summary]") {
  const auto r = job("a", ctxrun::JobOutcome::Killed,
                     {attempt(7s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)});
  const auto text = ctxrun::describe_outcome(r, 5s);
  CHECK_THAT(text, Contains("SIGKILL") && Contains("5s grace") && Contains("7s"));
}

// A second Ctrl-C cuts the grace short: the words must not claim the grace ran out.
TEST_CASE("summary: a job killed on a second signal does not claim the grace ran out", "[summary]") {
  auto a = attempt(600ms, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed);
  a.killed_early = true;
  CHECK(ctxrun::describe_outcome(job("a", ctxrun::JobOutcome::Killed, {a}), 5s) ==
        "killed with SIGKILL on a second signal (ran 600ms)");
  a.stopped_why = ctxrun::StopWhy::Timeout;
  CHECK(ctxrun::describe_outcome(job("a", ctxrun::JobOutcome::TimedOut, {a}), 5s) ==
        "timed out after 600ms: killed with SIGKILL on a second signal");
}

TEST_CASE("summary: one command killed on a second signal", "[summary]") {
  auto a = attempt(1200ms, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed);
  a.killed_early = true;
  const std::vector<ctxrun::JobRecord> jobs{job("sleep", ctxrun::JobOutcome::Killed, {a})};
  const auto cause = ctxrun::Cause::received(SIGINT);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.single = true;
  in.first_signal = SIGTERM;
  in.grace = 5s;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: received SIGINT; sent SIGTERM, then SIGKILL on a second signal\n"});
}

TEST_CASE("summary: a job that could not start gives the spawn error", "[summary]") {
  auto a = attempt(0s, std::nullopt);
  a.spawn_error = "nope: No such file or directory";
  const auto r = job("a", ctxrun::JobOutcome::Failed, {a});
  CHECK(ctxrun::describe_outcome(r, 5s) == "could not start: nope: No such file or directory");
}

TEST_CASE("summary: more than one attempt names the last attempt", "[summary]") {
  const auto r = job("a", ctxrun::JobOutcome::Failed,
                     {attempt(1s, ctxrun::Exited{1}, ctxrun::StopHow::None, 1),
                      attempt(3s, ctxrun::Exited{2}, ctxrun::StopHow::None, 2)});
  CHECK(ctxrun::describe_outcome(r, 5s) == "exited with status 2 after 3s (attempt 2)");
}

TEST_CASE("summary: one command that succeeded", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("make", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})})};
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.single = true;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: job \"make\" succeeded after 1s\n"});
}

TEST_CASE("summary: one command past its deadline, SIGTERM then SIGKILL", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("sleep", ctxrun::JobOutcome::Killed, {attempt(10s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)})};
  const auto cause = ctxrun::Cause::deadline("--timeout 5s", 5s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.single = true;
  in.first_signal = SIGTERM;
  in.grace = 5s;
  CHECK(ctxrun::summary_lines(in) ==
        Lines{"ctxrun: deadline exceeded after 5s (--timeout 5s); sent SIGTERM, then SIGKILL after 5s grace\n"});
}

TEST_CASE("summary: one command past its deadline that obeyed the first signal", "[summary]") {
  const auto cause = ctxrun::Cause::deadline("--timeout 5s", 5s);
  ctxrun::SummaryInput in;
  in.ended_by = &cause;
  in.single = true;
  in.first_signal = SIGINT;

  SECTION("killed by it") {
    const std::vector<ctxrun::JobRecord> jobs{
        job("x", ctxrun::JobOutcome::Terminated, {attempt(5s, ctxrun::Signaled{SIGINT}, ctxrun::StopHow::Terminated)})};
    in.jobs = &jobs;
    CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: deadline exceeded after 5s (--timeout 5s); sent SIGINT\n"});
  }
  SECTION("exiting by itself") {
    const std::vector<ctxrun::JobRecord> jobs{
        job("x", ctxrun::JobOutcome::Terminated, {attempt(5s, ctxrun::Exited{3}, ctxrun::StopHow::Terminated)})};
    in.jobs = &jobs;
    CHECK(ctxrun::summary_lines(in) ==
          Lines{"ctxrun: deadline exceeded after 5s (--timeout 5s); sent SIGINT, then the job exited with status 3\n"});
  }
}

TEST_CASE("summary: one command killed at once when the first signal is SIGKILL", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("x", ctxrun::JobOutcome::Killed, {attempt(5s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)})};
  const auto cause = ctxrun::Cause::deadline("--timeout 5s", 5s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.single = true;
  in.first_signal = SIGKILL;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: deadline exceeded after 5s (--timeout 5s); sent SIGKILL\n"});
}

TEST_CASE("summary: one command whose deadline passed before it started", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{job("x", ctxrun::JobOutcome::NotStarted)};
  const auto cause = ctxrun::Cause::deadline("--deadline 10:00", 0s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.single = true;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Contains("nothing was started"));
}

TEST_CASE("summary: one command that failed by itself adds nothing to the cause", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{job("x", ctxrun::JobOutcome::Failed, {attempt(2s, ctxrun::Exited{2})})};
  const auto cause = ctxrun::Cause::job_failed("x", ctxrun::Exited{2}, 2s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.single = true;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: job \"x\" exited with status 2 after 2s\n"});
}

TEST_CASE("summary: several jobs: the cause, then each job that did not succeed, names padded", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("lint", ctxrun::JobOutcome::Failed, {attempt(2100ms, ctxrun::Exited{1})}),
      job("ok", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("test", ctxrun::JobOutcome::Terminated,
          {attempt(2200ms, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
      job("verylongname", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("db", ctxrun::JobOutcome::NotStarted),
  };
  const auto cause = ctxrun::Cause::job_failed("lint", ctxrun::Exited{1}, 2100ms);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  CHECK(ctxrun::summary_lines(in) == Lines{
                                         "ctxrun: job \"lint\" exited with status 1 after 2.1s\n",
                                         "ctxrun:   lint  exited with status 1 after 2.1s\n",
                                         "ctxrun:   test  terminated by SIGTERM after 2.2s\n",
                                         "ctxrun:   db    not started\n",
                                     });
}

TEST_CASE("summary: failures come first, then jobs ctxrun stopped, then jobs never started", "[summary]") {
  using O = ctxrun::JobOutcome;
  const std::vector<ctxrun::JobRecord> jobs{
      job("n1", O::NotStarted),
      job("t1", O::Terminated, {attempt(1s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
      job("f1", O::Failed, {attempt(1s, ctxrun::Exited{2})}),
      job("ok", O::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("k1", O::Killed, {attempt(6s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)}),
      job("o1", O::TimedOut, {attempt(3s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
      job("n2", O::NotStarted),
  };
  const auto cause = ctxrun::Cause::job_failed("f1", ctxrun::Exited{2}, 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.grace = 5s;
  CHECK(ctxrun::summary_lines(in) == Lines{
                                         "ctxrun: job \"f1\" exited with status 2 after 1s\n",
                                         "ctxrun:   f1  exited with status 2 after 1s\n",
                                         "ctxrun:   o1  timed out after 3s: terminated by SIGTERM\n",
                                         "ctxrun:   t1  terminated by SIGTERM after 1s\n",
                                         "ctxrun:   k1  killed with SIGKILL after the 5s grace (ran 6s)\n",
                                         "ctxrun:   n1  not started\n",
                                         "ctxrun:   n2  not started\n",
                                     });
}

namespace {

// 500 jobs run 20 at a time, job 10 failing: 19 terminated, 480 never started.
std::vector<ctxrun::JobRecord> five_hundred() {
  std::vector<ctxrun::JobRecord> jobs;
  for (int i = 1; i <= 500; ++i) {
    const auto name = std::to_string(i);
    if (i == 10) jobs.push_back(job(name, ctxrun::JobOutcome::Failed, {attempt(200ms, ctxrun::Exited{9})}));
    else if (i <= 20)
      jobs.push_back(job(name, ctxrun::JobOutcome::Terminated,
                         {attempt(250ms, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}));
    else jobs.push_back(job(name, ctxrun::JobOutcome::NotStarted));
  }
  return jobs;
}

}  // namespace

TEST_CASE("summary: at most 10 job lines, the rest counted by kind in one line", "[summary][long]") {
  const auto jobs = five_hundred();
  const auto cause = ctxrun::Cause::job_failed("10", ctxrun::Exited{9}, 200ms);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  const auto lines = ctxrun::summary_lines(in);
  CHECK(lines == Lines{
                     "ctxrun: job \"10\" exited with status 9 after 200ms\n",
                     "ctxrun:   10  exited with status 9 after 200ms\n",
                     "ctxrun:   1   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   2   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   3   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   4   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   5   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   6   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   7   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   8   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   9   terminated by SIGTERM after 250ms\n",
                     "ctxrun:   \u2026 and 490 more: 480 not started, 10 terminated by SIGTERM\n",
                 });
}

TEST_CASE("summary: the count line names every kind it counts", "[summary][long]") {
  using O = ctxrun::JobOutcome;
  std::vector<ctxrun::JobRecord> jobs;
  for (int i = 1; i <= 10; ++i)
    jobs.push_back(job("f" + std::to_string(i), O::Failed, {attempt(1s, ctxrun::Exited{1})}));
  auto spawn = attempt(0s, std::nullopt);
  spawn.spawn_error = "x: No such file or directory";
  jobs.push_back(job("s", O::Failed, {spawn}));
  jobs.push_back(job("o", O::TimedOut, {attempt(1s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}));
  jobs.push_back(job("k1", O::Killed, {attempt(6s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)}));
  jobs.push_back(job("k2", O::Killed, {attempt(6s, ctxrun::Signaled{SIGKILL}, ctxrun::StopHow::Killed)}));
  jobs.push_back(job("e", O::Terminated, {attempt(1s, ctxrun::Exited{0}, ctxrun::StopHow::Terminated)}));
  jobs.push_back(job("i", O::Terminated, {attempt(1s, ctxrun::Signaled{SIGINT}, ctxrun::StopHow::Terminated)}));
  jobs.push_back(job("n", O::NotStarted));
  const auto cause = ctxrun::Cause::received(SIGINT);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 12);
  CHECK(lines.back() ==
        "ctxrun:   \u2026 and 7 more: 2 killed with SIGKILL, 1 could not start, 1 timed out, "
        "1 stopped, 1 terminated by SIGINT, 1 not started\n");
}

TEST_CASE("summary: 10 jobs that did not succeed are all listed, with no count line", "[summary][long]") {
  std::vector<ctxrun::JobRecord> jobs;
  for (int i = 1; i <= 10; ++i) jobs.push_back(job(std::to_string(i), ctxrun::JobOutcome::NotStarted));
  const auto cause = ctxrun::Cause::received(SIGTERM);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 11);
  CHECK(lines.back() == "ctxrun:   10  not started\n");
}

TEST_CASE("summary: a listed job keeps the color of its index", "[summary][long]") {
  const auto jobs = five_hundred();
  const auto cause = ctxrun::Cause::job_failed("10", ctxrun::Exited{9}, 200ms);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.color = true;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 12);
  CHECK_THAT(lines[1], Catch::StartsWith("ctxrun:   " + ctxrun::paint("10", ctxrun::palette_color(9))));
}

TEST_CASE("summary: several jobs that all succeeded", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("b", ctxrun::JobOutcome::Succeeded, {attempt(2s, ctxrun::Exited{0})}),
  };
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.elapsed = 2500ms;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: all 2 jobs succeeded in 2.5s\n"});
}

TEST_CASE("summary: one -c job that succeeded is one job, not all 1 jobs", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{job("1", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})})};
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.elapsed = 1200ms;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: 1 job succeeded in 1.2s\n"});
}

TEST_CASE("summary: keep-going with one job counts it in the singular", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{job("a", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Exited{1})})};
  const auto cause = ctxrun::Cause::job_failed("a", ctxrun::Exited{1}, 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.first_failure = &cause;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] == "ctxrun: 1 of 1 job failed; the first: job \"a\" exited with status 1 after 1s\n");
}

TEST_CASE("summary: keep-going heads with the count and the first failure", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Exited{1})}),
      job("b", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("c", ctxrun::JobOutcome::TimedOut, {attempt(3s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
  };
  const auto cause = ctxrun::Cause::job_failed("a", ctxrun::Exited{1}, 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.first_failure = &cause;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "ctxrun: 2 of 3 jobs failed; the first: job \"a\" exited with status 1 after 1s\n");
  CHECK(lines[1] == "ctxrun:   a  exited with status 1 after 1s\n");
  CHECK(lines[2] == "ctxrun:   c  timed out after 3s: terminated by SIGTERM\n");
}

TEST_CASE("summary: keep-going heads with the count when the first failure is a job's timeout", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::TimedOut, {attempt(1s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
      job("b", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
  };
  const auto cause = ctxrun::Cause::deadline("--job-timeout 1s", 1s, "a");
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.first_failure = &cause;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines[0], Catch::StartsWith("ctxrun: 1 of 2 jobs failed; the first: "));
}

TEST_CASE("summary: keep-going stopped by a signal heads with the signal, not as a first failure", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Signaled{SIGKILL})}),
      job("b", ctxrun::JobOutcome::Terminated, {attempt(2s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
  };
  const auto cause = ctxrun::Cause::received(SIGTERM);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  const auto first = ctxrun::Cause::job_failed("a", ctxrun::Signaled{SIGKILL}, 1s);
  in.first_failure = &first;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "ctxrun: received SIGTERM\n");
}

TEST_CASE("summary: quiet prints nothing on success", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("b", ctxrun::JobOutcome::Terminated, {attempt(1s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
  };
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.quiet = true;
  const bool single = GENERATE(false, true);
  in.single = single;
  CHECK(ctxrun::summary_lines(in).empty());
  // A winner under --stop-on success is a success too.
  const auto won = ctxrun::Cause::job_succeeded("a", 1s);
  in.ended_by = &won;
  CHECK(ctxrun::summary_lines(in).empty());
}

TEST_CASE("summary: quiet still prints a failure", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{job("a", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Exited{1})})};
  const auto cause = ctxrun::Cause::job_failed("a", ctxrun::Exited{1}, 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.quiet = true;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] == "ctxrun: job \"a\" exited with status 1 after 1s\n");
}

TEST_CASE("summary: a winner under --stop-on success is the cause line when not quiet", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("fast", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("slow", ctxrun::JobOutcome::Terminated,
          {attempt(1s, ctxrun::Signaled{SIGTERM}, ctxrun::StopHow::Terminated)}),
  };
  const auto cause = ctxrun::Cause::job_succeeded("fast", 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  CHECK(ctxrun::summary_lines(in) ==
        Lines{"ctxrun: job \"fast\" succeeded after 1s\n", "ctxrun:   slow  terminated by SIGTERM after 1s\n"});
}

TEST_CASE("summary: color paints each job name with its palette color", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("ok", ctxrun::JobOutcome::Succeeded, {attempt(1s, ctxrun::Exited{0})}),
      job("bad", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Exited{1})}),
  };
  const auto cause = ctxrun::Cause::job_failed("bad", ctxrun::Exited{1}, 1s);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  in.color = true;
  const auto lines = ctxrun::summary_lines(in);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] ==
        "ctxrun:   " + ctxrun::paint("bad", ctxrun::palette_color(1)) + "  exited with status 1 after 1s\n");
}

TEST_CASE("summary: every line starts with ctxrun: and ends with a newline", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs{
      job("a", ctxrun::JobOutcome::Failed, {attempt(1s, ctxrun::Exited{1})}),
      job("b", ctxrun::JobOutcome::NotStarted),
  };
  const auto cause = ctxrun::Cause::received(SIGINT);
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  in.ended_by = &cause;
  for (const auto& l : ctxrun::summary_lines(in)) {
    CHECK(l.rfind("ctxrun: ", 0) == 0);
    CHECK(l.back() == '\n');
    CHECK(std::count(l.begin(), l.end(), '\n') == 1);
  }
}

TEST_CASE("summary: a run without jobs says there were none", "[summary]") {
  const std::vector<ctxrun::JobRecord> jobs;
  ctxrun::SummaryInput in;
  in.jobs = &jobs;
  CHECK(ctxrun::summary_lines(in) == Lines{"ctxrun: no jobs to run\n"});
}
