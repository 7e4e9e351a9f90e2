// e2e_parallel.cpp — several jobs: the cascade, policies, retries, output that nothing
// breaks, the summary and the report.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace json = boost::json;

TEST_CASE("parallel: the first failure stops 50 running siblings, with the failing job's status",
          "[e2e][parallel][cascade]") {
  std::vector<std::string> cmds(50, tc({"sleep", "3600"}));
  cmds.push_back("sleep 0.3; exit 3");
  Process p([&] {
    auto a = jobs({"-g", "2s"}, cmds);
    a.insert(a.begin(), ctxrun_bin());
    return a;
  }());
  std::vector<pid_t> siblings;
  for (int i = 0; i < 50; ++i) siblings.push_back(pid_in(p.wait_for_line("", 20s)));
  auto r = p.wait();
  CHECK(r.code == 3);
  CHECK_THAT(r.err, StartsWith("ctxrun: job \"51\" exited with status 3 after"));
  // The cause, ten jobs (the failure first), then one line counting the rest.
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 12);
  CHECK_THAT(r.err, Contains("\u2026 and 41 more: 41 terminated by SIGTERM"));
  CHECK_THAT(r.err, Contains("terminated by SIGTERM"));
  for (pid_t s : siblings) CHECK_FALSE(alive(s));
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: --stop-on success ends the race at the first success", "[e2e][parallel][policy]") {
  auto r = run(
      jobs({"--stop-on", "success", "-n", "slow,fast,bad"}, {tc({"sleep", "3600"}), "sleep 0.2; exit 0", "exit 1"}));
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Contains("job \"fast\" succeeded after"));
  CHECK_THAT(r.err, Contains("slow  terminated by SIGTERM"));
  CHECK(r.survivors.empty());
  auto all_fail = run(jobs({"--stop-on", "success"}, {"exit 4", "sleep 0.1; exit 5"}));
  CHECK(all_fail.code == 4);  // nobody won: the first failure's status
}

TEST_CASE("parallel: --stop-on first ends at the first job to end, either way", "[e2e][parallel][policy]") {
  auto r = run(jobs({"--stop-on", "first"}, {tc({"sleep", "3600"}), "sleep 0.1; exit 6"}));
  CHECK(r.code == 6);
  auto ok = run(jobs({"--stop-on", "first"}, {tc({"sleep", "3600"}), "sleep 0.1"}));
  CHECK(ok.code == 0);
  CHECK(ok.survivors.empty());
}

TEST_CASE("parallel: --keep-going runs everything and exits with the first failure's status",
          "[e2e][parallel][policy]") {
  TempDir t;
  auto r = run(jobs({"--keep-going"}, {"exit 3", "sleep 0.3; exit 5", "sleep 0.4; touch " + t.file("done")}));
  CHECK(r.code == 3);
  CHECK(::access(t.file("done").c_str(), F_OK) == 0);
  CHECK_THAT(r.err, StartsWith("ctxrun: 2 of 3 jobs failed; the first: job \"1\" exited with status 3"));
}

TEST_CASE("parallel: -j bounds how many jobs run at once", "[e2e][parallel][policy]") {
  TempDir t;
  const std::string log = t.file("log");
  std::vector<std::string> cmds(6, "echo + >> " + log + "; sleep 0.15; echo - >> " + log);
  auto r = run(jobs({"-j", "2"}, cmds));
  REQUIRE(r.code == 0);
  int depth = 0, max_depth = 0;
  for (const auto& l : lines_of(slurp(log))) {
    depth += l == "+" ? 1 : -1;
    max_depth = std::max(max_depth, depth);
  }
  CHECK(max_depth == 2);
  CHECK(depth == 0);
}

TEST_CASE("parallel: queued jobs never start once the run is canceled", "[e2e][parallel][policy]") {
  TempDir t;
  auto r = run(
      jobs({"-j", "1", "-n", "bad,later1,later2"}, {"exit 2", "touch " + t.file("1"), "touch " + t.file("2")}));
  CHECK(r.code == 2);
  CHECK(::access(t.file("1").c_str(), F_OK) != 0);
  CHECK(::access(t.file("2").c_str(), F_OK) != 0);
  CHECK_THAT(r.err, Contains("later1  not started"));
  CHECK_THAT(r.err, Contains("later2  not started"));
}

TEST_CASE("parallel: --job-timeout stops one job, exit 124", "[e2e][parallel][deadline]") {
  auto r = run(jobs({"--job-timeout", "300ms", "-n", "hang,quick"}, {tc({"sleep", "3600"}), "true"}));
  CHECK(r.code == 124);
  CHECK_THAT(r.err, StartsWith("ctxrun: job \"hang\" exceeded its deadline after 300ms (--job-timeout 300ms)"));
  CHECK_THAT(r.err, Contains("hang  timed out after"));
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: the run's deadline stops every job", "[e2e][parallel][deadline]") {
  auto r = run(jobs({"-t", "300ms"},
                    {tc({"sleep", "3600"}), tc({"ignore", std::to_string(SIGTERM), "--", "sleep", "3600"})}),
               {});
  CHECK(r.code == 124);
  CHECK_THAT(r.err, StartsWith("ctxrun: deadline exceeded after 300ms (--timeout 300ms)"));
  CHECK_THAT(r.err, Contains("killed with SIGKILL after the 5s grace"));
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: --retries runs a failed job again, CTXRUN_ATTEMPT counts", "[e2e][parallel][retry]") {
  TempDir t;
  const std::string flaky = "echo $CTXRUN_ATTEMPT >> " + t.file("attempts") + "; [ $CTXRUN_ATTEMPT -ge 3 ]";
  auto ok = run(jobs({"--retries", "2", "--report", t.file("ok.json")}, {flaky}));
  CHECK(ok.code == 0);
  CHECK(slurp(t.file("attempts")) == "1\n2\n3\n");
  auto doc = json::parse(slurp(t.file("ok.json")));
  CHECK(doc.at("jobs").at(0).at("attempts").as_array().size() == 3);

  ::unlink(t.file("attempts").c_str());
  auto exhausted = run(jobs({"--retries", "1"}, {flaky}));
  CHECK(exhausted.code == 1);
  CHECK(slurp(t.file("attempts")) == "1\n2\n");
  CHECK_THAT(exhausted.err, Contains("(attempt 2)"));
}

TEST_CASE("parallel: a retry that could only come after the deadline is not waited for", "[e2e][parallel][retry]") {
  auto r = run({"-t", "3s", "--retries", "5", "--retry-delay", "2s", "-c", "exit 1"});
  CHECK(r.code == 1);  // the job's failure, not the deadline
  CHECK(r.elapsed < 3s);
  CHECK_THAT(r.err, Contains("exited with status 1"));
}

TEST_CASE("parallel: a retry delay ends at once when the run is canceled", "[e2e][parallel][retry]") {
  Process p(jobs({ctxrun_bin(), "-v", "--retries", "5", "--retry-delay", "30s"}, {"exit 1"}));
  p.wait_for_err_line("ctxrun: job \"1\" exited with status 1");  // the retry waits 30 s now
  p.send(SIGTERM);
  auto r = p.wait(10s);
  CHECK(r.signal == SIGTERM);
  CHECK(r.elapsed < 10s);
  CHECK(r.survivors.empty());
}

namespace {

// 4 jobs of 200k numbered lines each, named a, bb, ccc and d.
std::vector<std::string> four_numbered_jobs() {
  std::vector<std::string> cmds;
  for (int i = 1; i <= 4; ++i) cmds.push_back(tc({"lines", "200000", "j" + std::to_string(i) + "-0123456789abcdef"}));
  return jobs({"-n", "a,bb,ccc,d"}, cmds);
}

// Checks that `out` has every line of four_numbered_jobs(), whole and in order per job.
void check_four_numbered_jobs(const std::string& out) {
  std::map<std::string, long> next = {{"a   │ j1", 1}, {"bb  │ j2", 1}, {"ccc │ j3", 1}, {"d   │ j4", 1}};
  long broken = 0;
  for (const auto& l : lines_of(out)) {
    const auto dash = l.find("-0123456789abcdef-");
    if (dash == std::string::npos) {
      ++broken;
      continue;
    }
    const auto key = l.substr(0, dash);
    auto it = next.find(key);
    if (it == next.end() || std::to_string(it->second) != l.substr(dash + 18)) {
      ++broken;
      continue;
    }
    ++it->second;  // each job's lines arrive whole and in order
  }
  CHECK(broken == 0);
  for (const auto& [k, n] : next) CHECK(n == 200001);
}

}  // namespace

TEST_CASE("parallel: 4 × 200k lines through a pipe, every line whole and present", "[e2e][parallel][output]") {
  auto r = run(four_numbered_jobs(), {.limit = 60s});
  REQUIRE(r.code == 0);
  check_four_numbered_jobs(r.out);
}

TEST_CASE("parallel: a reader that stalls gets every line once it reads", "[e2e][parallel][output]") {
  // ~11 MB against a reader that reads nothing for half a second: ctxrun's queue passes its
  // high-water mark, the jobs wait on their own pipes, and nothing is lost or reordered.
  TempDir t;
  const std::string out = t.file("out");
  auto r = sh(quote({ctxrun_bin()}) + " " + quote(four_numbered_jobs()) + " | (sleep 0.5; cat > " + quote({out}) + ")",
              {.limit = 60s});
  REQUIRE(r.code == 0);
  check_four_numbered_jobs(slurp(out));
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: a last line without newline is kept", "[e2e][parallel][output]") {
  auto r = run(jobs({"-n", "p"}, {tc({"partial", "no newline at the end"})}));
  CHECK(r.out == "p │ no newline at the end\n");
}

TEST_CASE("parallel: a multi-megabyte line is split with a marker, nothing lost", "[e2e][parallel][output]") {
  auto r = run(jobs({"-n", "big"}, {tc({"long", "5000000"})}), {.limit = 60s});
  REQUIRE(r.code == 0);
  const auto ls = lines_of(r.out);
  REQUIRE(ls.size() == 5);  // 4 full pieces of 1 MiB and the rest
  std::size_t xs = 0;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    CHECK_THAT(ls[i], StartsWith(i == 0 ? "big │ " : "big ┆ "));
    xs += std::count(ls[i].begin(), ls[i].end(), 'x');
  }
  CHECK(xs == 5000000);
}

TEST_CASE("parallel: group mode prints each job's output whole when it ends", "[e2e][parallel][output]") {
  auto r = run(
      jobs({"--output", "group", "-n", "a,b"}, {tc({"slow-lines", "4", "50"}), tc({"slow-lines", "4", "50"})}));
  REQUIRE(r.code == 0);
  const auto ls = lines_of(r.out);
  REQUIRE(ls.size() == 8);
  for (int i = 1; i < 4; ++i) CHECK(ls[i].substr(0, 1) == ls[0].substr(0, 1));  // four of one job
  for (int i = 5; i < 8; ++i) CHECK(ls[i].substr(0, 1) == ls[4].substr(0, 1));  // then four of the other
  CHECK(ls[0].substr(0, 1) != ls[4].substr(0, 1));
}

TEST_CASE("parallel: raw mode writes lines without prefix and stderr stays stderr", "[e2e][parallel][output]") {
  auto r = run(jobs({"--output", "raw"}, {"echo out; echo err >&2"}));
  CHECK(r.out == "out\n");
  CHECK_THAT(r.err, StartsWith("err\n"));
}

TEST_CASE("parallel: output a killed job wrote before it died is delivered", "[e2e][parallel][output]") {
  auto r = run(jobs({"-n", "w,f"}, {"echo before; " + tc({"sleep", "3600"}), "sleep 0.3; exit 1"}));
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("w │ before\n"));
  CHECK_THAT(r.out, Contains("w │ ready "));
}

TEST_CASE("parallel: several jobs read /dev/null, not ctxrun's stdin", "[e2e][parallel][io]") {
  Options o;
  o.input = "must not be read\n";
  auto r = run(jobs({}, {tc({"stdin"}), tc({"stdin"})}), o);
  CHECK(r.code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("parallel: a command that cannot start fails like sh, status 127", "[e2e][parallel][status]") {
  auto r = run(jobs({"-n", "x"}, {"no-such-command-anywhere --flag"}));
  CHECK(r.code == 127);
  CHECK_THAT(r.err, Contains("x │ ctxrun: no-such-command-anywhere: No such file or directory"));
}

namespace {
pid_t parent_of(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(stat)), {});
  const auto close = text.rfind(')');
  return close == std::string::npos ? -1 : std::atoi(text.c_str() + close + 4);  // "...) S PPID"
}
}  // namespace

TEST_CASE("parallel: a nested ctxrun SIGKILLed ends its own escaped descendants, not its siblings",
          "[e2e][parallel][watchdog]") {
  // Job "in" starts two ctxruns side by side (same run id, same path); the first one's
  // command leaves an escapee in a session of its own. Job "sib" is a sibling.
  const std::string inner_a = quote({ctxrun_bin(), "-g", "200ms", "--", child_bin(), "escape", "3600", "wait"});
  const std::string inner_b = quote({ctxrun_bin(), "-g", "200ms", "--", child_bin(), "sleep", "3600"});
  Process p({ctxrun_bin(), "--keep-going", "-g", "200ms", "-n", "in,sib", "-c", inner_a + " & " + inner_b + " & wait",
             "-c", tc({"sleep", "3600"})});
  pid_t escaped = -1, sib = -1;
  std::vector<pid_t> in_ready;
  for (int seen = 0; seen < 4; ++seen) {
    const std::string line = p.wait_for_line("");
    if (line.find("escaped ") != std::string::npos) escaped = pid_in(line);
    else if (line.rfind("in ", 0) == 0) in_ready.push_back(pid_in(line));
    else sib = pid_in(line);
  }
  REQUIRE(escaped > 0);
  REQUIRE(sib > 0);
  REQUIRE(in_ready.size() == 2);
  const pid_t inner_ctxrun = parent_of(escaped);  // its subreaper, once the middle process exited
  REQUIRE(inner_ctxrun > 1);
  const pid_t a_job = parent_of(in_ready[0]) == inner_ctxrun ? in_ready[0] : in_ready[1];
  const pid_t b_job = a_job == in_ready[0] ? in_ready[1] : in_ready[0];
  REQUIRE(parent_of(a_job) == inner_ctxrun);

  ::kill(inner_ctxrun, SIGKILL);
  CHECK(eventually([&] { return !alive(a_job) && !alive(escaped); }, 5s));
  CHECK(alive(b_job));  // the other inner run's job: it would have had the first signal too
  CHECK(alive(sib));
  p.send(SIGTERM);
  auto r = p.wait();
  CHECK(r.signal == SIGTERM);
  CHECK_THAT(r.err, Contains("\nctxrun: received SIGTERM\n"));  // after inner B's own line
  CHECK_THAT(r.err, Contains("ctxrun:   sib  terminated by SIGTERM"));
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: a job killed by a signal nobody here sent gives 128+N", "[e2e][parallel][status]") {
  auto r = run(jobs({}, {tc({"kill", std::to_string(SIGKILL)}), tc({"sleep", "3600"})}));
  CHECK(r.code == 128 + SIGKILL);  // exit, not a death by signal: ctxrun itself was not killed
  CHECK_THAT(r.err, Contains("was killed by SIGKILL"));
}

TEST_CASE("parallel: the report describes the whole run", "[e2e][parallel][report]") {
  TempDir t;
  const std::string file = t.file("run.json");
  auto r = run(jobs({"-j", "2", "--report", file, "-n", "ok,bad,waiting,queued"},
                    {"echo hello", "sleep 0.2; exit 7", tc({"sleep", "3600"}), "true"}));
  REQUIRE(r.code == 7);
  const auto doc = json::parse(slurp(file)).as_object();
  CHECK(doc.at("run_id").as_string().size() == 32);
  CHECK(doc.at("exit_status").as_int64() == 7);
  const auto& cause = doc.at("cause").as_object();
  CHECK(cause.at("kind").as_string() == "job-failed");
  CHECK(cause.at("job").as_string() == "bad");
  CHECK(cause.at("exit_status").as_int64() == 7);
  CHECK_THAT(std::string(cause.at("message").as_string()), Contains("exited with status 7"));
  const auto& js = doc.at("jobs").as_array();
  REQUIRE(js.size() == 4);
  CHECK(js[0].at("outcome").as_string() == "succeeded");
  CHECK(js[0].at("attempts").at(0).at("stdout_bytes").to_number<std::uint64_t>() == 6);
  CHECK(js[1].at("outcome").as_string() == "failed");
  CHECK(js[2].at("outcome").as_string() == "terminated");
  CHECK(js[2].at("attempts").at(0).at("signal").as_string() == "SIGTERM");
  CHECK(js[2].at("attempts").at(0).at("stopped").as_string() == "terminated");
  CHECK(js[3].at("outcome").as_string() == "not-started");
  CHECK(js[3].at("attempts").as_array().empty());
}

TEST_CASE("parallel: the report is written when a signal cancels the run", "[e2e][parallel][report]") {
  TempDir t;
  const std::string file = t.file("run.json");
  Process p({ctxrun_bin(), "--report", file, "-c", tc({"sleep", "3600"}), "-c", tc({"sleep", "3600"})});
  p.wait_for_line("");
  p.wait_for_line("");
  p.send(SIGINT);
  auto r = p.wait();
  CHECK(r.signal == SIGINT);
  const auto doc = json::parse(slurp(file)).as_object();
  CHECK(doc.at("cause").at("kind").as_string() == "signal");
  CHECK(doc.at("cause").at("signal").as_string() == "SIGINT");
  // When in the run it came: after both jobs were ready, so not at 0.
  CHECK(doc.at("cause").at("after_s").to_number<double>() > 0.0);
  CHECK(doc.at("cause").at("after_s").to_number<double>() <= doc.at("duration_s").to_number<double>());
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: a slow reader of ctxrun's output does not hold back the deadline", "[e2e][parallel][output]") {
  TempDir t;
  const std::string file = t.file("run.json");
  // The reader sleeps for 2 s before reading anything; the job must still be stopped at 300ms.
  auto r = sh(quote({ctxrun_bin(), "-t", "300ms", "--report", file, "-c", "yes"}) + " | (sleep 2; cat > /dev/null)");
  const auto doc = json::parse(slurp(file)).as_object();
  CHECK(doc.at("cause").at("kind").as_string() == "deadline-exceeded");
  CHECK(doc.at("jobs").at(0).at("attempts").at(0).at("duration_s").as_double() < 1.5);
  CHECK(r.survivors.empty());
}

TEST_CASE("parallel: --verbose reports starts, ends and every signal sent", "[e2e][parallel][verbose]") {
  auto r = run(jobs({"-v", "-n", "a,b"}, {tc({"sleep", "3600"}), "exit 1"}));
  CHECK_THAT(r.err, Contains("ctxrun: job \"a\" starting"));
  CHECK_THAT(r.err, Contains("ctxrun: sent SIGTERM to job \"a\" (process group "));
  CHECK_THAT(r.err, Contains("ctxrun: job \"b\" exited with status 1"));
}
