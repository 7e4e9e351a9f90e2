// e2e_mech_leftovers.cpp — orphans with the test process a child subreaper: what /proc says of
// the tree (own_children, group_has_members), and Leftovers taking orphans on by pidfd,
// stopping them, holding a group's leader until the group is empty, and reaping them.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/descendants.hpp"
#include "ctxrun/leftovers.hpp"
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

struct Loop {
  asio::io_context io;
  ctxrun::Watchdog no_watchdog;
  std::vector<std::string> said;
  int changes = 0;
  ctxrun::Leftovers leftovers;
  explicit Loop(ctxrun::Duration grace = std::chrono::hours(1))
      : leftovers(
            io, no_watchdog, SIGTERM, grace, [this](std::string s) { said.push_back(std::move(s)); },
            [this] { ++changes; }) {}
  void adopt(const std::vector<pid_t>& known) {
    leftovers.adopt(
        ctxrun::own_children(), [&](pid_t p) { return contains(known, p); },
        [&](pid_t g) { return contains(known, g); });
  }
  void release() { leftovers.release(leftovers.living()); }
};

}  // namespace

TEST_CASE("mech descendants: own_children lists an escaped orphan and a running job alike", "[mech][descendants]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Escape e({"escape", "3600", "wait"});
  cleanup.pids.push_back(e.escaped);
  const auto children = ctxrun::own_children();
  CHECK(contains(children, e.escaped));
  CHECK(contains(children, e.job.pid()));
  ::kill(e.escaped, SIGKILL);
  CHECK(killed_by(reap(e.escaped), SIGKILL));
  e.job.kill();
}

TEST_CASE("mech descendants: a group has members while a living process below the roots is in it",
          "[mech][descendants]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  // The leader exits at once; its child lives on in the group and comes to us.
  Job job(test::child({"orphan", "3600"}));
  const pid_t member = pid_of(job.out.wait_for("orphan "));
  REQUIRE(member > 0);
  cleanup.pids.push_back(member);
  REQUIRE(job.ends_within(10s));  // not reaped: its zombie holds the group id
  REQUIRE(test::eventually([&] { return contains(children(), member); }));
  const std::vector<pid_t> roots{member};
  CHECK(ctxrun::group_has_members(job.pid(), roots));
  CHECK_FALSE(ctxrun::group_has_members(job.pid(), {}));  // nothing to look below
  CHECK_FALSE(ctxrun::group_has_members(job.pid() + 100000, roots));
  ::kill(member, SIGKILL);
  REQUIRE(test::eventually([&] { return is_zombie(member); }));
  CHECK_FALSE(ctxrun::group_has_members(job.pid(), roots));  // a zombie is no member
  CHECK(killed_by(reap(member), SIGKILL));
  CHECK(exited_with(job.wait(), 0));
}

TEST_CASE("mech leftovers: adopt takes on unknown children only, and stop runs the sequence on them",
          "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Loop loop(100ms);
  // The escapee ignores TERM (inherited): only SIGKILL after the grace ends it.
  Escape e({"ignore", std::to_string(SIGTERM), "--", "escape", "3600", "wait"});
  cleanup.pids.push_back(e.escaped);
  const pid_t job = e.job.pid();
  loop.adopt({job});
  CHECK(contains(loop.leftovers.living(), e.escaped));
  CHECK_FALSE(contains(loop.leftovers.living(), job));
  CHECK(loop.leftovers.living() == std::vector<pid_t>{e.escaped});
  CHECK(loop.said.empty());  // taken on, not yet stopped: a daemon may serve the run

  loop.leftovers.stop();
  REQUIRE(loop.said.size() == 1);
  CHECK_THAT(loop.said[0], Contains(std::to_string(e.escaped)) && Contains("SIGTERM"));
  CHECK(run_until(loop.io, [&] { return loop.changes > 0; }));  // its exit, after SIGKILL
  CHECK(loop.leftovers.killed() == 1);
  CHECK(is_zombie(e.escaped));  // held until released
  loop.release();
  CHECK(loop.leftovers.empty());
  CHECK(state_of(e.escaped) == 0);  // reaped by Leftovers
  CHECK(test::alive(job));
  e.job.kill();
}

TEST_CASE("mech leftovers: an orphan found after stop gets the signal at once", "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Loop loop;
  loop.leftovers.stop();
  Escape e({"escape", "3600"});
  cleanup.pids.push_back(e.escaped);
  REQUIRE(exited_with(e.job.wait(), 0));
  loop.adopt({});
  CHECK(run_until(loop.io, [&] { return loop.changes > 0; }));  // SIGTERM ended it
  loop.release();
  CHECK(loop.leftovers.empty());
  CHECK(state_of(e.escaped) == 0);
}

TEST_CASE("mech leftovers: escalate_now kills the orphans without waiting for the grace", "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Loop loop;
  Escape e({"ignore", std::to_string(SIGTERM), "--", "escape", "3600"});
  cleanup.pids.push_back(e.escaped);
  REQUIRE(exited_with(e.job.wait(), 0));  // reaped: only the escapee is left
  loop.adopt({});
  loop.leftovers.stop();
  loop.leftovers.escalate_now();
  CHECK(run_until(loop.io, [&] { return loop.changes > 0; }));
  loop.release();
  CHECK(loop.leftovers.empty());
  CHECK(state_of(e.escaped) == 0);
}

TEST_CASE("mech leftovers: an orphan in our own process group is stopped through its pidfd", "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Loop loop(100ms);
  auto ready = ctxrun::make_pipe();
  const pid_t ours = ::fork();  // in the test's own group, ignoring TERM: no group signal may be sent
  if (ours == 0) {
    ::signal(SIGTERM, SIG_IGN);
    ready.write.reset();  // EOF: it ignores TERM now
    for (;;) ::pause();
  }
  REQUIRE(ours > 0);
  cleanup.pids.push_back(ours);
  ready.write.reset();
  REQUIRE(readable(ready.read.get(), 10s));
  loop.adopt({});
  REQUIRE(contains(loop.leftovers.living(), ours));
  loop.leftovers.stop();
  CHECK(run_until(loop.io, [&] { return loop.changes > 0; }));  // SIGKILL after the grace
  CHECK(loop.leftovers.killed() == 1);
  loop.release();
  CHECK(loop.leftovers.empty());
  CHECK(state_of(ours) == 0);
}

TEST_CASE("mech leftovers: an orphan that leads a group is held unreaped until its group is empty",
          "[mech][leftovers]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  Loop loop;
  // A daemon: setsid, then a child in its new group that outlives it.
  Job job({"/bin/sh", "-c", "setsid sh -c 'sleep 3600 & echo member $!; exec sleep 3600' & echo leader $!; wait"});
  pid_t leader = -1, member = -1;  // the two lines come in either order
  for (int i = 0; i < 2; ++i) {
    const std::string line = job.out.wait_for("");
    (line.rfind("leader ", 0) == 0 ? leader : member) = pid_of(line);
  }
  REQUIRE(leader > 0);
  REQUIRE(member > 0);
  cleanup.pids.push_back(member);
  cleanup.groups.push_back(leader);
  job.kill();  // the daemon is ours now
  REQUIRE(test::eventually([&] { return contains(children(), leader); }));
  loop.adopt({});
  ::kill(leader, SIGKILL);  // the group's leader dies; its member lives on
  CHECK(run_until(loop.io, [&] { return loop.changes > 0; }));
  REQUIRE(test::eventually([&] { return contains(children(), member); }));
  loop.adopt({});  // the member came to us when its parent died
  loop.release();
  CHECK(is_zombie(leader));  // held: the group id is still the daemon's
  const int before = loop.changes;
  loop.leftovers.stop();  // reaches the member through the group and by its own pidfd
  CHECK(run_until(loop.io, [&] { return loop.changes > before; }));  // its exit, seen on its pidfd
  loop.release();
  CHECK(loop.leftovers.empty());
  CHECK(state_of(leader) == 0);
  CHECK(state_of(member) == 0);
}
