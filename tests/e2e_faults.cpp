// e2e_faults.cpp — the run's end under faults, on the real binary: descendants that escape
// and hold a job's pipe, readers that stall, descriptors that run out, jobs that move into
// ctxrun's own process group, pids the kernel gives out again, a report that cannot be
// written. Each case bounds its time, and checks that nothing survives.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;
namespace json = boost::json;

namespace {

// A deadline (or a signal) plus the grace, plus this: the most ctxrun may take beyond them.
constexpr Ms kBound = 3s;

const char* const kHold = "setsid sleep 3600 & ";  // escapes the job's group, keeps its stdout

json::value report(const std::string& file) { return json::parse(slurp(file)); }

bool can_choose_pids() {
  if (::geteuid() == 0) return true;
  WARN("skipped: needs root, for a PID namespace where the next pid can be chosen");
  return false;
}

// Runs `script` (with ctxrun's path as $1, in a scratch directory) as the first process of a
// PID namespace of its own, where writing ns_last_pid chooses the next pid.
Result in_pid_namespace(const std::string& script) {
  TempDir t;
  return sh("cd " + quote({t.path}) + " && unshare --pid --fork --mount-proc /bin/sh -c " + quote({script}) + " sh " +
                quote({ctxrun_bin()}),
            {.limit = 30s});
}

}  // namespace

TEST_CASE("faults: a descendant that escaped and holds the job's stdout does not hold the run",
          "[e2e][faults][orphans]") {
  SECTION("the job succeeds: the run ends then, and the escapee is stopped") {
    auto r = run({"-c", std::string(kHold) + "sleep 0.2"}, {.limit = 20s});
    CHECK(r.code == 0);
    CHECK(r.elapsed < 200ms + kBound);
    CHECK_THAT(r.err, Contains("stopped 1 process left behind"));
    CHECK(r.survivors.empty());
  }
  SECTION("the deadline ends it, while the escapee is still the job's grandchild") {
    auto r = run({"-t", "1s", "-c", std::string(kHold) + "sleep 3600"}, {.limit = 20s});
    CHECK(r.code == 124);
    CHECK(r.elapsed < 1s + kBound);
    CHECK(r.survivors.empty());
  }
  SECTION("a job that succeeded before the deadline is a success, not a deadline") {
    auto r = run({"-t", "5s", "-c", std::string(kHold) + "sleep 0.2"}, {.limit = 20s});
    CHECK(r.code == 0);
    CHECK(r.elapsed < 5s);
    CHECK(r.survivors.empty());
  }
  SECTION("a process group of its own in the same session (as job control makes) is an escape too") {
    auto r = run({"-t", "1s", "-c", tc({"join", "0", "--", "sleep", "3600"}) + " & sleep 3600"}, {.limit = 20s});
    CHECK(r.code == 124);
    CHECK(r.elapsed < 1s + kBound);
    CHECK(r.survivors.empty());
  }
  SECTION("one command, output prefixed: the same") {
    auto r = run({"--output", "prefix", "--", "/bin/sh", "-c", std::string(kHold) + "echo done"}, {.limit = 20s});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Contains("done"));
    CHECK(r.survivors.empty());
  }
}

TEST_CASE("faults: many orphans whose grace runs out while they exit", "[e2e][faults][orphans]") {
  // Sixty escapees take 0.1 s to obey SIGTERM, and the grace is 0.1 s: SIGKILL comes due in the
  // same turns as their exits. (The sanitizer build makes any use of a freed object fail.)
  const std::string many =
      "for i in $(seq 60); do setsid sh -c 'trap \"sleep 0.1; exit\" TERM; sleep 3600 & wait' & done; sleep 0.5";
  for (int i = 0; i < 3; ++i) {
    auto r = run({"-g", "100ms", "--", "/bin/sh", "-c", many}, {.limit = 30s});
    CHECK(r.code == 0);
    CHECK(r.survivors.empty());
  }
}

TEST_CASE("faults: every signal ends a run whose escapee holds a pipe", "[e2e][faults][signals]") {
  const int sig = GENERATE(SIGINT, SIGTERM, SIGHUP);
  CAPTURE(sig);
  Process p({ctxrun_bin(), "-c", std::string(kHold) + "echo ready; sleep 3600", "-c", "sleep 3600"}, {.limit = 20s});
  p.wait_for_text("ready");
  const auto sent = std::chrono::steady_clock::now();
  p.send(sig);
  auto r = p.wait(20s);
  CHECK(r.signal == sig);
  CHECK(std::chrono::steady_clock::now() - sent < 5s + kBound);  // the default grace at most
  CHECK(r.survivors.empty());
}

TEST_CASE("faults: out of descriptors, the run ends with a cause, a summary and a report", "[e2e][faults][resources]") {
  TempDir t;
  const std::string file = t.file("r.json");
  std::vector<std::string> cmds(60, "sleep 3600 & sleep 3600");
  auto args = jobs({ctxrun_bin(), "--report", file}, cmds);
  auto r = sh("ulimit -n 40; exec " + quote(args), {.limit = 30s});
  CHECK(r.code == 126);  // as for a job that could not start
  CHECK_THAT(r.err, Contains("could not start") && Contains("Too many open files"));
  CHECK_THAT(r.err, Contains("not started"));
  CHECK(r.survivors.empty());
  const auto doc = report(file);
  CHECK(doc.at("cause").at("kind").as_string() == "spawn-failed");
  CHECK(doc.at("exit_status").as_int64() == 126);
  CHECK(doc.at("jobs").as_array().size() == 60);
}

TEST_CASE("faults: a stalled reader of ctxrun's stdout holds back neither the deadline nor a signal",
          "[e2e][faults][output]") {
  SECTION("a cancel while the jobs' readers are paused: SIGTERM ends ctxrun at once") {
    Process p({ctxrun_bin(), "-v", "-t", "1s", "-c", "yes", "-c", "sleep 3600"},
              {.limit = 30s, .out = Options::Out::StalledPipe});
    p.wait_for_err_line("ctxrun: canceled", 10s);
    const auto sent = std::chrono::steady_clock::now();
    p.send(SIGTERM);
    auto r = p.wait(20s);
    CHECK(std::chrono::steady_clock::now() - sent < kBound);
    CHECK(r.code == 124);  // the deadline came first: its cause stands
    CHECK_THAT(r.err, Contains("were not written"));
    CHECK(r.survivors.empty());
  }
  SECTION("no signal: the last output gets the grace period, then ctxrun gives up on it") {
    auto r = run({"-t", "1s", "-g", "1s", "-c", "yes"}, {.limit = 30s, .out = Options::Out::StalledPipe});
    CHECK(r.code == 124);
    CHECK(r.elapsed < 2s + kBound);
    CHECK(r.survivors.empty());
  }
  SECTION("the jobs have ended and the last output is waiting: a signal still counts") {
    TempDir t;
    const std::string file = t.file("r.json");
    Process p({ctxrun_bin(), "-v", "--report", file, "-c", tc({"long", "3000000"})},
              {.limit = 30s, .out = Options::Out::StalledPipe});
    p.wait_for_err_line("ctxrun: job \"1\" exited with status 0", 10s);
    p.send(SIGTERM);
    auto r = p.wait(10s);
    CHECK(r.signal == SIGTERM);
    CHECK_THAT(r.err, Contains("received SIGTERM"));
    const auto doc = report(file);  // whole, and agreeing with the death
    CHECK(doc.at("cause").at("kind").as_string() == "signal");
    CHECK(doc.at("exit_status").as_int64() == 128 + SIGTERM);
    CHECK(doc.at("jobs").at(0).at("outcome").as_string() == "succeeded");
  }
  SECTION("stdout is a socket nobody reads: the deadline holds") {
    Process p({ctxrun_bin(), "-v", "-t", "1s", "-g", "1s", "-c", "yes", "-c", "sleep 3600"},
              {.limit = 30s, .out = Options::Out::StalledSocket});
    CHECK_FALSE(p.wait_for_err_line("ctxrun: sent SIGTERM", 1s + kBound).empty());
    auto r = p.wait(20s);
    CHECK(r.code == 124);
    CHECK(r.elapsed < 2s + kBound);
    CHECK(r.survivors.empty());
  }
}

TEST_CASE("faults: a job that moves into ctxrun's own process group is still stopped", "[e2e][faults][groups]") {
  TempDir t;
  const std::string file = t.file("r.json");
  auto r = run({"-t", "1s", "-g", "1s", "--report", file, "--", child_bin(), "join", "parent", "--", "ignore",
                std::to_string(SIGTERM), "--", "sleep", "3600"},
               {.limit = 20s});
  CHECK(r.code == 124);
  CHECK(r.elapsed < 2s + kBound);  // SIGKILL after the grace reached it
  CHECK_THAT(r.err, Contains("then SIGKILL"));
  CHECK(report(file).at("jobs").at(0).at("attempts").at(0).at("stopped").as_string() == "killed");
  CHECK(r.survivors.empty());
}

TEST_CASE("faults: an orphan that joined ctxrun's group gets the whole sequence", "[e2e][faults][groups]") {
  // The job starts a TERM-ignoring child in ctxrun's group (the test's: ctxrun stays in its
  // caller's), then exits: SIGKILL after the grace must follow, and ctxrun waits for it.
  const std::string orphan = tc(
      {"join", std::to_string(::getpgrp()), "--", "ignore", std::to_string(SIGTERM), "--", "sleep", "3600"});
  auto r = run({"-g", "300ms", "--", "/bin/sh", "-c", orphan + " & sleep 0.3"}, {.limit = 20s});
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Contains("stopped 1 process left behind") && Contains("with SIGKILL"));
  CHECK(r.survivors.empty());
}

TEST_CASE("faults: the watchdog, killed during a run, is replaced", "[e2e][faults][watchdog]") {
  Process p({ctxrun_bin(), "-v", "--", child_bin(), "sleep", "3600"}, {.limit = 20s});
  const pid_t job = pid_in(p.wait_for_line("ready"));
  pid_t watchdog = 0;
  std::istringstream children(
      slurp("/proc/" + std::to_string(p.pid()) + "/task/" + std::to_string(p.pid()) + "/children"));
  for (pid_t c; children >> c;)
    if (c != job) watchdog = c;
  REQUIRE(watchdog > 0);
  ::kill(watchdog, SIGKILL);
  p.wait_for_err_line("ctxrun: the watchdog died: starting another");
  p.send(SIGKILL);  // the new one must do the old one's work
  auto r = p.wait(20s);
  CHECK(r.signal == SIGKILL);
  CHECK(eventually([&] { return survivors(p.token()).empty(); }, 10s));
}

TEST_CASE("faults: the report is put in place whole, or the old one is left alone", "[e2e][faults][report]") {
  TempDir t;
  SECTION("a symlink at the path is replaced, never followed") {
    const std::string target = t.write("target", "keep\n");
    REQUIRE(::symlink(target.c_str(), t.file("link.json").c_str()) == 0);
    auto r = run({"-q", "--report", t.file("link.json"), "--", "/bin/true"});
    CHECK(r.code == 0);
    CHECK(slurp(target) == "keep\n");
    struct stat st {};
    REQUIRE(::lstat(t.file("link.json").c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK(report(t.file("link.json")).at("exit_status").as_int64() == 0);
  }
  SECTION("a path that is no regular file is refused before anything starts") {
    auto r = run({"--report", "/dev/null", "--", "/usr/bin/touch", t.file("ran")});
    CHECK(r.code == 125);
    CHECK_THAT(r.err, Contains("--report") && Contains("not a regular file"));
    CHECK(::access(t.file("ran").c_str(), F_OK) != 0);
  }
  SECTION("ctxrun killed mid-run leaves the old report, and no temporary file") {
    const std::string file = t.write("r.json", "old\n");
    Process p({ctxrun_bin(), "--report", file, "--", child_bin(), "sleep", "3600"});
    p.wait_for_line("ready");
    p.send(SIGKILL);
    p.wait();
    CHECK(slurp(file) == "old\n");
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(t.path)) names.push_back(e.path().filename());
    CHECK(names == std::vector<std::string>{"r.json"});
  }
  SECTION("a report that cannot be put in place after the run is status 125, and says why") {
    const std::string dir = t.file("gone");
    REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
    auto r = run({"--report", dir + "/r.json", "--", "/bin/rmdir", dir});  // the job removes it
    CHECK(r.code == 125);
    CHECK_THAT(r.err, Contains("--report") && Contains(dir));
  }
}

TEST_CASE("faults: a group id the kernel gives out again is never signalled", "[e2e][faults][reuse]") {
  if (!can_choose_pids()) return;
  // Job 1 exits at once; its setsid'd child holds its stdout a while. Meanwhile an unrelated
  // process leads a group with job 1's old id. ctxrun must neither wait on it nor kill it.
  const std::string script = R"sh(
    c=$1
    "$c" -v -c 'echo $$; setsid sleep 1 & sleep 0.1' -c 'sleep 2' > out 2> err &
    p=$!
    until [ -s out ]; do sleep 0.01; done
    x=$(sed 's/.* //' out | head -1)
    until ! kill -0 "$x" 2>/dev/null || [ "$(cut -d' ' -f3 /proc/$x/stat)" = Z ]; do sleep 0.01; done
    echo $((x - 1)) > /proc/sys/kernel/ns_last_pid
    setsid sleep 3600 & v=$!
    [ "$v" = "$x" ] || { echo "no reuse: $v != $x"; }
    wait "$p"; echo "ctxrun $?"
    kill -0 "$v" && echo "unrelated alive"
    kill -KILL "$v"
  )sh";
  auto r = in_pid_namespace(script);
  CHECK_THAT(r.out, Contains("ctxrun 0"));
  CHECK_THAT(r.out, Contains("unrelated alive"));
}

TEST_CASE("faults: the watchdog's pid, once given out again, is never signalled", "[e2e][faults][reuse]") {
  if (!can_choose_pids()) return;
  const std::string script = R"sh(
    c=$1
    "$c" -v -c 'echo ready; sleep 1' > out 2> err &
    p=$!
    until [ -s out ]; do sleep 0.01; done
    for k in $(cat /proc/$p/task/$p/children); do [ "$(cat /proc/$k/comm)" = ctxrun ] && w=$k; done
    kill -KILL "$w"
    until ! grep -q "^$w\$" /proc/$p/task/$p/children 2>/dev/null; do sleep 0.01; done
    echo $((w - 1)) > /proc/sys/kernel/ns_last_pid
    sleep 3600 & v=$!
    [ "$v" = "$w" ] || echo "no reuse: $v != $w"
    wait "$p"; echo "ctxrun $?"
    kill -0 "$v" && echo "victim alive"
    kill -KILL "$v"
  )sh";
  auto r = in_pid_namespace(script);
  CHECK_THAT(r.out, Contains("ctxrun 0"));
  CHECK_THAT(r.out, Contains("victim alive"));
}
