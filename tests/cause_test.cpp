// cause_test.cpp — every cause kind put into words, and the report's spelling of the kinds.
#include <csignal>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/cause.hpp"

using namespace std::chrono_literals;

TEST_CASE("cause: format_as spells every kind as in the report", "[cause]") {
  auto [kind, name] = GENERATE(table<ctxrun::CauseKind, std::string>({
      {ctxrun::CauseKind::DeadlineExceeded, "deadline-exceeded"},
      {ctxrun::CauseKind::JobFailed, "job-failed"},
      {ctxrun::CauseKind::JobSucceeded, "job-succeeded"},
      {ctxrun::CauseKind::Signal, "signal"},
      {ctxrun::CauseKind::CanceledByJob, "canceled-by-job"},
      {ctxrun::CauseKind::Parent, "parent"},
      {ctxrun::CauseKind::SpawnFailed, "spawn-failed"},
  }));
  CHECK(ctxrun::format_as(kind) == name);
}

TEST_CASE("cause: a run's deadline names its source", "[cause]") {
  const auto c = ctxrun::Cause::deadline("--timeout 5s", 5s);
  CHECK(c.kind == ctxrun::CauseKind::DeadlineExceeded);
  CHECK(ctxrun::describe(c) == "deadline exceeded after 5s (--timeout 5s)");
}

TEST_CASE("cause: a deadline without a source has no parenthesis", "[cause]") {
  CHECK(ctxrun::describe(ctxrun::Cause::deadline("", 1500ms)) == "deadline exceeded after 1.5s");
}

TEST_CASE("cause: a job's own deadline names the job", "[cause]") {
  const auto c = ctxrun::Cause::deadline("--job-timeout 2s", 2s, "lint");
  CHECK(c.job == "lint");
  CHECK(ctxrun::describe(c) == "job \"lint\" exceeded its deadline after 2s (--job-timeout 2s)");
}

TEST_CASE("cause: a failed job with an exit status", "[cause]") {
  const auto c = ctxrun::Cause::job_failed("lint", ctxrun::Exited{1}, 2100ms);
  CHECK(c.kind == ctxrun::CauseKind::JobFailed);
  CHECK(ctxrun::describe(c) == "job \"lint\" exited with status 1 after 2.1s");
}

TEST_CASE("cause: a failed job killed by a signal", "[cause]") {
  const auto c = ctxrun::Cause::job_failed("build", ctxrun::Signaled{SIGSEGV, true}, 90s);
  CHECK(ctxrun::describe(c) == "job \"build\" was killed by SIGSEGV (core dumped) after 1m30s");
}

TEST_CASE("cause: a job that succeeded", "[cause]") {
  const auto c = ctxrun::Cause::job_succeeded("fast", 250ms);
  CHECK(c.kind == ctxrun::CauseKind::JobSucceeded);
  CHECK(c.end == ctxrun::ProcessEnd{ctxrun::Exited{0}});
  CHECK(ctxrun::describe(c) == "job \"fast\" succeeded after 250ms");
}

TEST_CASE("cause: a received signal", "[cause]") {
  const auto c = ctxrun::Cause::received(SIGINT);
  CHECK(c.kind == ctxrun::CauseKind::Signal);
  CHECK(c.signal == SIGINT);
  CHECK(c.job.empty());
  CHECK(ctxrun::describe(c) == "received SIGINT");
}

TEST_CASE("cause: a signal with a detail puts the detail first", "[cause]") {
  CHECK(ctxrun::describe(ctxrun::Cause::received(SIGPIPE, "stdout closed")) == "stdout closed (SIGPIPE)");
}

TEST_CASE("cause: a job that could not start", "[cause]") {
  const auto c = ctxrun::Cause::spawn_failed("x", "nope: No such file or directory", 127);
  CHECK(c.kind == ctxrun::CauseKind::SpawnFailed);
  CHECK(c.end == ctxrun::ProcessEnd{ctxrun::Exited{127}});
  CHECK(ctxrun::describe(c) == "job \"x\" could not start: nope: No such file or directory");
}

TEST_CASE("cause: ctxrun itself failing during a run names no job", "[cause]") {
  const auto c = ctxrun::Cause::spawn_failed("", "epoll_ctl: Cannot allocate memory", 125);
  CHECK(ctxrun::describe(c) == "ctxrun failed: epoll_ctl: Cannot allocate memory");
}

TEST_CASE("cause: canceled by a job, with and without its name", "[cause]") {
  ctxrun::Cause c;
  c.kind = ctxrun::CauseKind::CanceledByJob;
  c.detail = "found it";
  CHECK(ctxrun::describe(c) == "canceled: found it");
  c.job = "search";
  CHECK(ctxrun::describe(c) == "canceled by job \"search\": found it");
}

TEST_CASE("cause: the enclosing ctxrun's cause", "[cause]") {
  ctxrun::Cause c;
  c.kind = ctxrun::CauseKind::Parent;
  CHECK(ctxrun::describe(c) == "canceled by the enclosing ctxrun");
  c.detail = "received SIGTERM";
  CHECK(ctxrun::describe(c) == "received SIGTERM");
}

TEST_CASE("cause: a chain is appended outermost first, each after a colon", "[cause]") {
  auto outer = ctxrun::Cause::job_failed("checks", ctxrun::Exited{1}, 3s);
  auto inner = ctxrun::Cause::job_failed("lint", ctxrun::Exited{1}, 2100ms);
  outer.chain.push_back(inner);
  CHECK(ctxrun::describe(outer) ==
        "job \"checks\" exited with status 1 after 3s: job \"lint\" exited with status 1 after 2.1s");
}

TEST_CASE("cause: causes compare by every field", "[cause]") {
  CHECK(ctxrun::Cause::received(SIGINT) == ctxrun::Cause::received(SIGINT));
  CHECK_FALSE(ctxrun::Cause::received(SIGINT) == ctxrun::Cause::received(SIGTERM));
  CHECK_FALSE(ctxrun::Cause::job_failed("a", ctxrun::Exited{1}, 1s) ==
              ctxrun::Cause::job_failed("a", ctxrun::Exited{2}, 1s));
}
