// e2e_single.cpp — one command under a context: deadlines, the termination sequence, the
// process tree, signals to ctxrun, exit statuses, the environment handed down.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {
std::vector<std::string> with(std::vector<std::string> ctxrun_args, const std::vector<std::string>& cmd) {
  ctxrun_args.push_back("--");
  ctxrun_args.insert(ctxrun_args.end(), cmd.begin(), cmd.end());
  return ctxrun_args;
}
}  // namespace

TEST_CASE("single: a command that succeeds exits 0 and says so unless --quiet", "[e2e][single]") {
  auto r = run(with({}, child({"exit", "0"})));
  CHECK(r.status() == 0);
  CHECK_THAT(r.err, Contains("succeeded"));
  CHECK(r.survivors.empty());
  auto q = run(with({"-q"}, child({"exit", "0"})));
  CHECK(q.status() == 0);
  CHECK(q.err.empty());
}

TEST_CASE("single: the command's own exit status is ctxrun's", "[e2e][single][status]") {
  auto r = run(with({}, child({"exit", "3"})));
  CHECK(r.code == 3);
  CHECK_THAT(r.err, Contains("exited with status 3"));
  CHECK(r.survivors.empty());
}

TEST_CASE("single: not found is 127, not executable is 126", "[e2e][single][status]") {
  auto nf = run({"--", "/nonexistent/command"});
  CHECK(nf.code == 127);
  CHECK_THAT(nf.err, Contains("could not start"));
  auto nf2 = run({"--", "no-such-command-anywhere"});
  CHECK(nf2.code == 127);
  char dir[] = "/tmp/ctxrun-test-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string file = std::string(dir) + "/not-executable";
  std::ofstream(file) << "#!/bin/sh\n";
  auto ne = run({"--", file});
  CHECK(ne.code == 126);
  auto isdir = run({"--", dir});
  CHECK(isdir.code == 126);
  ::unlink(file.c_str());
  ::rmdir(dir);
  // The error output appears once: the failed child did not flush ctxrun's stdio again.
  auto once = sh(quote({ctxrun_bin(), "-v", "--", "/nonexistent"}) + " 2>&1 | grep -c 'starting'");
  CHECK(once.out == "1\n");
}

TEST_CASE("single: a deadline stops the command's whole process group and exits 124", "[e2e][single][deadline]") {
  Process p({ctxrun_bin(), "-t", "500ms", "--", child_bin(), "spawn", "3", "3600"});
  std::vector<pid_t> kids;
  for (int i = 0; i < 3; ++i) kids.push_back(pid_in(p.wait_for_line("child ")));
  p.wait_for_line("ready");
  auto r = p.wait();
  CHECK(r.code == 124);
  CHECK_THAT(r.err, Contains("deadline exceeded after 500ms (--timeout 500ms); sent SIGTERM"));
  for (pid_t k : kids) CHECK_FALSE(alive(k));
  CHECK(r.survivors.empty());
}

TEST_CASE("single: a command ignoring the first signal gets SIGKILL after the grace", "[e2e][single][deadline]") {
  Process p({ctxrun_bin(), "-t", "300ms", "-g", "300ms", "--", child_bin(), "ignore", std::to_string(SIGTERM), "--",
             "sleep", "3600"});
  p.wait_for_line("ready");
  auto r = p.wait();
  CHECK(r.code == 124);
  CHECK_THAT(r.err, Contains("sent SIGTERM, then SIGKILL after 300ms grace"));
  CHECK(r.elapsed >= 550ms);
  CHECK(r.survivors.empty());
}

TEST_CASE("single: --signal and --preserve-status", "[e2e][single][deadline]") {
  auto r = run(with({"-t", "200ms", "-s", "INT", "--preserve-status"}, child({"sleep", "3600"})));
  CHECK(r.code == 128 + SIGINT);
  CHECK_THAT(r.err, Contains("sent SIGINT"));
  CHECK(r.survivors.empty());
}

TEST_CASE("single: --preserve-status counts for --job-timeout too", "[e2e][single][deadline]") {
  auto r = run(with({"--job-timeout", "200ms", "--preserve-status"}, child({"sleep", "3600"})));
  CHECK(r.code == 128 + SIGTERM);
  auto plain = run(with({"--job-timeout", "200ms"}, child({"sleep", "3600"})));
  CHECK(plain.code == 124);
}

TEST_CASE("single: a descendant that escaped with setsid is stopped too", "[e2e][single][orphans]") {
  Process p({ctxrun_bin(), "-t", "500ms", "--", child_bin(), "escape", "3600", "wait"});
  const pid_t escaped = pid_in(p.wait_for_line("escaped "));
  p.wait_for_line("ready");
  CHECK(alive(escaped));
  auto r = p.wait();
  CHECK(r.code == 124);
  CHECK_FALSE(alive(escaped));
  CHECK(r.survivors.empty());
}

TEST_CASE("single: what a finished command leaves behind does not outlive ctxrun", "[e2e][single][orphans]") {
  // The command exits 0 at once; its background child (same group) and an escaped
  // daemon (own session) would run for an hour.
  auto r = run(with({}, {"/bin/sh", "-c", quote(child({"orphan", "3600"})) + "; " + quote(child({"escape", "3600"}))}));
  CHECK(r.code == 0);
  CHECK(r.survivors.empty());
  CHECK(r.elapsed < 5s);  // stopped with the first signal, not after a grace period
}

TEST_CASE("single: SIGKILL to ctxrun leaves nothing running", "[e2e][single][watchdog]") {
  Process p({ctxrun_bin(), "-g", "200ms", "--", child_bin(), "spawn", "2", "3600"});
  std::vector<pid_t> kids = {pid_in(p.wait_for_line("child ")), pid_in(p.wait_for_line("child "))};
  const pid_t leader = pid_in(p.wait_for_line("ready"));
  p.send(SIGKILL);
  auto r = p.wait();
  CHECK(r.signal == SIGKILL);
  // The watchdog sends the termination sequence: bounded poll for the group to go.
  CHECK(eventually([&] { return !alive(leader) && !alive(kids[0]) && !alive(kids[1]); }, 5s));
  CHECK(eventually([&] { return survivors(p.token()).empty(); }, 5s));
}

TEST_CASE("single: SIGKILL to ctxrun also ends what left the job's group before ctxrun saw it",
          "[e2e][single][watchdog]") {
  // The escapee is in a session of its own, reparented to ctxrun without a signal: ctxrun has
  // not seen it when it dies. The watchdog finds it by the environment the job passed down.
  Process p({ctxrun_bin(), "-g", "200ms", "--", child_bin(), "escape", "3600", "wait"});
  const pid_t escaped = pid_in(p.wait_for_line("escaped "));
  const pid_t leader = pid_in(p.wait_for_line("ready"));
  p.send(SIGKILL);
  CHECK(p.wait().signal == SIGKILL);
  CHECK(eventually([&] { return !alive(leader) && !alive(escaped); }, 5s));
  CHECK(eventually([&] { return survivors(p.token()).empty(); }, 5s));
}

TEST_CASE("single: SIGKILL to ctxrun spares other processes that share its run id", "[e2e][single][watchdog]") {
  // CTXRUN_RUN_ID exported by the user: other runs may carry the same id. The watchdog looks
  // for its own id in CTXRUN_LINEAGE, which only its jobs and their descendants have.
  const std::string shared = "CTXRUN_RUN_ID=user-" + std::to_string(::getpid());
  Process other({child_bin(), "sleep", "3600"}, {.env = {shared}});
  other.wait_for_line("ready");
  Process p({ctxrun_bin(), "-g", "200ms", "--", child_bin(), "sleep", "3600"}, {.env = {shared}});
  const pid_t leader = pid_in(p.wait_for_line("ready"));
  p.send(SIGKILL);
  CHECK(p.wait().signal == SIGKILL);
  CHECK(eventually([&] { return !alive(leader); }, 5s));
  CHECK(eventually([&] { return survivors(p.token()).empty(); }, 5s));
  CHECK(alive(other.pid()));
  other.send(SIGKILL);
  CHECK(other.wait().signal == SIGKILL);
}

TEST_CASE("single: SIGTERM and SIGINT to ctxrun stop the command, then ctxrun dies by that signal",
          "[e2e][single][signals]") {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    Process p({ctxrun_bin(), "--", child_bin(), "print-signals"});
    p.wait_for_line("ready");
    p.send(sig);
    auto r = p.wait();
    CHECK(r.signal == sig);                      // a death by signal, not exit 128+N: a calling script stops on Ctrl-C
    CHECK_THAT(r.out, Contains("signal TERM"));  // the job got the termination sequence's signal
    CHECK_THAT(r.err, Contains("received SIG"));
    CHECK(r.survivors.empty());
  }
}

TEST_CASE("single: a second SIGINT skips the rest of the grace period", "[e2e][single][signals]") {
  Process p(
      {ctxrun_bin(), "-v", "-g", "30s", "--", child_bin(), "ignore", std::to_string(SIGTERM), "--", "sleep", "3600"});
  p.wait_for_line("ready");
  p.send(SIGINT);
  p.wait_for_err_line("ctxrun: sent SIGTERM");  // the job is in its grace period now
  p.send(SIGINT);
  auto r = p.wait(10s);
  CHECK(r.signal == SIGINT);
  CHECK(r.elapsed < 10s);
  CHECK(r.survivors.empty());
}

TEST_CASE("single: ctxrun stays in its caller's process group", "[e2e][single][signals]") {
  Process p({ctxrun_bin(), "--", child_bin(), "sleep", "3600"});
  const pid_t job = pid_in(p.wait_for_line("ready"));
  CHECK(::getpgid(p.pid()) == ::getpgrp());  // unlike timeout(1): Ctrl-C in a script reaches it
  CHECK(::getpgid(job) == job);              // the job has a group of its own
  p.send(SIGTERM);
  auto r = p.wait();
  CHECK(r.survivors.empty());
}

TEST_CASE("single: a deadline already past starts nothing and exits 124", "[e2e][single][deadline]") {
  char dir[] = "/tmp/ctxrun-test-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string marker = std::string(dir) + "/ran";
  auto r = run({"-d", "@1000000000", "--", "/usr/bin/touch", marker});
  CHECK(r.code == 124);
  CHECK_THAT(r.err, Contains("deadline exceeded"));
  CHECK_THAT(r.err, Contains("nothing was started"));
  CHECK(::access(marker.c_str(), F_OK) != 0);
  ::rmdir(dir);
}

TEST_CASE("single: stdin is the command's", "[e2e][single][io]") {
  Options o;
  o.input = "hello through ctxrun\n";
  auto r = run(with({}, child({"stdin"})), o);
  CHECK(r.code == 0);
  CHECK(r.out == "hello through ctxrun\n");
}

TEST_CASE("single: the command starts from a clean slate", "[e2e][single][child]") {
  // Only 0, 1, 2 are inherited, even from a caller that leaked a descriptor to ctxrun.
  auto fds = sh("exec 7</dev/null; " + quote(with({ctxrun_bin()}, child({"fds"}))));
  CHECK(fds.out == "fd 0\nfd 1\nfd 2\n");
  // No signal blocked, none ignored that ctxrun ignores itself (SIGPIPE, SIGTTOU).
  auto sigs = run(with({}, child({"signals"})));
  CHECK(sigs.out.empty());
  // ...but what the caller ignored stays ignored (nohup semantics).
  auto nohup = sh("trap '' HUP; " + quote(with({ctxrun_bin()}, child({"signals"}))));
  CHECK(nohup.out == "ignored HUP\n");
}

TEST_CASE("single: the context travels down in the environment", "[e2e][single][env]") {
  auto r = run(with({"-t", "1h", "-e", "TEST_COLOR=blue", "-n", "build"}, child({"env"})));
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("CTXRUN_DEADLINE="));
  CHECK_THAT(r.out, Contains("CTXRUN_BUDGET=35"));  // 3599.99…: an hour minus a few ms
  CHECK_THAT(r.out, Contains("CTXRUN_RUN_ID="));
  CHECK_THAT(r.out, Contains("CTXRUN_PATH=build\n"));
  CHECK_THAT(r.out, Contains("CTXRUN_JOB=build\n"));
  CHECK_THAT(r.out, Contains("CTXRUN_JOB_INDEX=1\n"));
  CHECK_THAT(r.out, Contains("CTXRUN_ATTEMPT=1\n"));
  CHECK_THAT(r.out, Contains("TEST_COLOR=blue\n"));
  auto none = run(with({}, child({"env"})));
  CHECK_THAT(none.out, !Contains("CTXRUN_DEADLINE"));
}

TEST_CASE("single: a nested ctxrun never outlives its parent's deadline", "[e2e][single][env]") {
  // The inner ctxrun asks for an hour; the outer has 500ms. The inner stops by itself at the
  // inherited deadline (its own cause line says so) even if the outer's signal is lost: it is
  // started with SIGTERM ignored, so the outer's SIGTERM, due at the same instant, cannot win.
  const std::string inner = "trap '' TERM; exec " +
                            quote({ctxrun_bin(), "-t", "1h", "-s", "USR1", "--", child_bin(), "sleep", "3600"});
  auto r = run(with({"-t", "500ms", "-n", "outer"}, {"/bin/sh", "-c", inner}));
  CHECK(r.code == 124);
  CHECK_THAT(r.err, Contains("inherited CTXRUN_"));
  CHECK(r.elapsed < 5s);
  CHECK(r.survivors.empty());
  // The run id is inherited unchanged, the path grows.
  auto ids = run(with({"-n", "outer", "-e", "TEST_X=1"}, {ctxrun_bin(), "-n", "inner", "--", child_bin(), "env"}));
  CHECK_THAT(ids.out, Contains("CTXRUN_PATH=outer/inner\n"));
}

TEST_CASE("single: an inherited CTXRUN_DEADLINE that does not parse is refused", "[e2e][single][env][badinput]") {
  Options o;
  o.env = {"CTXRUN_DEADLINE=soon"};
  auto r = run(with({}, child({"exit", "0"})), o);
  CHECK(r.code == 125);
  CHECK_THAT(r.err, Contains("CTXRUN_DEADLINE"));
  CHECK_THAT(r.err, Contains("\"soon\""));
}

TEST_CASE("single: a command killed by a signal makes ctxrun die by the same signal", "[e2e][single][status]") {
  auto r = run(with({}, child({"kill", std::to_string(SIGSEGV)})));
  CHECK(r.signal == SIGSEGV);
  CHECK_THAT(r.err, Contains("was killed by SIGSEGV"));
}

TEST_CASE("single: waiting costs no CPU", "[e2e][single][cpu]") {
  Process p({ctxrun_bin(), "-t", "10s", "--", child_bin(), "sleep", "3600"});
  p.wait_for_line("ready");
  const Ms at_ready = cpu_time(p.pid());
#ifdef CTXRUN_SANITIZED
  CHECK(at_ready <= 200ms);  // ASan's start-up (dynamic runtime, shadow memory) alone is 60-90ms
#else
  CHECK(at_ready <= 20ms);  // start-up included: clock ticks are 10ms
#endif
  // Half a second of ctxrun waiting on its job: a window to measure over, not a synchronization.
  ::poll(nullptr, 0, 500);
  const Ms waiting = cpu_time(p.pid()) - at_ready;
  INFO("cpu while waiting: " << waiting.count() << "ms");
  CHECK(waiting <= 10ms);  // at most one clock tick, by chance: a loop that polled would show
  p.send(SIGTERM);
  CHECK(p.wait().signal == SIGTERM);
}

TEST_CASE("single: a closed stdout ends the run with a clear cause", "[e2e][single][io]") {
  // Several jobs through prefix output into `head -1`: ctxrun's own writes get EPIPE.
  auto r = sh(quote({ctxrun_bin(), "-c", quote(child({"lines", "1000000"})), "-c", quote(child({"sleep", "3600"}))}) +
              " | head -n 1");
  CHECK((r.out.rfind("1 \u2502 ", 0) == 0 || r.out.rfind("2 \u2502 ", 0) == 0));  // one whole line
  CHECK_THAT(r.err, Contains("stdout closed (SIGPIPE)"));
  CHECK(r.survivors.empty());
}

TEST_CASE("single: a closed stdout or stdin at start is no hazard", "[e2e][single][io]") {
  // With 1 closed, ctxrun's own descriptors must not become the job's stdout.
  auto r = sh(quote({ctxrun_bin(), "-c", quote(child({"fds"})), "-c", "true"}) + " >&- 2>/dev/null; echo status=$?");
  CHECK(r.out == "status=0\n");
  auto in = sh(quote({ctxrun_bin(), "--", child_bin(), "fds"}) + " <&-");
  CHECK(in.out == "fd 0\nfd 1\nfd 2\n");
  CHECK(in.survivors.empty());
}

TEST_CASE("single: a script without #! runs with /bin/sh, as execvp does", "[e2e][single][status]") {
  char dir[] = "/tmp/ctxrun-test-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string file = std::string(dir) + "/script";
  std::ofstream(file) << "echo from the script: $1\nexit 4\n";
  ::chmod(file.c_str(), 0755);
  auto r = run({"-q", "--", file, "hello"});
  CHECK(r.code == 4);
  CHECK(r.out == "from the script: hello\n");
  ::unlink(file.c_str());
  ::rmdir(dir);
}

TEST_CASE("single: an exec that fails in the child says why, status 126", "[e2e][single][status]") {
  char dir[] = "/tmp/ctxrun-test-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  const std::string file = std::string(dir) + "/busy";
  {
    std::ifstream src("/bin/true", std::ios::binary);
    std::ofstream dst(file, std::ios::binary);
    dst << src.rdbuf();
  }
  ::chmod(file.c_str(), 0755);
  const int writer = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);  // exec of it: ETXTBSY
  REQUIRE(writer >= 0);
  auto r = run({"--", file});
  CHECK(r.code == 126);
  CHECK_THAT(r.err, Contains("Text file busy"));
  ::close(writer);
  ::unlink(file.c_str());
  ::rmdir(dir);
}
