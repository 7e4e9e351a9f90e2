// e2e_mech_termination.cpp — ctxrun::Termination on real processes, on a loop the test runs
// itself: the first signal with SIGCONT to a process (by its pidfd) and its group, SIGKILL
// after the grace, escalate_now, late targets, and an owner that lets go mid-sequence.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/termination.hpp"
#include "e2e_mech.hpp"

using namespace mech;
namespace asio = boost::asio;
using ctxrun::Termination;

namespace {

constexpr auto kGrace = 100ms;

// A group whose every member ignores SIGTERM: the leader and two children, all ready.
struct StubbornGroup {
  Subreaper subreaper;  // the children come to us when the leader dies: we reap them
  KillOnExit cleanup;
  Job job{test::child({"ignore", std::to_string(SIGTERM), "--", "spawn", "2", "3600"})};
  std::vector<pid_t> members;

  StubbornGroup() {
    cleanup.groups.push_back(job.pid());
    for (int i = 0; i < 2; ++i) members.push_back(pid_of(job.out.wait_for("child")));
    REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
    for (pid_t p : members) cleanup.pids.push_back(p);
  }
  ctxrun::StopTarget target() const { return {job.pidfd(), job.pid()}; }
  bool all_gone() {
    bool ok = killed_by(job.wait(), SIGKILL);
    for (pid_t p : members) ok = gone(p) && ok;
    return ok;
  }
};

// The signals the sequence said it sent, but SIGCONT: whether it is reported is left open.
struct Told {
  std::vector<int> sigs;
  Termination::Sent sent() {
    return [this](int sig, const ctxrun::StopTarget&) {
      if (sig != SIGCONT) sigs.push_back(sig);
    };
  }
};

// Runs the loop until `d` has passed.
void run_for(asio::io_context& io, std::chrono::milliseconds d) {
  asio::steady_timer past(io, d);
  bool passed = false;
  past.async_wait([&](const boost::system::error_code&) { passed = true; });
  REQUIRE(run_until(io, [&] { return passed; }));
}

}  // namespace

TEST_CASE("mech termination: begin sends the first signal and SIGCONT, so a stopped process acts on it",
          "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"print-signals"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  ::kill(-job.pid(), SIGSTOP);
  REQUIRE(test::eventually([&] { return state_of(job.pid()) == 'T'; }));
  Told told;
  auto t = Termination::make(io, SIGTERM, 1h, told.sent());
  t->add({job.pidfd(), job.pid()});
  t->begin();
  CHECK(t->begun());
  CHECK_FALSE(t->killed());
  CHECK(told.sigs == std::vector<int>{SIGTERM});
  // print-signals handles TERM (it prints it and returns 0): only a woken process can.
  CHECK(job.out.wait_for("signal TERM") == "signal TERM");
  CHECK(exited_with(job.wait(), 0));
}

TEST_CASE("mech termination: a group that ignores the first signal gets SIGKILL when the grace runs out",
          "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  Told told;
  auto t = Termination::make(io, SIGTERM, kGrace, told.sent());
  t->add(g.target());
  const auto start = std::chrono::steady_clock::now();
  t->begin();
  CHECK(run_until(io, [&] { return t->killed(); }));
  CHECK(std::chrono::steady_clock::now() - start >= kGrace);
  CHECK_FALSE(t->killed_early());
  CHECK(told.sigs == std::vector<int>{SIGTERM, SIGKILL});
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: escalate_now kills at once without waiting for the grace", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  auto t = Termination::make(io, SIGTERM, 1h);
  t->add(g.target());
  t->begin();
  t->escalate_now();
  CHECK(t->killed());
  CHECK(t->killed_early());
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: a process that left its group is still reached through its pidfd", "[mech][termination]") {
  asio::io_context io;
  KillOnExit cleanup;
  // Moves into the test's own group, as a job may move into ctxrun's: no kill(-pgid) reaches it.
  Job job(test::child({"join", "parent", "--", "ignore", std::to_string(SIGTERM), "--", "sleep", "3600"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  REQUIRE(::getpgid(job.pid()) == ::getpgrp());
  auto t = Termination::make(io, SIGTERM, kGrace);
  t->add({job.pidfd(), job.pid()});  // its old group id is empty now
  t->begin();
  CHECK(run_until(io, [&] { return t->killed(); }));
  CHECK(killed_by(job.wait(), SIGKILL));
}

TEST_CASE("mech termination: a target added late gets what the sequence has come to", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup early, late;
  Told told;
  auto t = Termination::make(io, SIGTERM, 1h, told.sent());
  t->add(early.target());
  t->begin();
  t->escalate_now();
  CHECK(early.all_gone());
  told.sigs.clear();
  t->add(late.target());  // after SIGKILL: SIGKILL at once
  CHECK(told.sigs == std::vector<int>{SIGKILL});
  CHECK(late.all_gone());
}

TEST_CASE("mech termination: a removed target is sent nothing more", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  Told told;
  auto t = Termination::make(io, SIGTERM, kGrace, told.sent());
  t->add(g.target());
  t->begin();
  t->remove(g.job.pidfd());
  run_for(io, kGrace * 3);
  CHECK(told.sigs == std::vector<int>{SIGTERM});
  CHECK(test::alive(g.members[0]));
  ::kill(-g.job.pid(), SIGKILL);
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: an owner may let go of it while the grace timer is pending", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  Told told;
  auto t = Termination::make(io, SIGTERM, kGrace, told.sent());
  t->add(g.target());
  t->begin();
  std::weak_ptr<Termination> weak = t;
  t.reset();  // the timer's handler holds only a weak reference: nothing dangles, nothing is sent
  CHECK(weak.expired());
  run_for(io, kGrace * 3);
  CHECK(told.sigs == std::vector<int>{SIGTERM});
  CHECK(test::alive(g.members[0]));
  ::kill(-g.job.pid(), SIGKILL);
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: begin twice signals once", "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"print-signals"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  Told told;
  // USR1 does not end print-signals, so a second one would be printed too.
  auto t = Termination::make(io, SIGUSR1, 1h, told.sent());
  t->add({job.pidfd(), job.pid()});
  t->begin();
  REQUIRE(job.out.wait_for("signal USR1") == "signal USR1");
  t->begin();
  // A marker after it: USR2 is printed after any USR1 that came before it.
  ::kill(job.pid(), SIGUSR2);
  REQUIRE(job.out.wait_for("signal USR2") == "signal USR2");
  const std::string& out = job.out.text();
  const auto count = [&](const std::string& line) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = out.find(line, at)) != std::string::npos; at += line.size()) ++n;
    return n;
  };
  // Sent to the process and to its group, USR1 may be delivered once or twice (the kernel
  // merges a pending standard signal); what matters is one begin.
  CHECK(count("signal USR1\n") >= 1);
  CHECK(told.sigs == std::vector<int>{SIGUSR1});
  ::kill(job.pid(), SIGTERM);
  CHECK(exited_with(job.wait(), 0));
}

TEST_CASE("mech termination: SIGKILL as the first signal kills at once and arms no timer", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  Told told;
  auto t = Termination::make(io, SIGKILL, 1h, told.sent());
  t->add(g.target());
  t->begin();
  CHECK(t->killed());
  CHECK_FALSE(t->killed_early());
  CHECK(told.sigs == std::vector<int>{SIGKILL});
  CHECK(io.poll() == 0);  // nothing pending on the loop
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: a process that is already reaped is sent nothing", "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"exit", "0"}));
  REQUIRE(exited_with(job.wait(), 0));
  Told told;
  auto t = Termination::make(io, SIGTERM, kGrace, told.sent());
  t->add({job.pidfd(), 0});  // its pidfd names the reaped process: signals fail, whoever has the pid now
  t->begin();
  t->escalate_now();
  CHECK(told.sigs.empty());
}
