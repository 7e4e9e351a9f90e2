// e2e_mech_spawner.cpp — ctxrun::spawn on its own: the child's process group, descriptors,
// signals and environment, exec errors as data with no child left, the death signal, the pidfd.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "ctxrun/spawner.hpp"
#include "e2e_mech.hpp"

using namespace mech;
using Catch::Matchers::StartsWith;
using test::TempDir;

namespace {

std::variant<ctxrun::Spawned, ctxrun::SpawnFailure> spawn(const std::vector<std::string>& argv,
                                                          const std::string& path = "/usr/bin:/bin",
                                                          const char* const* envp = environ, int out = -1) {
  auto req = request(argv, out);
  req.envp = envp;
  req.path = path;
  return ctxrun::spawn(req);
}

std::set<std::string> line_set(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.insert(text.substr(start, nl - start));
  return out;
}

}  // namespace

TEST_CASE("mech spawner: the child leads a process group of its own, in our session", "[mech][spawner]") {
  Job job(test::child({"sleep", "3600"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  CHECK(::getpgid(job.pid()) == job.pid());
  CHECK(::getpgid(job.pid()) != ::getpgrp());
  CHECK(::getsid(job.pid()) == ::getsid(0));
  job.kill();
  CHECK_FALSE(test::alive(job.pid()));
}

TEST_CASE("mech spawner: the child has only fds 0, 1 and 2 even when we hold a descriptor open across exec",
          "[mech][spawner]") {
  const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: exec alone would keep it
  REQUIRE(leaked > 2);
  Job job(test::child({"fds"}));
  CHECK(job.out.read_to_eof());
  CHECK(line_set(job.out.text()) == std::set<std::string>{"fd 0", "fd 1", "fd 2"});
  CHECK(exited_with(job.wait(), 0));
  ::close(leaked);
}

TEST_CASE("mech spawner: the child starts with the signal mask and dispositions we started with", "[mech][spawner]") {
  const auto& s = start();
  // Now, at spawn time, HUP (a signal the loop handles) is ignored and USR2 is blocked: the
  // child must get neither.
  struct sigaction ign {
  }, old_hup{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGHUP, &ign, &old_hup);
  sigset_t usr2, old_mask;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  ::sigprocmask(SIG_BLOCK, &usr2, &old_mask);
  Job job(test::child({"signals"}));
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);

  std::set<std::string> expected;
  for (int sig = 1; sig < SIGRTMIN; ++sig)
    if (sigismember(&s.state.mask, sig)) expected.insert(std::string("blocked ") + sigabbrev_np(sig));
  for (int sig : s.ignored_before) {
    const auto reset = [sig](const std::vector<int>& v) { return std::find(v.begin(), v.end(), sig) != v.end(); };
    if (!reset(s.state.handled) && !reset(s.state.ignored_by_us))
      expected.insert(std::string("ignored ") + sigabbrev_np(sig));
  }
  CHECK(job.out.read_to_eof());
  CHECK(line_set(job.out.text()) == expected);
  // The test process itself does ignore these now (prepare_process): the child must not.
  CHECK(ctxrun::ignored_at_start(SIGPIPE));
  CHECK_THAT(job.out.text(), !Catch::Matchers::Contains("ignored PIPE"));
  CHECK_THAT(job.out.text(), !Catch::Matchers::Contains("ignored TTOU"));
  CHECK(exited_with(job.wait(), 0));
}

TEST_CASE("mech spawner: the child gets exactly the environment it is given", "[mech][spawner]") {
  const char* envp[] = {"A=1", "B=two words", "EMPTY=", "TEST_X=y", nullptr};
  auto pipe = ctxrun::make_pipe();
  auto r = spawn({"env"}, "/nonexistent:/usr/bin:/bin", envp, pipe.write.get());
  pipe.write.reset();
  REQUIRE(std::holds_alternative<ctxrun::Spawned>(r));
  auto& child = std::get<ctxrun::Spawned>(r);
  Lines out(std::move(pipe.read));
  CHECK(out.read_to_eof());
  CHECK(out.text() == "A=1\nB=two words\nEMPTY=\nTEST_X=y\n");
  CHECK(exited_with(reap(child.pid), 0));
}

TEST_CASE("mech spawner: argv[0] is found on the PATH given and passed as written", "[mech][spawner]") {
  const std::string bin = test::child_bin();
  const std::string dir = bin.substr(0, bin.rfind('/'));
  auto pipe = ctxrun::make_pipe();
  auto r = spawn({"testchild", "sleep", "3600"}, "/nonexistent:" + dir, environ, pipe.write.get());
  pipe.write.reset();
  REQUIRE(std::holds_alternative<ctxrun::Spawned>(r));
  const pid_t pid = std::get<ctxrun::Spawned>(r).pid;
  KillOnExit cleanup;
  cleanup.pids.push_back(pid);
  Lines out(std::move(pipe.read));
  REQUIRE(pid_of(out.wait_for("ready")) == pid);
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline");
  std::string cmdline((std::istreambuf_iterator<char>(f)), {});
  CHECK(cmdline == std::string("testchild\0sleep\0"
                               "3600\0",
                               21));
  ::kill(pid, SIGKILL);
  CHECK(killed_by(reap(pid), SIGKILL));
}

TEST_CASE("mech spawner: in, out and err become the child's 0, 1 and 2", "[mech][spawner]") {
  auto in = ctxrun::make_pipe(), out = ctxrun::make_pipe(), err = ctxrun::make_pipe();
  const std::vector<std::string> argv{"sh", "-c", "read line && echo \"out $line\" && echo \"err $line\" >&2"};
  auto req = request(argv, out.write.get());
  req.in = in.read.get();
  req.err = err.write.get();
  auto r = ctxrun::spawn(req);
  in.read.reset();
  out.write.reset();
  err.write.reset();
  REQUIRE(std::holds_alternative<ctxrun::Spawned>(r));
  REQUIRE(::write(in.write.get(), "hello\n", 6) == 6);
  in.write.reset();
  Lines o(std::move(out.read)), e(std::move(err.read));
  CHECK(o.read_to_eof());
  CHECK(e.read_to_eof());
  CHECK(o.text() == "out hello\n");
  CHECK(e.text() == "err hello\n");
  CHECK(exited_with(reap(std::get<ctxrun::Spawned>(r).pid), 0));
}

TEST_CASE("mech spawner: a program that is not there is a SpawnFailure with ENOENT and leaves no child",
          "[mech][spawner]") {
  TempDir dir;
  // The last one is found and passes access(X_OK): only execve fails, in the vforked child.
  const std::string bad_interpreter = dir.write("bad-interpreter", "#!/nonexistent/interpreter\n", 0755);
  for (const std::string& name :
       {std::string("/nonexistent/program"), std::string("no-such-command-anywhere"), bad_interpreter}) {
    CAPTURE(name);
    const auto before = children();
    auto r = spawn({name, "arg"});
    REQUIRE(std::holds_alternative<ctxrun::SpawnFailure>(r));
    const auto& f = std::get<ctxrun::SpawnFailure>(r);
    CHECK(f.error == ENOENT);
    CHECK_THAT(f.message, StartsWith(name + ": "));
    CHECK(children() == before);  // the failed child was reaped: no zombie of ours
  }
}

TEST_CASE("mech spawner: a file that cannot be executed is a SpawnFailure with EACCES and leaves no child",
          "[mech][spawner]") {
  TempDir dir;
  const std::string plain = dir.write("plain", "echo never\n", 0644);
  // Found and executable itself; execve fails on its interpreter, in the vforked child.
  const std::string via = dir.write("via-plain", "#!" + plain + "\n", 0755);
  for (const std::string& name : {plain, dir.path, via}) {
    CAPTURE(name);
    const auto before = children();
    auto r = spawn({name});
    REQUIRE(std::holds_alternative<ctxrun::SpawnFailure>(r));
    CHECK(std::get<ctxrun::SpawnFailure>(r).error == EACCES);
    CHECK_THAT(std::get<ctxrun::SpawnFailure>(r).message, StartsWith(name + ": "));
    CHECK(children() == before);
  }
}

TEST_CASE("mech spawner: a script without #! runs under /bin/sh with its arguments", "[mech][spawner]") {
  TempDir dir;
  const std::string script = dir.write("no-shebang", "echo \"ran $0 $1 $#\"\n", 0755);
  auto pipe = ctxrun::make_pipe();
  auto r = spawn({script, "first"}, "/usr/bin:/bin", environ, pipe.write.get());
  pipe.write.reset();
  REQUIRE(std::holds_alternative<ctxrun::Spawned>(r));
  Lines out(std::move(pipe.read));
  CHECK(out.read_to_eof());
  CHECK(out.text() == "ran " + script + " first 1\n");
  CHECK(exited_with(reap(std::get<ctxrun::Spawned>(r).pid), 0));
}

TEST_CASE("mech spawner: the pidfd becomes readable when the child exits, not before", "[mech][spawner]") {
  Job job(test::child({"sleep", "3600"}));
  REQUIRE(pid_of(job.out.wait_for("ready")) == job.pid());
  CHECK((::fcntl(job.pidfd(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK_FALSE(job.ends_within(0ms));
  ::kill(job.pid(), SIGTERM);
  CHECK(job.ends_within(10s));
  CHECK(killed_by(job.wait(), SIGTERM));
}

TEST_CASE("mech spawner: when the process that spawned the child dies, the child gets the death signal",
          "[mech][spawner]") {
  Subreaper subreaper;  // the orphaned child comes to us, so we can reap it
  KillOnExit cleanup;
  (void)start();
  auto report = ctxrun::make_pipe(), out = ctxrun::make_pipe();
  const pid_t helper = ::fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {  // the spawner: its own start state, then it waits to be killed
    ctxrun::StartState state = start().state;
    state.pid = ::getpid();
    const auto argv = test::child({"print-signals"});
    auto req = request(argv, out.write.get(), SIGTERM);
    req.start = &state;
    auto r = ctxrun::spawn(req);
    const pid_t pid = std::holds_alternative<ctxrun::Spawned>(r) ? std::get<ctxrun::Spawned>(r).pid : -1;
    [[maybe_unused]] auto n = ::write(report.write.get(), &pid, sizeof pid);
    for (;;) ::pause();
  }
  cleanup.pids.push_back(helper);
  report.write.reset();
  out.write.reset();
  pid_t child = -1;
  REQUIRE(readable(report.read.get(), 10s));
  REQUIRE(::read(report.read.get(), &child, sizeof child) == sizeof child);
  REQUIRE(child > 0);
  cleanup.groups.push_back(child);
  Lines lines(std::move(out.read));
  REQUIRE(pid_of(lines.wait_for("ready")) == child);

  ::kill(helper, SIGKILL);
  CHECK(killed_by(reap(helper), SIGKILL));
  CHECK(lines.wait_for("signal TERM") == "signal TERM");
  CHECK(exited_with(reap(child), 0));  // print-signals returns 0 after TERM
  CHECK_FALSE(test::alive(child));
}

TEST_CASE("mech spawner: a child that finds its spawner already gone never execs", "[mech][spawner]") {
  // The child checks getppid() against the start state's pid right after PR_SET_PDEATHSIG: a
  // start state of another process stands in for a spawner that died before that check.
  ctxrun::StartState other = start().state;
  other.pid = ::getppid();
  const auto argv = test::child({"sleep", "3600"});
  auto pipe = ctxrun::make_pipe();
  auto req = request(argv, pipe.write.get(), SIGTERM);
  req.start = &other;
  auto r = ctxrun::spawn(req);
  pipe.write.reset();
  Lines out(std::move(pipe.read));
  if (auto* s = std::get_if<ctxrun::Spawned>(&r)) {
    KillOnExit cleanup;
    cleanup.pids.push_back(s->pid);
    CHECK(exited_with(reap(s->pid), 127));
  }
  CHECK(out.read_to_eof());
  CHECK(out.text().empty());  // testchild would have printed `ready`
}
