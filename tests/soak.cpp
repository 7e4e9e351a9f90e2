// soak.cpp — a randomized, seeded soak test of the ctxrun binary.
//
// Each run draws a scenario from (seed, run index) alone: 1 to 8 jobs of the kinds in Kind,
// random options (-t, -g, --job-timeout, --retries, --stop-on, --output, -j, -s, -f,
// --report) and external events (signals to ctxrun, a reader of its stdout that stalls, then
// reads or closes). The soak runs ctxrun as its own child subreaper, then checks:
//   1. time: ctxrun exits within the first trigger (deadline, signal) plus the grace and a
//      bound, or within the jobs' own time plus the grace and a bound; jobs end in time too
//   2. survivors: no process carrying the run's TEST_TOKEN is alive once ctxrun has exited
//   3. reaping: nothing ctxrun started is re-parented to the soak (alive or zombie)
//   4. status: the exit status, the report's cause, the summary's cause line and every
//      job's outcome and attempts agree with each other and with the man page
//   5. lines: every line a job wrote arrives whole, numbered 1..k per job, attempt and
//      stream (a cancel may cut the tail, never the middle), grouped in group mode
// A violation prints the run, the exact command line and the events; `soak --seed S --run I`
// replays the scenario (the scenario, not the scheduling of the machine).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/src.hpp>

#include "harness.hpp"
#include "numbered_line.hpp"

using test::numbered_line;

extern char** environ;

namespace {

namespace json = boost::json;
using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Randomness: splitmix64, so a scenario depends on (seed, run) and on nothing else (not on
// the standard library's distributions, which differ between implementations).

struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  long range(long lo, long hi) { return lo + static_cast<long>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  bool chance(int percent) { return range(1, 100) <= percent; }
  Ms ms(long lo, long hi) { return Ms(range(lo, hi)); }
};

Rng rng_for(std::uint64_t seed, long run) {
  Rng r{seed ^ (static_cast<std::uint64_t>(run) * 0xd1b54a32d192ed03ull)};
  r.next();
  return r;
}

// ---------------------------------------------------------------------------------------
// The scenario.

enum class Kind {
  Exit,        // exits with a status after a while
  Crash,       // dies of SIGSEGV or SIGABRT after a while
  IgnoreTerm,  // ignores TERM, INT and HUP, sleeps
  Escape,      // a setsid grandchild keeps running, stdio on /dev/null
  DoubleFork,  // a grandchild in the job's group keeps running
  HoldPipe,    // a setsid grandchild keeps running and holds the job's stdout and stderr
  Lines,       // numbered, checksummed lines on stdout and stderr, fast
  Nest,        // a nested ctxrun with jobs of its own
  Stdin,       // reads stdin to the end
  NewGroup,    // a child moves to a process group of its own
};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Exit: return "exit";
    case Kind::Crash: return "crash";
    case Kind::IgnoreTerm: return "ignore";
    case Kind::Escape: return "escape";
    case Kind::DoubleFork: return "dfork";
    case Kind::HoldPipe: return "hold";
    case Kind::Lines: return "lines";
    case Kind::Nest: return "nest";
    case Kind::Stdin: return "stdin";
    case Kind::NewGroup: return "group";
  }
  return "?";
}

const std::vector<std::string> kOutputs = {"prefix", "raw", "group", "inherit"};

/// How an attempt ends when nothing stops it: one exit status or one signal; none for a
/// job whose end cannot be told in advance (a nested ctxrun).
struct End {
  int code = 0;
  int signal = 0;
};

struct Job {
  std::string name;
  Kind kind = Kind::Exit;
  std::string command;     // the -c text
  Ms natural{};            // an attempt's time when nothing stops it, at most
  std::optional<End> end;  // how it ends by itself
  bool risky = false;      // meets a bug ctxrun is known to have (see --safe)
  long lines = 0;          // Lines: lines on stdout (and lines / 4 on stderr)
  // Nest: the inner run.
  std::vector<Job> inner;
  std::string inner_output;
  Ms inner_grace{};
};

struct Signal {
  int sig;
  Ms delay;  // after ctxrun's handlers are in place
};

struct Scenario {
  std::uint64_t seed = 0;
  long run = 0;
  std::vector<Job> jobs;
  std::string output;  // one of kOutputs
  std::optional<Ms> timeout, job_timeout;
  Ms grace{};
  int retries = 0;
  Ms retry_delay{};
  std::string stop_on = "failure";
  std::optional<long> max_jobs;  // -j
  int first_signal = SIGTERM;
  bool report = false;
  bool jobs_file = false;
  std::vector<Signal> signals;
  std::optional<Ms> stall;  // stdout unread until then
  bool stall_closes = false;
  std::vector<std::string> args;  // ctxrun's argv, args[0] the binary
  std::string jobs_file_text;
};

std::string ms_text(Ms d) { return d.count() == 0 ? "0" : std::to_string(d.count()) + "ms"; }
std::string secs_text(Ms d) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", static_cast<double>(d.count()) / 1000.0);
  return b;
}

struct Paths {
  std::string ctxrun, testchild, dir;
};

// The largest grace of the run and of its nested runs: what one stop can take.
Ms max_grace(const Scenario& s) {
  Ms g = s.grace;
  for (const auto& j : s.jobs)
    if (j.kind == Kind::Nest) g = std::max(g, j.inner_grace);
  return g;
}

Job draw_job(Rng& r, const Paths& p, bool safe, int depth, std::string name) {
  Job j;
  j.name = std::move(name);
  const std::string tc = p.testchild;
  for (;;) {
    const long roll = r.range(1, 100);
    j.kind = roll <= 18   ? Kind::Exit
             : roll <= 26 ? Kind::Crash
             : roll <= 36 ? Kind::IgnoreTerm
             : roll <= 44 ? Kind::Escape
             : roll <= 52 ? Kind::DoubleFork
             : roll <= 60 ? Kind::HoldPipe
             : roll <= 78 ? Kind::Lines
             : roll <= 86 ? Kind::Nest
             : roll <= 90 ? Kind::Stdin
                          : Kind::NewGroup;
    if (safe && j.kind == Kind::HoldPipe) continue;
    if (depth > 0 && j.kind == Kind::Nest) continue;
    break;
  }
  const Ms wait = r.ms(0, 800);
  switch (j.kind) {
    case Kind::Exit: {
      const int code = r.chance(60) ? 0 : std::vector<int>{1, 2, 3, 42}[static_cast<std::size_t>(r.range(0, 3))];
      j.command = tc + " after " + std::to_string(wait.count()) + " exit " + std::to_string(code);
      j.natural = wait;
      j.end = End{code, 0};
      break;
    }
    case Kind::Crash: {
      const int sig = r.chance(50) ? SIGSEGV : SIGABRT;
      j.command = tc + " after " + std::to_string(wait.count()) + " kill " + std::to_string(sig);
      j.natural = wait;
      j.end = End{0, sig};
      break;
    }
    case Kind::IgnoreTerm:
      j.command = tc + " ignore 15 2 1 -- sleep " + secs_text(wait);
      j.natural = wait;
      j.end = End{};
      break;
    case Kind::Escape:
      // The escapee ignores TERM half the time: then only SIGKILL ends it.
      j.command = tc + (r.chance(50) ? " ignore 15 2 1 --" : "") + " after " + std::to_string(wait.count()) +
                  " escape 3600";
      j.natural = wait;
      j.end = End{};
      break;
    case Kind::DoubleFork:
      j.command = tc + (r.chance(50) ? " ignore 15 2 1 --" : "") + " after " + std::to_string(wait.count()) +
                  " double-fork 3600";
      j.natural = wait;
      j.end = End{};
      break;
    case Kind::HoldPipe:
      j.command = tc + " hold-pipe 3600 " + std::to_string(wait.count());
      j.natural = wait;
      j.end = End{};
      j.risky = true;
      break;
    case Kind::Lines: {
      const long bucket = r.range(1, 10);
      j.lines = bucket <= 5 ? r.range(1, 300) : bucket <= 8 ? r.range(300, 3000) : r.range(3000, 30000);
      if (depth > 0) j.lines = std::min(j.lines, 3000L);
      const Ms spread = r.chance(60) ? Ms(0) : r.ms(50, 600);
      j.command = tc + " numbered " + std::to_string(j.lines) + " " + std::to_string(spread.count());
      j.natural = spread + Ms(j.lines / 20);  // 20 lines a millisecond, with room to spare
      j.end = End{};
      break;
    }
    case Kind::Nest: {
      const int n = static_cast<int>(r.range(1, 3));
      j.inner_output = kOutputs[static_cast<std::size_t>(r.range(0, 3))];
      j.inner_grace = r.ms(0, 300);
      std::string cmd = p.ctxrun + " -g " + ms_text(j.inner_grace) + " --output " + j.inner_output;
      std::optional<Ms> t;
      if (r.chance(30)) {
        t = r.ms(100, 1200);
        cmd += " -t " + ms_text(*t);
      }
      if (r.chance(40)) cmd += std::string(" --stop-on ") + (r.chance(50) ? "never" : "first");
      std::string names, commands;
      Ms sum{};
      for (int i = 1; i <= n; ++i) {
        Job in = draw_job(r, p, safe, depth + 1, "in" + std::to_string(i));
        names += (i > 1 ? "," : "") + in.name;
        commands += " -c '" + in.command + "'";
        sum += in.natural;
        j.risky |= in.risky;
        j.inner.push_back(std::move(in));
      }
      j.command = cmd + " -n " + names + commands;
      j.natural = sum + 3 * j.inner_grace;
      if (t) j.natural = std::min(j.natural, *t + 3 * j.inner_grace);
      break;
    }
    case Kind::Stdin:
      j.command = tc + " after " + std::to_string(wait.count()) + " stdin";
      j.natural = wait;
      j.end = End{};
      break;
    case Kind::NewGroup: {
      // The child keeps the job's pipes or not; the job exits at once or waits for it.
      const bool keep = r.chance(40) && !safe;
      const bool wait_for_it = r.chance(50);
      const Ms sleep = wait_for_it ? r.ms(100, 800) : Ms(3'600'000);
      j.command = tc + " new-group " + secs_text(sleep) + (keep ? " keep" : " null") +
                  (wait_for_it ? " wait" : " exit");
      j.natural = wait_for_it ? sleep : Ms(0);
      j.end = End{};
      j.risky = keep;
      break;
    }
  }
  return j;
}

Scenario draw(std::uint64_t seed, long run, const Paths& p, bool safe) {
  Rng r = rng_for(seed, run);
  Scenario s;
  s.seed = seed;
  s.run = run;
  const int n = static_cast<int>(r.range(1, 8));
  for (int i = 1; i <= n; ++i) {
    Job j = draw_job(r, p, safe, 0, "");
    j.name = std::string(kind_name(j.kind)) + std::to_string(i);
    s.jobs.push_back(std::move(j));
  }
  const long out = r.range(1, 100);
  s.output = out <= 35 ? "prefix" : out <= 55 ? "raw" : out <= 80 ? "group" : "inherit";
  if (r.chance(45)) s.timeout = r.ms(150, 1800);
  s.grace = r.chance(15) ? Ms(0) : r.ms(1, 300);
  if (r.chance(20)) s.job_timeout = r.ms(100, 1200);
  const long retries = r.range(1, 10);
  s.retries = retries <= 7 ? 0 : retries <= 9 ? 1 : 2;
  if (s.retries) s.retry_delay = r.ms(0, 60);
  const long stop = r.range(1, 100);
  s.stop_on = stop <= 45 ? "failure" : stop <= 65 ? "never" : stop <= 80 ? "first" : "success";
  const bool limit_jobs = r.chance(25);
  const long max_jobs = r.range(1, n);
  if (limit_jobs) s.max_jobs = max_jobs;
  if (r.chance(15)) s.first_signal = SIGINT;
  s.report = r.chance(90);
  s.jobs_file = r.chance(20);

  // Events: signals at a random moment of the run's expected length; a stalled reader.
  Ms expected{};
  for (const auto& j : s.jobs) expected = std::max(expected, j.natural);
  if (s.timeout) expected = std::min(expected, *s.timeout);
  if (r.chance(30)) {
    const std::vector<int> sigs = {SIGINT, SIGTERM, SIGHUP};
    const Ms at = r.ms(0, expected.count() * 12 / 10 + 20);
    s.signals.push_back({sigs[static_cast<std::size_t>(r.range(0, 2))], at});
    if (r.chance(30)) s.signals.push_back({sigs[static_cast<std::size_t>(r.range(0, 2))], at + r.ms(0, 300)});
  }
  const bool stall = r.chance(25);
  // Longer than the slack of the attempts' bound: a deadline held back by the stall shows.
  const Ms stall_for = r.ms(300, 4000);
  const bool closes = r.chance(30);
  if (stall && !safe) {
    s.stall = stall_for;
    s.stall_closes = closes;
  }

  s.args = {p.ctxrun};
  std::string names;
  for (const auto& j : s.jobs) names += (names.empty() ? "" : ",") + j.name;
  s.args.insert(s.args.end(), {"-n", names, "-g", ms_text(s.grace), "--output", s.output});
  if (s.timeout) s.args.insert(s.args.end(), {"-t", ms_text(*s.timeout)});
  if (s.job_timeout) s.args.insert(s.args.end(), {"--job-timeout", ms_text(*s.job_timeout)});
  if (s.retries)
    s.args.insert(s.args.end(), {"--retries", std::to_string(s.retries), "--retry-delay", ms_text(s.retry_delay)});
  if (s.stop_on != "failure" || r.chance(50)) s.args.insert(s.args.end(), {"--stop-on", s.stop_on});
  if (s.max_jobs) s.args.insert(s.args.end(), {"-j", std::to_string(*s.max_jobs)});
  if (s.first_signal == SIGINT) s.args.insert(s.args.end(), {"-s", "INT"});
  if (s.report) s.args.insert(s.args.end(), {"--report", p.dir + "/report-" + std::to_string(run) + ".json"});
  if (s.jobs_file) {
    // A comment and a blank line, which the parser skips, around the jobs.
    s.jobs_file_text = "# soak run " + std::to_string(run) + "\n\n";
    for (const auto& j : s.jobs) s.jobs_file_text += j.command + "\n";
    s.args.insert(s.args.end(), {"-f", p.dir + "/jobs-" + std::to_string(run) + ".txt"});
  } else {
    for (const auto& j : s.jobs) s.args.insert(s.args.end(), {"-c", j.command});
  }
  return s;
}

bool has_nest(const Scenario& s) {
  return std::any_of(s.jobs.begin(), s.jobs.end(), [](const Job& j) { return j.kind == Kind::Nest; });
}

std::string signame(int sig) { return std::string("SIG") + (sigabbrev_np(sig) ? sigabbrev_np(sig) : "?"); }

int signum(std::string_view name) {
  for (int s = 1; s < NSIG; ++s)
    if (sigabbrev_np(s) && name == signame(s)) return s;
  return 0;
}

// What --safe leaves out, as found in this scenario.
std::string risky_parts(const Scenario& s) {
  std::string r;
  if (std::any_of(s.jobs.begin(), s.jobs.end(), [](const Job& j) { return j.risky; }))
    r = "a process that left its job keeps the job's pipes";
  if (s.stall) r += (r.empty() ? "" : "; ") + std::string("a stalled reader");
  return r;
}

std::string describe_events(const Scenario& s) {
  std::string e;
  for (const auto& sig : s.signals)
    e += (e.empty() ? "" : ", ") + signame(sig.sig) + " " + std::to_string(sig.delay.count()) + "ms after ready";
  if (s.stall)
    e += (e.empty() ? "" : ", ") + std::string("stdout unread until ") + std::to_string(s.stall->count()) +
         "ms, then " + (s.stall_closes ? "closed" : "read");
  return e.empty() ? "none" : e;
}

std::string describe_scenario(const Scenario& s) {
  std::string kinds;
  for (const auto& j : s.jobs) kinds += (kinds.empty() ? "" : ",") + std::string(kind_name(j.kind));
  std::string o = std::to_string(s.jobs.size()) + " jobs [" + kinds + "] " + s.output;
  if (s.timeout) o += " -t " + ms_text(*s.timeout);
  o += " -g " + ms_text(s.grace);
  if (s.job_timeout) o += " --job-timeout " + ms_text(*s.job_timeout);
  if (s.retries) o += " --retries " + std::to_string(s.retries);
  o += " --stop-on " + s.stop_on;
  if (s.max_jobs) o += " -j " + std::to_string(*s.max_jobs);
  if (s.first_signal == SIGINT) o += " -s INT";
  if (s.jobs_file) o += " -f";
  if (s.signals.size() || s.stall) o += "; " + describe_events(s);
  return o;
}

// ---------------------------------------------------------------------------------------
// Bounds (invariant 1).

// The run's own time when nothing cancels it: every attempt one after the other (a bound
// for any -j), the retry delays (backoff 2, jitter below 1.2), the stall.
Ms natural_time(const Scenario& s) {
  Ms sum{};
  for (const auto& j : s.jobs) {
    Ms attempt = j.natural;
    if (s.job_timeout) attempt = std::min(attempt, *s.job_timeout + 3 * max_grace(s));
    sum += (s.retries + 1) * attempt + s.retries * (s.retry_delay * 24 / 10);
  }
  if (s.stall) sum += *s.stall;
  return sum;
}

constexpr Ms kSlack = 2s;         // for ctxrun's exit
constexpr Ms kAttemptSlack = 1s;  // for a job's end after the trigger: signals go out at once

/// What a stop takes: the grace, once more for a nested ctxrun killed after it and the
/// orphans that leaves, once more for what a job left behind that ignores the first signal.
Ms stop_time(const Scenario& s) { return 3 * max_grace(s); }

/// The latest ctxrun may exit, from its start, given when the first signal was sent.
/// After the deadline, ctxrun's last output may wait for a stalled reader: the jobs are
/// stopped on time (checked on the report's attempts) and the output is not dropped. A
/// signal is not to wait for the reader (the man page: a slow reader cannot delay a signal),
/// or a ctxrun whose reader stalls for good could not be stopped at all.
Ms exit_bound(const Scenario& s, std::optional<Ms> signal_at) {
  Ms bound = natural_time(s) + stop_time(s);
  if (s.timeout) bound = std::min(bound, std::max(*s.timeout + stop_time(s), s.stall.value_or(Ms(0))));
  if (signal_at) bound = std::min(bound, *signal_at + stop_time(s));
  return bound + kSlack;
}

/// The first deadline or signal: no attempt may end much later.
std::optional<Ms> first_trigger(const Scenario& s, std::optional<Ms> signal_at) {
  if (!signal_at) return s.timeout;
  return s.timeout ? std::min(*s.timeout, *signal_at) : *signal_at;
}

// ---------------------------------------------------------------------------------------
// Running one scenario.

volatile sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

struct Observed {
  int wait_status = 0;
  bool hung = false;  // killed with SIGKILL at the hard limit
  Ms elapsed{};
  std::string out, err;
  bool out_closed = false;               // the soak closed its end while ctxrun ran
  bool stalled_at_exit = false;          // ctxrun exited while the soak was not reading
  std::vector<std::pair<int, Ms>> sent;  // signals sent, and when
  std::optional<Ms> ready;               // ctxrun's handlers were in place
  std::vector<pid_t> survivors;          // still alive after the bound
  std::vector<std::string> adopted;      // re-parented to the soak
  std::chrono::system_clock::time_point started_wall;
  std::optional<std::string> report;
  int shell_status() const { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status); }
};

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

// Bit sig-1 of SigCgt: ctxrun catches the signal, so one sent now cancels the run instead of
// killing ctxrun before it could clean up.
bool catches(pid_t pid, const std::vector<Signal>& sigs) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("SigCgt:");
  if (at == std::string::npos) return false;
  const std::uint64_t mask = std::strtoull(status.c_str() + at + 7, nullptr, 16);
  return std::all_of(sigs.begin(), sigs.end(), [&](const Signal& s) { return (mask >> (s.sig - 1)) & 1; });
}

std::string describe_process(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::string cmd = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  const auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size())
    return std::to_string(pid) + " (gone)";
  // A zombie has no command line left, but still its name.
  return std::to_string(pid) + " (" + stat.substr(open + 1, close - open - 1) + ", state " + stat[close + 2] + ")" +
         (cmd.empty() ? "" : ": " + cmd);
}

// Children of the soak: with ctxrun reaped, each one was re-parented here.
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  std::istringstream in(read_file("/proc/self/task/" + std::to_string(::getpid()) + "/children"));
  for (pid_t p; in >> p;) out.push_back(p);
  return out;
}

// Kills whatever carries the token and reaps every child of the soak, with a bound.
void clean_up(const std::string& token) {
  const auto until = Clock::now() + 5s;
  for (;;) {
    const auto left = test::survivors(token);
    for (pid_t p : left) ::kill(p, SIGKILL);
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if ((left.empty() && own_children().empty()) || Clock::now() > until) return;
    timespec ts{0, 2'000'000};
    ::nanosleep(&ts, nullptr);  // a bounded poll: killed processes take a moment to go
  }
}

std::vector<std::string> child_environment(const std::string& token) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view kv = *e;
    const auto key = kv.substr(0, kv.find('='));
    if (key.rfind("CTXRUN_", 0) == 0 || key == "TEST_TOKEN" || key == "CLICOLOR_FORCE" || key == "FORCE_COLOR")
      continue;
    env.emplace_back(kv);
  }
  env.push_back("TEST_TOKEN=" + token);
  return env;
}

Ms since(Clock::time_point t) { return std::chrono::duration_cast<Ms>(Clock::now() - t); }

bool read_some(int& fd, std::string& into) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      ::close(fd);
      fd = -1;
      return false;
    }
    return errno == EAGAIN || errno == EINTR;
  }
}

Observed execute(const Scenario& s, const std::string& token, const std::string& report_path) {
  Observed o;
  int out[2], err[2], exec_done[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(exec_done, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2");
  std::vector<std::string> env = child_environment(token), argv = s.args;
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const pid_t soak = ::getpid();
  const auto started = Clock::now();
  o.started_wall = std::chrono::system_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    // If the soak dies (a ctest timeout), so does ctxrun, and its watchdog ends the rest.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != soak) ::_exit(127);
    ::setpgid(0, 0);  // a Ctrl-C meant for the soak is not a scenario event
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  // Until the exec, the child is a copy of the soak, whose own handlers for INT, TERM and HUP
  // show in its SigCgt: the readiness check below must only look at ctxrun itself. The pipe
  // reads EOF when its write end closes, at the exec (or the exit).
  ::close(exec_done[1]);
  char byte;
  while (::read(exec_done[0], &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(exec_done[0]);
  int outfd = out[0], errfd = err[0];
  ::fcntl(outfd, F_SETFL, O_NONBLOCK);
  ::fcntl(errfd, F_SETFL, O_NONBLOCK);
  const int exited = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool stalled = s.stall.has_value();
  std::size_t next_signal = 0;
  bool killed = false;
  for (;;) {
    const Ms now = since(started);
    if (!o.ready && !s.signals.empty() && (catches(pid, s.signals) || now > 3s)) o.ready = now;
    std::optional<Ms> wake;
    const auto at = [&](Ms t) { wake = wake ? std::min(*wake, t) : t; };
    if (next_signal < s.signals.size()) {
      if (!o.ready) {
        at(now + 1ms);  // the bounded poll for the handlers: a few milliseconds at start
      } else if (now >= *o.ready + s.signals[next_signal].delay) {
        ::kill(pid, s.signals[next_signal].sig);
        o.sent.emplace_back(s.signals[next_signal].sig, now);
        ++next_signal;
        continue;
      } else {
        at(*o.ready + s.signals[next_signal].delay);
      }
    }
    if (stalled) {
      if (now >= *s.stall) {
        stalled = false;
        if (s.stall_closes) {
          ::close(outfd);
          outfd = -1;
          o.out_closed = true;
        }
      } else {
        at(*s.stall);
      }
    }
    // The hard limit, with the first signal when it was sent, or when it is due.
    Ms hard = exit_bound(s, std::nullopt) + kSlack;
    if (!o.sent.empty()) hard = exit_bound(s, o.sent.front().second) + kSlack;
    else if (!s.signals.empty()) hard = exit_bound(s, o.ready.value_or(now) + s.signals.front().delay) + kSlack;
    if (!killed && (now >= hard || interrupted)) {
      ::kill(pid, SIGKILL);
      killed = true;
      o.hung = !interrupted;
    }
    at(killed ? now + 1s : hard);
    pollfd fds[3] = {{exited, POLLIN, 0}, {errfd, POLLIN, 0}, {stalled ? -1 : outfd, POLLIN, 0}};
    ::poll(fds, 3, static_cast<int>(std::max(Ms(0), *wake - now).count()));
    if (errfd >= 0) read_some(errfd, o.err);
    if (outfd >= 0 && !stalled) read_some(outfd, o.out);
    if (fds[0].revents & POLLIN) break;
  }
  o.elapsed = since(started);
  o.stalled_at_exit = stalled;
  ::waitpid(pid, &o.wait_status, 0);
  ::close(exited);

  // 3: ctxrun is reaped; whatever is our child now was left to us.
  for (pid_t p : own_children()) o.adopted.push_back(describe_process(p));
  // 2: a process killed a moment ago may still be on its way out: a short bounded poll.
  test::eventually([&] { return test::survivors(token).empty(); }, 500ms);
  o.survivors = test::survivors(token);
  clean_up(token);

  // What ctxrun wrote before it exited: read it all now (the stall is over with the run).
  const auto until = Clock::now() + 2s;
  while ((outfd >= 0 || errfd >= 0) && Clock::now() < until) {
    pollfd fds[2] = {{errfd, POLLIN, 0}, {outfd, POLLIN, 0}};
    ::poll(fds, 2, 20);
    if (errfd >= 0) read_some(errfd, o.err);
    if (outfd >= 0) read_some(outfd, o.out);
  }
  for (int fd : {outfd, errfd})
    if (fd >= 0) ::close(fd);
  if (s.report && ::access(report_path.c_str(), F_OK) == 0) o.report = read_file(report_path);
  return o;
}

// ---------------------------------------------------------------------------------------
// Checks.

struct Violations {
  std::vector<std::string> list;
  template <class... T>
  void add(T&&... parts) {
    std::string text;
    ((text += parts), ...);
    list.push_back(std::move(text));
  }
};

std::string num(long v) { return std::to_string(v); }
std::string num_ms(Ms d) { return std::to_string(d.count()) + "ms"; }

// RFC 3339 with milliseconds, in UTC, as the report writes it.
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text) {
  tm t{};
  int ms = 0;
  if (std::sscanf(std::string(text).c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour,
                  &t.tm_min, &t.tm_sec, &ms) != 7)
    return std::nullopt;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(::timegm(&t)) + Ms(ms);
}

std::string prefix_for(const std::vector<Job>& jobs, const std::string& mode, const std::string& name) {
  if (mode != "prefix" && mode != "group") return "";
  std::size_t width = 0;
  for (const auto& j : jobs) width = std::max(width, j.name.size());
  return name + std::string(width - name.size(), ' ') + " \u2502 ";
}

const Job* find_job(const std::vector<Job>& jobs, std::string_view name) {
  for (const auto& j : jobs)
    if (j.name == name) return &j;
  return nullptr;
}

// Lines that are not numbered: what testchild prints, and ctxrun's own (a nested run's).
bool known_line(std::string_view line) {
  // Any number of prefixes `name │ ` first.
  for (;;) {
    const auto bar = line.find(" \u2502 ");
    if (bar == std::string_view::npos) break;
    const auto name = line.substr(0, bar);
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789 ") != std::string_view::npos)
      break;
    line.remove_prefix(bar + std::string_view(" \u2502 ").size());
  }
  if (line.rfind("ctxrun: ", 0) == 0) return true;
  for (std::string_view word : {"ready ", "escaped ", "orphan ", "child "}) {
    if (line.rfind(word, 0) != 0) continue;
    const auto rest = line.substr(word.size());
    return !rest.empty() && rest.find_first_not_of("0123456789") == std::string_view::npos;
  }
  return false;
}

struct Delivered {
  long lines = 0;
  std::uint64_t bytes = 0;
};

// ctxrun was sent a signal and exited while its stdout was unread: a signal does not wait for
// the reader (see exit_bound), so what ctxrun still held may be lost, the last line cut.
// ctxrun gives up on output for a reader that stalled: on a signal, or once the grace after
// the deadline is over (it says so: "... bytes of output were not written").
bool tail_may_be_cut(const Observed& o) {
  return (!o.sent.empty() || o.err.find(" bytes of output were not written") != std::string::npos) && o.stalled_at_exit;
}

// Invariant 5. `counts`: per `name:attempt:stream` of the run's own jobs, what arrived.
void check_lines(const Scenario& s, const Observed& o, const std::string& text, char stream, Violations& v,
                 std::map<std::string, Delivered>& counts, const json::array* report_jobs) {
  std::map<std::string, long> last_seq;  // per full key
  // Group mode: each job attempt's block is contiguous.
  std::set<std::string> closed_blocks;
  std::string block, block_owner;
  // A nested ctxrun killed with SIGKILL may leave half a line in its job's pipe, which the
  // outer run then ends with a newline: allowed once per such attempt.
  std::map<std::string, int> cut_allowance;
  if (!report_jobs)  // no report to tell which attempts were killed: any of them may have been
    for (const auto& j : s.jobs)
      if (j.kind == Kind::Nest) cut_allowance[j.name] = s.retries + 1;
  if (report_jobs)
    for (const auto& jv : *report_jobs) {
      const auto& jo = jv.as_object();
      const Job* j = find_job(s.jobs, std::string(jo.at("name").as_string()));
      if (!j || j->kind != Kind::Nest) continue;
      for (const auto& av : jo.at("attempts").as_array()) {
        const auto& sig = av.as_object().at("signal");
        if (sig.is_string() && sig.as_string() == "SIGKILL") cut_allowance[j->name]++;
      }
    }
  std::size_t pos = 0;
  int reported = 0;
  const auto bad = [&](std::string what, std::string_view line) {
    if (++reported > 5) return;
    v.add("5 lines: ", what, " on std", stream == 'o' ? "out" : "err", ": \"", std::string(line.substr(0, 160)),
          line.size() > 160 ? "…" : "", "\"");
  };
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      // A last line without a newline: only when the soak stopped reading in the middle, or
      // when ctxrun, sent a signal, exited with output queued for a reader that stalled.
      if (!(stream == 'o' && o.out_closed) && !tail_may_be_cut(o))
        bad("a last line without a newline", std::string_view(text).substr(pos));
      break;
    }
    const std::string_view line = std::string_view(text).substr(pos, nl - pos);
    pos = nl + 1;
    // The outer job this line came from, by its prefix (prefix and group modes).
    std::string owner;
    if (s.output == "prefix" || s.output == "group") {
      const auto bar = line.find(" \u2502 ");
      if (bar != std::string_view::npos) {
        owner = std::string(line.substr(0, bar));
        owner.erase(owner.find_last_not_of(' ') + 1);
      }
    }
    const auto mark = line.find("~L ");
    if (mark == std::string_view::npos) {
      if (!known_line(line)) {
        // Without a prefix (raw output) the piece could be any nested run's.
        std::string cut_by = owner;
        if (owner.empty())
          for (const auto& [name, left] : cut_allowance)
            if (left > 0) cut_by = name;
        if (cut_allowance[cut_by] > 0) {
          cut_allowance[cut_by]--;
        } else {
          bad("a broken or unknown line", line);
        }
      }
      if (s.output == "group" && owner != block_owner) {
        if (!block.empty()) closed_blocks.insert(block);
        block = "";
        block_owner = owner;
      }
      continue;
    }
    // ~L KEY SEQ PAYLOAD SUM~, KEY = path:attempt:lineage:stream
    const std::string_view body = line.substr(mark);
    const auto sp1 = body.find(' ', 3), sp2 = sp1 == std::string_view::npos ? sp1 : body.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
      bad("a broken numbered line", line);
      continue;
    }
    const std::string key(body.substr(3, sp1 - 3));
    const long seq = std::atol(std::string(body.substr(sp1 + 1, sp2 - sp1 - 1)).c_str());
    std::vector<std::string> parts;
    for (std::size_t a = 0, b; (b = key.find(':', a)), true; a = b + 1) {
      parts.emplace_back(key.substr(a, b == std::string::npos ? std::string::npos : b - a));
      if (b == std::string::npos) break;
    }
    const std::string path = parts[0];
    const auto slash = path.find('/');
    const std::string outer = path.substr(0, slash);
    const Job* job = find_job(s.jobs, outer);
    const Job* inner = job && slash != std::string::npos ? find_job(job->inner, path.substr(slash + 1)) : nullptr;
    if (seq <= 0 || body != numbered_line(key, seq) || parts.size() != 4) {
      if (job && job->kind == Kind::Nest && cut_allowance[outer] > 0) {
        cut_allowance[outer]--;
        continue;
      }
      bad("a broken numbered line", line);
      continue;
    }
    if (!job || (slash != std::string::npos && !inner)) {
      bad("a line from no job of the run", line);
      continue;
    }
    if (parts[3] != std::string(1, stream)) bad("a line on the wrong stream", line);
    std::string expected_prefix = prefix_for(s.jobs, s.output, outer);
    if (inner) expected_prefix += prefix_for(job->inner, job->inner_output, inner->name);
    if (line.substr(0, mark) != expected_prefix)
      bad("a line with the wrong prefix (expected \"" + expected_prefix + "\")", line);
    long& last = last_seq[key];
    if (seq != last + 1) {
      bad(last == 0 ? "the first line numbered " + num(seq) + ", not 1"
                    : "line " + num(seq) + " after line " + num(last) + " (a gap, a repeat or out of order)",
          line);
    }
    last = seq;
    if (!inner) {
      Delivered& d = counts[outer + ":" + parts[1] + ":" + parts[3]];
      ++d.lines;
      d.bytes += body.size() + 1;
    }
    if (s.output == "group") {
      // A block: one attempt of an outer job (the attempt of a nested line is its ctxrun's id).
      const std::string this_block = outer + (inner ? "|run " + parts[2] : "|attempt " + parts[1]);
      if (this_block != block) {
        if (closed_blocks.count(this_block)) bad("group mode: a job attempt's lines not together", line);
        if (!block.empty()) closed_blocks.insert(block);
        block = this_block;
        block_owner = outer;
      }
    }
  }
}

// The lines the summary adds after the jobs' (processes left behind, output given up on).
void drop_aftermath(std::vector<std::string>& err) {
  const auto aftermath = [](const std::string& l) {
    return l.rfind("ctxrun: stopped ", 0) == 0 || l.rfind("ctxrun: could not stop ", 0) == 0 ||
           l.find(" bytes of output were not written") != std::string::npos;
  };
  while (!err.empty() && aftermath(err.back())) err.pop_back();
}

// The summary's cause line, worded from the report's cause (see summary.cpp and the man page).
std::string expected_cause_line(const Scenario& s, const json::value& cause, const json::array& jobs) {
  if (cause.is_null())
    return jobs.size() == 1 ? "ctxrun: 1 job succeeded in "
                            : "ctxrun: all " + num(static_cast<long>(jobs.size())) + " jobs succeeded in ";
  const auto& c = cause.as_object();
  const std::string message(c.at("message").as_string());
  // A job's failure that did not end the run (--stop-on never, or success with no winner): the
  // run ran its course, and the summary counts the failures before the first one.
  const bool ran_its_course = s.stop_on == "never" ||
                              (s.stop_on == "success" && c.at("kind").as_string() != "job-succeeded");
  if (ran_its_course && c.at("job").is_string()) {
    long failed = 0;
    for (const auto& j : jobs) {
      const auto outcome = j.as_object().at("outcome").as_string();
      failed += outcome == "failed" || outcome == "timed-out";
    }
    return "ctxrun: " + num(failed) + " of " + num(static_cast<long>(jobs.size())) +
           (jobs.size() == 1 ? " job" : " jobs") + " failed; the first: " + message;
  }
  return "ctxrun: " + message;
}

// Status from the cause line alone, for runs without --report. nullopt: not understood.
std::optional<int> status_from_line(std::string line) {
  const auto first = line.find("; the first: ");
  if (first != std::string::npos) line = "ctxrun: " + line.substr(first + 13);
  if (line.rfind("ctxrun: all ", 0) == 0 || line.rfind("ctxrun: 1 job succeeded in ", 0) == 0) return 0;
  if (line.rfind("ctxrun: deadline exceeded", 0) == 0 || line.find("exceeded its deadline") != std::string::npos)
    return 124;
  for (const char* kind : {"received SIG", "stdout closed (SIG"}) {
    const auto at = line.find(kind);
    if (at == std::string::npos) continue;
    const auto sig = line.substr(at + std::strlen(kind) - 3);
    return 128 + signum(sig.substr(0, sig.find_first_of(") ")));
  }
  if (line.find("\" succeeded after") != std::string::npos) return 0;
  if (const auto at = line.find("\" exited with status "); at != std::string::npos)
    return std::atoi(line.c_str() + at + 21);
  if (const auto at = line.find("\" was killed by "); at != std::string::npos) {
    const auto sig = line.substr(at + 16);
    return 128 + signum(sig.substr(0, sig.find(' ')));
  }
  return std::nullopt;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string end_text(const json::object& a) {
  if (a.at("exit_status").is_int64()) return "status " + num(static_cast<long>(a.at("exit_status").as_int64()));
  if (a.at("signal").is_string()) return std::string(a.at("signal").as_string());
  return "no end";
}

void check_report(const Scenario& s, const Observed& o, const json::object& r, Violations& v, std::optional<Ms> trigger,
                  const std::map<std::string, Delivered>& counts, bool lines_checked) {
  const int status = o.shell_status();
  if (r.at("exit_status").as_int64() != status)
    v.add("4 status: the report says exit status ", num(static_cast<long>(r.at("exit_status").as_int64())),
          ", ctxrun's was ", num(status));
  json::array want_args;
  for (const auto& a : s.args) want_args.push_back(json::value(a));
  if (r.at("command_line").as_array() != want_args) v.add("4 report: command_line is not ctxrun's argv");
  const auto& jobs = r.at("jobs").as_array();
  if (jobs.size() != s.jobs.size()) {
    v.add("4 report: ", num(static_cast<long>(jobs.size())), " jobs, the run has ",
          num(static_cast<long>(s.jobs.size())));
    return;
  }

  // The cause and the exit status (EXIT STATUS in the man page).
  const json::value& cause = r.at("cause");
  const bool died = WIFSIGNALED(o.wait_status);
  const std::string kind = cause.is_null() ? "none" : std::string(cause.as_object().at("kind").as_string());
  const json::object* c = cause.is_null() ? nullptr : &cause.as_object();
  const std::string cause_job = c && c->at("job").is_string() ? std::string(c->at("job").as_string()) : "";
  const auto expect_status = [&](int want, const char* why) {
    if (died || status != want)
      v.add("4 status: cause ", kind, " means ", why, " ", num(want), ", but ctxrun ",
            died ? "died by " + signame(WTERMSIG(o.wait_status)) : "exited " + num(status));
  };
  if (kind == "none") {
    expect_status(0, "exit status");
    for (const auto& j : jobs)
      if (j.as_object().at("outcome").as_string() != "succeeded")
        v.add("4 status: no cause, but job ", std::string(j.as_object().at("name").as_string()), " ",
              std::string(j.as_object().at("outcome").as_string()));
  } else if (kind == "deadline-exceeded") {
    expect_status(124, "exit status");
    const double after = c->at("after_s").to_number<double>();
    const std::optional<Ms> limit = cause_job.empty() ? s.timeout : s.job_timeout;
    if (!limit)
      v.add("4 cause: deadline-exceeded", cause_job.empty() ? "" : " for job " + cause_job, ", but no such deadline");
    else if (after * 1000 < static_cast<double>(limit->count()) - 5)
      v.add("4 cause: deadline-exceeded after ", std::to_string(after), " s, before the deadline of ", num_ms(*limit));
  } else if (kind == "job-failed") {
    const auto& e = c->at("exit_status");
    const int want = e.is_int64() ? static_cast<int>(e.as_int64()) : 128 + signum(c->at("signal").as_string());
    expect_status(want, "the job's status");
    const Job* j = find_job(s.jobs, cause_job);
    if (!j) v.add("4 cause: job-failed names no job of the run: ", cause_job);
  } else if (kind == "job-succeeded") {
    expect_status(0, "exit status");
    if (s.stop_on != "success" && s.stop_on != "first") v.add("4 cause: job-succeeded with --stop-on ", s.stop_on);
  } else if (kind == "signal") {
    const int sig = signum(c->at("signal").as_string());
    if (!died || WTERMSIG(o.wait_status) != sig)
      v.add("4 status: cause signal ", signame(sig), ", but ctxrun ",
            died ? "died by " + signame(WTERMSIG(o.wait_status)) : "exited " + num(status));
    const bool sent = std::any_of(o.sent.begin(), o.sent.end(), [&](const auto& x) { return x.first == sig; });
    if (!sent && !(sig == SIGPIPE && o.out_closed)) v.add("4 cause: ", signame(sig), ", which nobody sent");
  } else if (kind == "spawn-failed") {
    v.add("4 cause: spawn-failed, but every command exists");
  } else {
    v.add("4 cause: unexpected kind ", kind);
  }

  // The summary's cause line: after the job lines are taken off the end of stderr.
  auto err = lines_of(o.err);
  drop_aftermath(err);
  std::size_t job_lines = 0;
  while (!err.empty() && err.back().rfind("ctxrun:   ", 0) == 0) {
    err.pop_back();
    ++job_lines;
  }
  const std::string want = expected_cause_line(s, cause, jobs);
  if (err.empty() || err.back().rfind(want, 0) != 0 || (!cause.is_null() && err.back().size() != want.size()))
    v.add("4 summary: the cause line is \"", err.empty() ? "" : err.back(), "\", the report's cause says \"", want,
          cause.is_null() ? "…" : "", "\"");
  std::size_t unsuccessful = 0;
  for (const auto& j : jobs) unsuccessful += j.as_object().at("outcome").as_string() != "succeeded";
  if (!cause.is_null() && job_lines != unsuccessful)
    v.add("4 summary: ", num(static_cast<long>(job_lines)), " job lines for ", num(static_cast<long>(unsuccessful)),
          " jobs that did not succeed");

  // Every job: its outcome against its attempts, each attempt against the job's kind.
  const bool inherit_closed = s.output == "inherit" && o.out_closed;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& jo = jobs[i].as_object();
    const Job& spec = s.jobs[i];
    const std::string name(jo.at("name").as_string());
    const std::string outcome(jo.at("outcome").as_string());
    const auto& attempts = jo.at("attempts").as_array();
    const auto say = [&](auto... what) { v.add("4 job ", name, ": ", what...); };
    const auto say_lines = [&](auto... what) { v.add("5 lines: job ", name, ": ", what...); };
    if (name != spec.name) say("expected the name ", spec.name);
    if (attempts.size() > static_cast<std::size_t>(s.retries + 1))
      say(num(static_cast<long>(attempts.size())), " attempts with --retries ", num(s.retries));
    if ((outcome == "not-started") != attempts.empty())
      say(outcome, " with ", num(static_cast<long>(attempts.size())), " attempts");
    std::optional<std::chrono::system_clock::time_point> previous_end;
    for (std::size_t k = 0; k < attempts.size(); ++k) {
      const auto& a = attempts[k].as_object();
      const std::string stopped(a.at("stopped").as_string()), because(a.at("stopped_because").as_string());
      const bool exit0 = a.at("exit_status").is_int64() && a.at("exit_status").as_int64() == 0;
      const bool success = exit0 && because != "job-timeout";
      const std::string at = "attempt " + num(static_cast<long>(k + 1));
      if (a.at("number").as_int64() != static_cast<long>(k + 1))
        say(at, " is numbered ", num(static_cast<long>(a.at("number").as_int64())));
      if ((stopped == "none") != (because == "none")) say(at, ": stopped ", stopped, " because ", because);
      if (stopped == "killed" && !(a.at("signal").is_string() && a.at("signal").as_string() == "SIGKILL"))
        say(at, ": stopped killed, but ended with ", end_text(a));
      if (!a.at("spawn_error").is_null()) say(at, ": could not start: ", std::string(a.at("spawn_error").as_string()));
      const auto started = parse_time(a.at("started").as_string()), ended = parse_time(a.at("ended").as_string());
      if (!started || !ended || *ended < *started) say(at, ": bad times");
      if (started && previous_end && *started < *previous_end) say(at, ": started before the attempt before it ended");
      previous_end = ended;
      if (k + 1 < attempts.size() && (success || because == "canceled"))
        say(at, ": retried after ", end_text(a), ", ", because);
      // By itself, an attempt ends as its kind says.
      if (stopped == "none" && spec.end) {
        const bool as_said = spec.end->signal
                                 ? a.at("signal").is_string() && signum(a.at("signal").as_string()) == spec.end->signal
                                 : a.at("exit_status").is_int64() && a.at("exit_status").as_int64() == spec.end->code;
        const bool sigpipe = inherit_closed && a.at("signal").is_string() && a.at("signal").as_string() == "SIGPIPE";
        if (!as_said && !sigpipe)
          say(at, ": ended by itself with ", end_text(a), ", a ", kind_name(spec.kind), " job ends with ",
              spec.end->signal ? signame(spec.end->signal) : "status " + num(spec.end->code));
      }
      // 1: no attempt outlives the first trigger by more than a stop, stalled reader or not.
      if (trigger && ended) {
        const Ms rel = std::chrono::duration_cast<Ms>(*ended - o.started_wall);
        if (rel > *trigger + stop_time(s) + kAttemptSlack)
          v.add("1 time: job ", name, ": ", at, ": ended ", num_ms(rel), " after the start, the run was canceled at ",
                num_ms(*trigger));
      }
      // 1: a run with no cause had every job end before its deadline (else the deadline is
      // the cause); a little room for a job ending as the deadline fires.
      if (kind == "none" && s.timeout && ended) {
        const Ms rel = std::chrono::duration_cast<Ms>(*ended - o.started_wall);
        if (rel > *s.timeout + 250ms)
          v.add("1 time: job ", name, ": ", at, ": ended ", num_ms(rel), " after the start, past the deadline (-t ",
                ms_text(*s.timeout), "), yet the run has no cause");
      }
      // 5: every byte read from a lines job came out (when ctxrun reads them and the soak
      // read everything); a job that wrote all its lines has them all delivered.
      if (spec.kind == Kind::Lines && lines_checked && s.output != "inherit") {
        for (const char st : {'o', 'e'}) {
          if ((st == 'o' && o.out_closed) || tail_may_be_cut(o)) continue;
          const auto it = counts.find(name + ":" + num(static_cast<long>(k + 1)) + ":" + st);
          const Delivered d = it == counts.end() ? Delivered{} : it->second;
          const auto bytes = static_cast<std::uint64_t>(a.at(st == 'o' ? "stdout_bytes" : "stderr_bytes").as_int64());
          if (d.bytes != bytes)
            say_lines(at, ": ", num(static_cast<long>(bytes)), " bytes read from its std", st == 'o' ? "out" : "err",
                      ", ", num(static_cast<long>(d.bytes)), " delivered");
          const long all = st == 'o' ? spec.lines : spec.lines / 4;
          if (exit0 && stopped == "none" && d.lines != all)
            say_lines(at, ": wrote ", num(all), " lines on std", st == 'o' ? "out" : "err", ", ", num(d.lines),
                      " delivered");
        }
      }
    }
    if (attempts.empty()) continue;
    const auto& last = attempts.back().as_object();
    const std::string stopped(last.at("stopped").as_string()), because(last.at("stopped_because").as_string());
    const bool exit0 = last.at("exit_status").is_int64() && last.at("exit_status").as_int64() == 0;
    const bool ok = outcome == "succeeded"    ? exit0 && because != "job-timeout"
                    : outcome == "failed"     ? !(exit0 && because != "job-timeout") && because != "canceled"
                    : outcome == "timed-out"  ? because == "job-timeout"
                    : outcome == "terminated" ? because == "canceled" && stopped == "terminated" && !exit0
                    : outcome == "killed"     ? because == "canceled" && stopped == "killed"
                                              : false;
    if (!ok)
      say("outcome ", outcome, ", but the last attempt ended with ", end_text(last), ", stopped ", stopped, " because ",
          because);
    // A retry that could only come at or after the run's deadline is not waited for: the
    // failure stands. The delay before attempt n+1 is retry_delay × 2^(n-1), times a jitter
    // below 1.2.
    const auto retry_past_deadline = [&] {
      const auto ended = parse_time(last.at("ended").as_string());
      if (!s.timeout || !ended) return false;
      const Ms rel = std::chrono::duration_cast<Ms>(*ended - o.started_wall);
      const Ms delay = s.retry_delay * (1L << std::min<std::size_t>(attempts.size() - 1, 20)) * 12 / 10;
      return rel + delay + 20ms >= *s.timeout;
    };
    if ((outcome == "failed" || outcome == "timed-out") && name == cause_job && s.stop_on != "never" &&
        attempts.size() != static_cast<std::size_t>(s.retries + 1) &&
        (kind == "job-failed" || kind == "deadline-exceeded") && !retry_past_deadline())
      say("ended the run after ", num(static_cast<long>(attempts.size())), " attempts of ", num(s.retries + 1));
  }
}

Violations check(const Scenario& s, const Observed& o) {
  Violations v;
  // 1: in time.
  const std::optional<Ms> signal_at = o.sent.empty() ? std::nullopt : std::optional<Ms>(o.sent.front().second);
  const std::optional<Ms> trigger = first_trigger(s, signal_at);
  const Ms bound = exit_bound(s, signal_at);
  std::string stalled;
  if (s.stall && signal_at && *signal_at < *s.stall)
    stalled = " (" + signame(o.sent.front().first) + " came at " + num_ms(*signal_at) +
              ", while ctxrun's stdout was unread until " + num_ms(*s.stall) + ")";
  if (o.hung)
    v.add("1 time: ctxrun did not exit within ", num_ms(bound + kSlack), " (bound ", num_ms(bound), "): killed it",
          stalled);
  else if (o.elapsed > bound)
    v.add("1 time: ctxrun exited after ", num_ms(o.elapsed), ", bound ", num_ms(bound), stalled);
  // The rest describes a run that ended: once the soak has killed ctxrun, its watchdog and
  // its jobs are left to the soak by design.
  if (o.hung) return v;
  // 2 and 3.
  for (pid_t p : o.survivors) v.add("2 survivor: ", describe_process(p));
  for (const auto& a : o.adopted) v.add("3 not reaped by ctxrun, re-parented to the soak: ", a);

  // 5 first: the report checks use what was delivered.
  std::map<std::string, Delivered> counts;
  std::optional<json::value> report;
  if (s.report) {
    if (!o.report || o.report->empty()) {
      v.add("4 report: none written");
    } else {
      try {
        report = json::parse(*o.report);
      } catch (const std::exception& e) {
        v.add("4 report: not JSON: ", e.what());
      }
    }
  }
  const json::array* report_jobs = nullptr;
  try {
    if (report) report_jobs = &report->as_object().at("jobs").as_array();
  } catch (const std::exception& e) {
    v.add("4 report: ", e.what());
  }
  // Jobs that share ctxrun's stdout (inherit) write whole lines, but a nested ctxrun's large
  // writes may interleave with theirs: nothing to check then.
  const bool lines_checked = !(s.output == "inherit" && has_nest(s));
  if (lines_checked) {
    check_lines(s, o, o.out, 'o', v, counts, report_jobs);
    check_lines(s, o, o.err, 'e', v, counts, report_jobs);
  }
  if (report_jobs) {
    try {
      check_report(s, o, report->as_object(), v, trigger, counts, lines_checked);
    } catch (const std::exception& e) {
      v.add("4 report: a field is missing or of the wrong type: ", e.what());
    }
  } else if (!s.report) {
    // Without a report: the status agrees with the cause line.
    auto err = lines_of(o.err);
    drop_aftermath(err);
    while (!err.empty() && err.back().rfind("ctxrun:   ", 0) == 0) err.pop_back();
    const auto want = err.empty() ? std::nullopt : status_from_line(err.back());
    if (!want) v.add("4 summary: no cause line understood; last stderr line \"", err.empty() ? "" : err.back(), "\"");
    else if (*want != o.shell_status())
      v.add("4 status: the cause line \"", err.back(), "\" means ", num(*want), ", ctxrun's was ",
            num(o.shell_status()));
  }
  return v;
}

// ---------------------------------------------------------------------------------------

struct Args {
  std::optional<std::uint64_t> seed;
  std::optional<long> runs, only;
  Ms seconds = 30s;
  bool safe = false, verbose = false, list = false;
  Paths paths{test::ctxrun_bin(), test::child_bin(), ""};
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "soak: %s\n"
               "usage: soak [--seconds N] [--seed S] [--runs K | --run I] [--safe] [--verbose] [--list]\n"
               "            [--ctxrun PATH] [--testchild PATH]\n",
               why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("a value is missing after " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--seconds") a.seconds = Ms(static_cast<long>(std::atof(value().c_str()) * 1000));
    else if (arg == "--seed") a.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (arg == "--runs") a.runs = std::atol(value().c_str());
    else if (arg == "--run") a.only = std::atol(value().c_str());
    else if (arg == "--safe") a.safe = true;
    else if (arg == "--verbose" || arg == "-v") a.verbose = true;
    else if (arg == "--list") a.list = true;
    else if (arg == "--ctxrun") a.paths.ctxrun = value();
    else if (arg == "--testchild") a.paths.testchild = value();
    else usage(("unknown argument " + arg).c_str());
  }
  return a;
}

std::string tail(const std::string& text, std::size_t lines) {
  auto all = lines_of(text);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "      " + all[i].substr(0, 200) + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  if (a.list && !a.runs && !a.only) a.runs = 100;
  const std::uint64_t seed = a.seed ? *a.seed : std::random_device{}() % 1'000'000'000;
  const std::string safe = a.safe ? " --safe" : "";
  std::printf("soak: seed %llu (replay: soak --seed %llu%s --runs K; one run alone: --run I)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed), safe.c_str());
  std::fflush(stdout);

  // Whatever ctxrun fails to reap comes to us (invariant 3); no core files from the crashes.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    std::perror("soak: prctl(PR_SET_CHILD_SUBREAPER)");
    return 2;
  }
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;  // no SA_RESTART: poll returns, the run is stopped
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  char dir[] = "/tmp/ctxrun-soak.XXXXXX";
  if (!::mkdtemp(dir)) {
    std::perror("soak: mkdtemp");
    return 2;
  }
  a.paths.dir = dir;

  const auto started = Clock::now();
  long runs = 0, failed = 0;
  std::map<char, long> by_invariant;  // violations counted by the invariant's number
  const long first = a.only ? *a.only : 1;
  for (long run = first;; ++run) {
    if (interrupted) break;
    if (a.only && run > *a.only) break;
    if (!a.only && a.runs && run > *a.runs) break;
    if (!a.only && !a.runs && since(started) >= a.seconds) break;
    const Scenario s = draw(seed, run, a.paths, a.safe);
    if (s.jobs_file) std::ofstream(a.paths.dir + "/jobs-" + std::to_string(run) + ".txt") << s.jobs_file_text;
    if (a.list) {  // the scenarios alone, to find one worth replaying
      std::printf("run %ld: %s\n  command: %s\n", run, describe_scenario(s).c_str(), test::quote(s.args).c_str());
      ++runs;
      continue;
    }
    const std::string report = a.paths.dir + "/report-" + std::to_string(run) + ".json";
    const std::string token = "soak-" + std::to_string(::getpid()) + "-" + std::to_string(seed) + "-" +
                              std::to_string(run);
    Observed o;
    try {
      o = execute(s, token, report);
    } catch (const std::exception& e) {
      clean_up(token);
      std::filesystem::remove_all(a.paths.dir);
      std::fprintf(stderr, "soak: run %ld: %s\n", run, e.what());
      return 2;
    }
    if (interrupted) break;
    ++runs;
    const Violations v = check(s, o);
    const std::string how = o.hung                       ? "hung, killed"
                            : WIFSIGNALED(o.wait_status) ? "died by " + signame(WTERMSIG(o.wait_status))
                                                         : "exit " + std::to_string(o.shell_status());
    std::printf("run %ld: %s: %s in %.2f s%s\n", run, describe_scenario(s).c_str(), how.c_str(),
                static_cast<double>(o.elapsed.count()) / 1000.0, v.list.empty() ? "" : ": VIOLATION");
    if (!v.list.empty() || a.verbose) {
      if (!v.list.empty()) ++failed;
      std::set<char> seen;
      for (const auto& what : v.list)
        if (seen.insert(what[0]).second) ++by_invariant[what[0]];
      for (const auto& what : v.list) std::printf("  violated: %s\n", what.c_str());
      std::printf("  command: %s\n", test::quote(s.args).c_str());
      if (s.jobs_file) std::printf("  jobs file:\n%s", tail(s.jobs_file_text, 20).c_str());
      std::printf("  events: %s\n", describe_events(s).c_str());
      if (!risky_parts(s).empty()) std::printf("  not in --safe: %s\n", risky_parts(s).c_str());
      for (const auto& [sig, at] : o.sent)
        std::printf("  sent %s at %lldms\n", signame(sig).c_str(), static_cast<long long>(at.count()));
      if (o.report) std::printf("  report: %s", o.report->substr(0, 600).c_str());
      std::printf("  replay: soak --seed %llu%s --run %ld\n", static_cast<unsigned long long>(seed), safe.c_str(), run);
      std::printf("  stderr (the end):\n%s", tail(o.err, 12).c_str());
    }
    std::fflush(stdout);
    std::remove(report.c_str());
    std::remove((a.paths.dir + "/jobs-" + std::to_string(run) + ".txt").c_str());
  }
  std::filesystem::remove_all(a.paths.dir);
  const double secs = static_cast<double>(since(started).count()) / 1000.0;
  std::printf(
      "soak: %ld runs in %.1f s (%.0f a minute), %ld with violations (seed %llu; replay: soak --seed %llu%s --runs "
      "%ld)\n",
      runs, secs, secs > 0 ? static_cast<double>(runs) * 60 / secs : 0.0, failed, static_cast<unsigned long long>(seed),
      static_cast<unsigned long long>(seed), safe.c_str(), first + runs - 1);
  for (const auto& [n, count] : by_invariant) std::printf("soak: invariant %c violated in %ld runs\n", n, count);
  if (interrupted) {
    std::printf("soak: interrupted\n");
    return 130;
  }
  return failed ? 1 : 0;
}
