// e2e_mech_termination.cpp — ctxrun::Termination on real process groups, on a loop the test
// runs itself: the first signal with SIGCONT, SIGKILL after the grace, escalate_now, finish.
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
  bool all_gone() {
    bool ok = killed_by(job.wait(), SIGKILL);
    for (pid_t p : members) ok = gone(p) && ok;
    return ok;
  }
};

// The signals on_signal was told of, but SIGCONT: whether it is reported is left open.
std::vector<int> but_cont(std::vector<int> told) {
  told.erase(std::remove(told.begin(), told.end(), SIGCONT), told.end());
  return told;
}

}  // namespace

TEST_CASE("mech termination: begin sends the first signal and SIGCONT, so a stopped group acts on it",
          "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"print-signals"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  ::kill(-job.pid(), SIGSTOP);
  REQUIRE(test::eventually([&] { return state_of(job.pid()) == 'T'; }));
  std::vector<int> told;
  ctxrun::Termination t(io, job.pid(), SIGTERM, 1h, [&](int sig) { told.push_back(sig); });
  t.begin();
  CHECK(t.begun());
  // print-signals handles TERM (it prints it and returns 0): only a woken group can.
  CHECK(job.out.wait_for("signal TERM") == "signal TERM");
  CHECK(exited_with(job.wait(), 0));
  CHECK(but_cont(told) == std::vector<int>{SIGTERM});
  CHECK_FALSE(t.killed());
  t.finish();
}

TEST_CASE("mech termination: a group that ignores the first signal gets SIGKILL when the grace runs out",
          "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  std::vector<int> told;
  ctxrun::Termination t(io, g.job.pid(), SIGTERM, kGrace, [&](int sig) { told.push_back(sig); });
  const auto started = std::chrono::steady_clock::now();
  t.begin();
  CHECK(but_cont(told) == std::vector<int>{SIGTERM});
  CHECK_FALSE(t.killed());
  CHECK(run_until(io, [&] { return t.killed(); }));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= kGrace);  // a timer never fires early
  CHECK(took < 5s);
  CHECK(but_cont(told) == std::vector<int>{SIGTERM, SIGKILL});
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: escalate_now kills at once without waiting for the grace", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  ctxrun::Termination t(io, g.job.pid(), SIGTERM, 1h);
  t.begin();
  t.escalate_now();
  CHECK(t.killed());
  CHECK(g.all_gone());
  io.run_for(5s);  // the canceled grace timer: its handler runs at once, and does nothing
  CHECK(io.stopped());
}

TEST_CASE("mech termination: escalate_now before begin kills too", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  ctxrun::Termination t(io, g.job.pid(), SIGTERM, 1h);
  t.escalate_now();
  CHECK(t.begun());
  CHECK(t.killed());
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: finish cancels the grace timer, so no SIGKILL follows", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  std::vector<int> told;
  ctxrun::Termination t(io, g.job.pid(), SIGTERM, kGrace, [&](int sig) { told.push_back(sig); });
  t.begin();
  t.finish();
  // Keep the loop running well past the grace: the only thing that could act is the timer.
  asio::steady_timer past(io, kGrace * 3);
  bool passed = false;
  past.async_wait([&](const boost::system::error_code&) { passed = true; });
  CHECK(run_until(io, [&] { return passed; }));
  CHECK_FALSE(t.killed());
  CHECK(but_cont(told) == std::vector<int>{SIGTERM});
  CHECK_FALSE(g.job.ends_within(0ms));
  CHECK(test::alive(g.members[0]));
  CHECK(test::alive(g.members[1]));
  t.escalate_now();  // finished: a no-op
  t.begin();
  CHECK(but_cont(told) == std::vector<int>{SIGTERM});
  ::kill(-g.job.pid(), SIGKILL);
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: begin twice signals once", "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"print-signals"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  std::vector<int> told;
  // USR1 does not end print-signals, so a second one would be printed too.
  ctxrun::Termination t(io, job.pid(), SIGUSR1, 1h, [&](int sig) { told.push_back(sig); });
  t.begin();
  REQUIRE(job.out.wait_for("signal USR1") == "signal USR1");
  t.begin();
  // A marker after it: USR2 is printed after any USR1 that came before it.
  ::kill(job.pid(), SIGUSR2);
  REQUIRE(job.out.wait_for("signal USR2") == "signal USR2");
  const std::string& out = job.out.text();
  const auto count = [&](const std::string& line) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = out.find(line, at)) != std::string::npos; at += line.size()) ++n;
    return n;
  };
  CHECK(count("signal USR1\n") == 1);
  CHECK(count("signal CONT\n") == 1);
  CHECK(but_cont(told) == std::vector<int>{SIGUSR1});
  t.finish();
  ::kill(job.pid(), SIGTERM);
  CHECK(exited_with(job.wait(), 0));
}

TEST_CASE("mech termination: SIGKILL as the first signal kills at once and arms no timer", "[mech][termination]") {
  asio::io_context io;
  StubbornGroup g;
  std::vector<int> told;
  ctxrun::Termination t(io, g.job.pid(), SIGKILL, 1h, [&](int sig) { told.push_back(sig); });
  t.begin();
  CHECK(t.killed());
  CHECK(but_cont(told) == std::vector<int>{SIGKILL});
  CHECK(io.poll() == 0);  // nothing pending on the loop
  CHECK(g.all_gone());
}

TEST_CASE("mech termination: a group that is already gone is sent nothing", "[mech][termination]") {
  asio::io_context io;
  Job job(test::child({"exit", "0"}));
  REQUIRE(exited_with(job.wait(), 0));
  std::vector<int> told;
  ctxrun::Termination t(io, job.pid(), SIGTERM, kGrace, [&](int sig) { told.push_back(sig); });
  t.begin();
  t.escalate_now();
  CHECK(told.empty());  // not even SIGCONT
  CHECK_FALSE(t.killed());
}
