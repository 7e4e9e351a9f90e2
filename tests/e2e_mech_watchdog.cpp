// e2e_mech_watchdog.cpp — ctxrun::Watchdog: the emergency path (its parent SIGKILLed) on real
// process groups, forgotten groups, the normal stop, the table limit, what the watchdog holds.
//
// The emergency tests fork a helper that plays ctxrun: it starts a watchdog, starts each group
// (fork, setpgid, exec) with stdout on a pipe the test reads, registers them, reports the pids,
// then waits. The test SIGKILLs the helper. As a child subreaper the test inherits the
// watchdog and the groups, so it can reap every one of them.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/watchdog.hpp"
#include "e2e_mech.hpp"

using namespace mech;

namespace {

struct Group {
  std::vector<std::string> argv;
  bool watch = true;
  bool forget = false;
  std::vector<std::string> env{};  // added to ours
};

struct Helper {
  pid_t pid = -1;
  pid_t watchdog = -1;
  std::vector<pid_t> groups;
  Lines out;  // the groups' stdout
};

// Starts the helper and waits for its report. Every process is added to `cleanup`.
Helper start_helper(int first_signal, ctxrun::Duration grace, const std::vector<Group>& groups, KillOnExit& cleanup,
                    const std::string& instance_id = {}) {
  auto report = ctxrun::make_pipe(), out = ctxrun::make_pipe();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    report.read.reset();
    out.read.reset();
    auto w = ctxrun::Watchdog::start(first_signal, grace, 8, instance_id);
    for (const auto& g : groups) {
      const pid_t p = ::fork();
      if (p == 0) {
        ::setpgid(0, 0);
        ::dup2(out.write.get(), 1);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
        std::vector<char*> argv, env;
        for (const auto& a : g.argv) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (char** e = environ; *e; ++e) env.push_back(*e);
        for (const auto& e : g.env) env.push_back(const_cast<char*>(e.c_str()));
        env.push_back(nullptr);
        ::execve(argv[0], argv.data(), env.data());
        ::_exit(127);
      }
      ::setpgid(p, p);
      if (g.watch) w.watch(p);
      if (g.forget) w.forget(p);
      ::dprintf(report.write.get(), "group %d\n", static_cast<int>(p));
    }
    ::dprintf(report.write.get(), "watchdog %d\n", static_cast<int>(w.pid()));
    for (;;) ::pause();
  }
  cleanup.pids.push_back(pid);
  report.write.reset();
  out.write.reset();
  Helper h;
  h.pid = pid;
  Lines lines(std::move(report.read));
  for (std::size_t i = 0; i < groups.size(); ++i) {
    h.groups.push_back(pid_of(lines.wait_for("group ")));
    REQUIRE(h.groups.back() > 0);
    cleanup.groups.push_back(h.groups.back());
  }
  h.watchdog = pid_of(lines.wait_for("watchdog "));
  REQUIRE(h.watchdog > 0);
  cleanup.pids.push_back(h.watchdog);
  h.out = Lines(std::move(out.read));
  return h;
}

// Reads the groups' output until `n` lines start with `prefix`; their pids.
std::vector<pid_t> collect(Lines& out, const std::string& prefix, std::size_t n) {
  std::vector<pid_t> pids;
  while (pids.size() < n) {
    const std::string line = out.wait_for(prefix);
    if (line.empty()) break;
    pids.push_back(pid_of(line));
  }
  return pids;
}

// Kills the helper (our child) and reaps it.
void kill_helper(const Helper& h) {
  ::kill(h.pid, SIGKILL);
  CHECK(killed_by(reap(h.pid), SIGKILL));
}

}  // namespace

TEST_CASE(
    "mech watchdog: when its parent is SIGKILLed, watched groups get the first signal, then SIGKILL after the grace",
    "[mech][watchdog]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  const auto stubborn = test::child({"ignore", std::to_string(SIGTERM), "--", "spawn", "2", "3600"});
  const auto polite = test::child({"print-signals"});
  Helper h = start_helper(SIGTERM, 300ms, {{stubborn}, {polite}}, cleanup);
  // Two `child` lines (the stubborn group's members) and two `ready` lines, in any order.
  std::vector<pid_t> members, ready;
  for (std::string line; members.size() + ready.size() < 4 && !(line = h.out.wait_for("")).empty();)
    (line.rfind("child ", 0) == 0 ? members : ready).push_back(pid_of(line));
  REQUIRE(members.size() == 2);
  REQUIRE(ready.size() == 2);
  for (pid_t p : members) cleanup.pids.push_back(p);

  const auto killed_at = std::chrono::steady_clock::now();
  kill_helper(h);
  CHECK(h.out.wait_for("signal TERM") == "signal TERM");  // the first signal, to the polite group
  CHECK(exited_with(reap(h.groups[1]), 0));
  CHECK(killed_by(reap(h.groups[0]), SIGKILL));
  for (pid_t p : members) CHECK(gone(p));   // the leader may have reaped them as it died
  CHECK(exited_with(reap(h.watchdog), 0));  // its work done, the watchdog exits
  CHECK(std::chrono::steady_clock::now() - killed_at < 10s);
}

TEST_CASE("mech watchdog: outside every group, the processes whose CTXRUN_LINEAGE holds its id get the sequence",
          "[mech][watchdog]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  const auto polite = test::child({"print-signals"});
  const std::string id = "00c0ffee00c0ffee", other = "1111111111111111", outer = "2222222222222222";
  // None is watched: only the environment can point the watchdog at them.
  Helper h = start_helper(SIGTERM, 5s,
                          {{polite, false, false, {"CTXRUN_LINEAGE=" + id}},
                           {polite, false, false, {"CTXRUN_LINEAGE=" + outer + ":" + id + ":" + other}},
                           {polite, false, false, {"CTXRUN_LINEAGE=" + outer + ":" + other}},
                           {polite, false, false, {"CTXRUN_LINEAGE=" + outer}},
                           {polite, false, false, {"CTXRUN_LINEAGE=0" + id}},
                           {polite, false, false, {"CTXRUN_RUN_ID=" + id}},
                           {polite, false, false, {"CTXRUN_LINEAGE=" + id + "0"}}},
                          cleanup, id);
  REQUIRE(collect(h.out, "ready", 7).size() == 7);

  kill_helper(h);
  CHECK(exited_with(reap(h.groups[0]), 0));  // print-signals ends on TERM with 0
  CHECK(exited_with(reap(h.groups[1]), 0));  // in a nested run, under ours
  CHECK(exited_with(reap(h.watchdog), 0));
  for (std::size_t i = 2; i < 7; ++i) {
    CAPTURE(i);
    CHECK(test::alive(h.groups[i]));  // a sibling run, the parent run, shifted ids, another variable
    ::kill(h.groups[i], SIGTERM);
    CHECK(exited_with(reap(h.groups[i]), 0));
  }
}

TEST_CASE("mech watchdog: a group that is forgotten or never watched is not signalled", "[mech][watchdog]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  const auto polite = test::child({"print-signals"});
  Helper h = start_helper(SIGTERM, 5s, {{polite}, {polite, true, true}, {polite, false}}, cleanup);
  REQUIRE(collect(h.out, "ready", 3).size() == 3);

  kill_helper(h);
  CHECK(exited_with(reap(h.groups[0]), 0));  // the watched one got TERM
  // Once the watchdog is gone it has sent everything it ever will.
  CHECK(exited_with(reap(h.watchdog), 0));
  CHECK(test::alive(h.groups[1]));
  CHECK(test::alive(h.groups[2]));
  for (pid_t g : {h.groups[1], h.groups[2]}) {
    ::kill(g, SIGTERM);
    CHECK(exited_with(reap(g), 0));
  }
}

TEST_CASE("mech watchdog: once every leader is gone, the rest of a group gets SIGKILL without waiting out the grace",
          "[mech][watchdog]") {
  Subreaper subreaper;
  KillOnExit cleanup;
  // The leader ends on TERM; the member it started in the background ignores TERM.
  const std::string script = "trap '' TERM; " + test::quote(test::child({"sleep", "3600"})) + " & exec " +
                             test::quote(test::child({"print-signals"}));
  Helper h = start_helper(SIGTERM, 1h, {{{"/bin/sh", "-c", script}}}, cleanup);
  const auto ready = collect(h.out, "ready", 2);
  REQUIRE(ready.size() == 2);
  const pid_t leader = h.groups[0];
  const pid_t member = ready[0] == leader ? ready[1] : ready[0];
  REQUIRE(contains(ready, leader));
  cleanup.pids.push_back(member);

  kill_helper(h);
  CHECK(exited_with(reap(leader), 0));
  CHECK(killed_by(reap(member), SIGKILL));
  CHECK(exited_with(reap(h.watchdog), 0));
}

TEST_CASE("mech watchdog: stop leaves no watchdog process behind", "[mech][watchdog]") {
  const bool dismiss_first = GENERATE(false, true);
  CAPTURE(dismiss_first);
  auto w = ctxrun::Watchdog::start(SIGTERM, 1s, 4);
  const pid_t pid = w.pid();
  REQUIRE(w.running());
  REQUIRE(pid > 0);
  KillOnExit cleanup;
  cleanup.pids.push_back(pid);
  CHECK(test::alive(pid));
  if (dismiss_first) w.dismiss();
  w.stop();
  CHECK_FALSE(w.running());
  errno = 0;
  CHECK(::kill(pid, 0) == -1);  // not even a zombie: reaped
  CHECK(errno == ESRCH);
  w.stop();  // again: nothing to do
}

TEST_CASE("mech watchdog: watch returns false once the table is full, and forget frees a slot", "[mech][watchdog]") {
  // Made-up group ids: only an emergency would signal them, and stop() is no emergency.
  auto w = ctxrun::Watchdog::start(SIGTERM, 1s, 2);
  CHECK(w.watch(999'990));
  CHECK(w.watch(999'991));
  CHECK_FALSE(w.watch(999'992));
  w.forget(999'990);
  CHECK(w.watch(999'992));
  CHECK_FALSE(w.watch(999'993));
  w.stop();
  ctxrun::Watchdog none;
  CHECK_FALSE(none.running());
  CHECK_FALSE(none.watch(999'990));
}

TEST_CASE("mech watchdog: it runs in its own group, with signals blocked, holding only a pidfd", "[mech][watchdog]") {
  auto held = ctxrun::make_pipe();  // ours: the watchdog must not keep it open
  auto w = ctxrun::Watchdog::start(SIGTERM, 1s, 4);
  const pid_t pid = w.pid();
  KillOnExit cleanup;
  cleanup.pids.push_back(pid);
  CHECK(::getpgid(pid) == pid);
  CHECK(::getpgid(pid) != ::getpgrp());

  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  unsigned long long blocked = 0;
  for (std::string line; std::getline(status, line);)
    if (line.rfind("SigBlk:", 0) == 0) blocked = std::stoull(line.substr(7), nullptr, 16);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGCHLD, SIGPIPE}) {
    CAPTURE(sig);
    CHECK((blocked >> (sig - 1) & 1) == 1);
  }

  const auto fds = [&] {
    std::vector<std::string> targets;
    for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
      std::error_code ec;
      targets.push_back(std::filesystem::read_symlink(e.path(), ec).string());
    }
    return targets;
  };
  // It closes the rest itself, right after it starts.
  CHECK(test::eventually([&] { return fds().size() == 1; }));
  const auto left = fds();
  REQUIRE(left.size() == 1);
  // anon_inode:[pidfd] before Linux 6.9, pidfd:[INODE] with pidfs
  CHECK((left[0] == "anon_inode:[pidfd]" || left[0].rfind("pidfd:", 0) == 0));
  w.stop();
  CHECK_FALSE(test::alive(pid));
}

TEST_CASE("mech watchdog: killed by someone, it is noticed on its pidfd and another takes its place",
          "[mech][watchdog]") {
  auto w = ctxrun::Watchdog::start(SIGTERM, 1s, 4);
  const pid_t first = w.pid();
  KillOnExit cleanup;
  cleanup.pids.push_back(first);
  ::kill(first, SIGKILL);
  CHECK(readable(w.pidfd(), 10s));
  CHECK(state_of(first) == 'Z');  // ours to reap, and reaped only through the pidfd
  w.restart();
  CHECK(state_of(first) == 0);
  const pid_t second = w.pid();
  cleanup.pids.push_back(second);
  CHECK(second != first);
  CHECK(test::alive(second));
  CHECK_FALSE(readable(w.pidfd(), 0ms));
  w.stop();
  CHECK_FALSE(test::alive(second));
}

TEST_CASE("mech watchdog: stop after it died and was reaped signals nobody", "[mech][watchdog]") {
  // Its pid may belong to someone else once it is reaped: dismiss and stop go through the
  // pidfd, which still names the dead watchdog and reaches no one.
  auto w = ctxrun::Watchdog::start(SIGTERM, 1s, 4);
  const pid_t pid = w.pid();
  KillOnExit cleanup;
  cleanup.pids.push_back(pid);
  ::kill(pid, SIGKILL);
  REQUIRE(readable(w.pidfd(), 10s));
  w.stop();  // reaps it; a second stop, or dismiss, has nothing left to act on
  w.dismiss();
  w.stop();
  CHECK(state_of(pid) == 0);
}
