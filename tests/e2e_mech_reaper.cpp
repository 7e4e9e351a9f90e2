// e2e_mech_reaper.cpp — orphans with the test process a child subreaper: living_orphans,
// reap_orphans (never a job leader's status), orphan_group, and Leftovers running the
// termination sequence on them.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/leftovers.hpp"
#include "ctxrun/reaper.hpp"
#include "ctxrun/termination.hpp"
#include "ctxrun/watchdog.hpp"
#include "e2e_mech.hpp"

using namespace mech;
namespace asio = boost::asio;
using Catch::Matchers::Contains;

namespace {

// A job whose grandchild escaped with setsid(): by the time `escaped` is printed, the middle
// process has exited and the escapee is our child (we are a subreaper).
struct Escape {
  Job job;
  pid_t escaped = -1;
  explicit Escape(std::vector<std::string> mode) : job(test::child(std::move(mode))) {
    escaped = pid_of(job.out.wait_for("escaped "));
    REQUIRE(escaped > 0);
    REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  }
};

bool is_zombie(pid_t pid) { return state_of(pid) == 'Z'; }

}  // namespace

TEST_CASE("mech reaper: an escaped orphan is listed by living_orphans, the job leader is not", "[mech][reaper]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Escape e({"escape", "3600", "wait"});
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();
  const auto is_job = [job](pid_t p) { return p == job; };
  CHECK(contains(children(), e.escaped));

  const auto orphans = ctxrun::living_orphans(is_job);
  CHECK(contains(orphans, e.escaped));
  CHECK_FALSE(contains(orphans, job));
  // Unknown to the caller, the running job is a living child like any other.
  CHECK(contains(ctxrun::living_orphans([](pid_t) { return false; }), job));
  CHECK(ctxrun::orphan_group(e.escaped) == e.escaped);  // setsid: a group of its own

  ::kill(e.escaped, SIGKILL);
  CHECK(killed_by(reap(e.escaped), SIGKILL));
  e.job.kill();
  CHECK_FALSE(test::alive(job));
}

TEST_CASE("mech reaper: an exited orphan is reaped and no longer listed, a running job is untouched", "[mech][reaper]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Escape e({"escape", "3600", "wait"});
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();
  const auto is_job = [job](pid_t p) { return p == job; };
  ::kill(e.escaped, SIGKILL);
  REQUIRE(test::eventually([&] { return is_zombie(e.escaped); }));

  CHECK_FALSE(contains(ctxrun::living_orphans(is_job), e.escaped));  // a zombie is not living
  CHECK(ctxrun::reap_orphans(is_job) == 1);
  CHECK_FALSE(contains(children(), e.escaped));
  CHECK(state_of(e.escaped) == 0);  // reaped: gone from /proc
  CHECK(test::alive(job));
  CHECK(ctxrun::reap_orphans(is_job) == 0);  // nothing left to reap
  e.job.kill();
}

TEST_CASE("mech reaper: reap_orphans never reaps an exited job leader, whose status stays for its owner",
          "[mech][reaper]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Escape e({"escape", "3600"});  // the job exits 0 after `ready`; the escapee lives on
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();
  const auto is_job = [job](pid_t p) { return p == job; };
  REQUIRE(e.job.ends_within(10s));
  ::kill(e.escaped, SIGKILL);
  REQUIRE(test::eventually([&] { return is_zombie(e.escaped); }));

  // Both are zombies now. The job's is not taken (the peek stops at it, as documented).
  ctxrun::reap_orphans(is_job);
  CHECK(is_zombie(job));
  siginfo_t info{};
  CHECK(::waitid(P_PID, static_cast<id_t>(job), &info, WEXITED | WNOHANG | WNOWAIT) == 0);
  CHECK(info.si_pid == job);
  CHECK(exited_with(e.job.wait(), 0));  // its owner reaps it, status intact
  // With the leader gone, the orphan is reaped on the next call.
  ctxrun::reap_orphans(is_job);
  CHECK(state_of(e.escaped) == 0);
  CHECK_FALSE(contains(children(), e.escaped));
}

TEST_CASE("mech reaper: orphan_group is the orphan's own group, and none for a process in ours", "[mech][reaper]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Job job(test::child({"orphan", "3600"}));  // its child stays in the job's group
  const pid_t orphan = pid_of(job.out.wait_for("orphan "));
  REQUIRE(orphan > 0);
  cleanup.pids.push_back(orphan);
  CHECK(exited_with(job.wait(), 0));
  REQUIRE(test::eventually([&] { return contains(children(), orphan); }));
  CHECK(ctxrun::orphan_group(orphan) == job.pid());  // the group outlives its leader

  const pid_t ours = ::fork();  // a process in the test's own group
  if (ours == 0) {
    for (;;) ::pause();
  }
  REQUIRE(ours > 0);
  cleanup.pids.push_back(ours);
  CHECK(ctxrun::orphan_group(ours) == 0);

  for (pid_t p : {orphan, ours}) {
    ::kill(p, SIGKILL);
    CHECK(killed_by(reap(p), SIGKILL));
  }
}

TEST_CASE("mech leftovers: stop_orphans runs the sequence on an orphan's group, and reap lets it go",
          "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  asio::io_context io;
  auto watchdog = ctxrun::Watchdog::start(SIGTERM, 100ms, 8);  // a child of ours: no orphan
  cleanup.pids.push_back(watchdog.pid());
  std::vector<std::string> said;
  ctxrun::Leftovers leftovers(io, watchdog, SIGTERM, 100ms, [&](std::string s) { said.push_back(std::move(s)); });
  // The escapee ignores TERM (inherited): only SIGKILL after the grace ends it.
  Escape e({"ignore", std::to_string(SIGTERM), "--", "escape", "3600", "wait"});
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();

  leftovers.stop_orphans([job](pid_t g) { return g == job; });
  REQUIRE(said.size() == 1);  // the escapee, not the job nor the watchdog
  CHECK_THAT(said[0], Contains(std::to_string(e.escaped)));
  CHECK_FALSE(leftovers.empty());
  CHECK(run_until(io, [&] { return is_zombie(e.escaped); }));
  leftovers.reap([job](pid_t p) { return p == job; });
  CHECK(leftovers.empty());
  CHECK(state_of(e.escaped) == 0);  // reaped by Leftovers
  CHECK(test::alive(job));
  CHECK(test::alive(watchdog.pid()));
  e.job.kill();
  watchdog.stop();
}

TEST_CASE("mech leftovers: escalate_now kills the orphans without waiting for the grace", "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  asio::io_context io;
  ctxrun::Watchdog no_watchdog;
  ctxrun::Leftovers leftovers(io, no_watchdog, SIGTERM, 1h, [](std::string) {});
  Escape e({"ignore", std::to_string(SIGTERM), "--", "escape", "3600"});
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();
  CHECK(exited_with(e.job.wait(), 0));  // reaped: only the escapee is left

  leftovers.stop_orphans([](pid_t) { return false; });
  CHECK_FALSE(leftovers.empty());
  leftovers.escalate_now();
  CHECK(test::eventually([&] { return is_zombie(e.escaped); }));
  leftovers.reap([](pid_t) { return false; });
  CHECK(leftovers.empty());
  CHECK(state_of(e.escaped) == 0);
  CHECK_FALSE(test::alive(job));
}

TEST_CASE("mech leftovers: a kept group is let go only once its last member is reaped", "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  asio::io_context io;
  ctxrun::Watchdog no_watchdog;
  ctxrun::Leftovers leftovers(io, no_watchdog, SIGTERM, 1h, [](std::string) {});
  // The leader exits at once; its child lives on in the group and comes to us.
  Job job(test::child({"orphan", "3600"}));
  const pid_t member = pid_of(job.out.wait_for("orphan "));
  REQUIRE(member > 0);
  cleanup.pids.push_back(member);
  const pid_t leader = job.pid();
  const auto is_job = [leader](pid_t p) { return p == leader; };
  REQUIRE(job.ends_within(10s));
  REQUIRE(test::eventually([&] { return contains(children(), member); }));

  leftovers.keep(std::make_unique<ctxrun::Termination>(io, leader, SIGTERM, std::chrono::hours(1)));
  leftovers.reap(is_job);
  CHECK_FALSE(leftovers.empty());  // a member is alive

  ::kill(member, SIGKILL);
  REQUIRE(test::eventually([&] { return is_zombie(member); }));
  leftovers.reap(is_job);
  CHECK(is_zombie(leader));  // a job leader: its owner's to reap
  CHECK_FALSE(leftovers.empty());  // the leader's zombie still holds the group
  CHECK(exited_with(job.wait(), 0));
  leftovers.reap(is_job);
  CHECK(state_of(member) == 0);
  CHECK(leftovers.empty());
}
