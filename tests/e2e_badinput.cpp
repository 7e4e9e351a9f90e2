// e2e_badinput.cpp — every bad input exits 125 with one line naming the flag and the value,
// and nothing is started; values at the edges of the ranges mean what they say.
#include <unistd.h>

#include <csignal>
#include <string>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

struct Marker {
  std::string dir, file;
  Marker() {
    char d[] = "/tmp/ctxrun-test-XXXXXX";
    REQUIRE(::mkdtemp(d));
    dir = d;
    file = dir + "/ran";
  }
  ~Marker() {
    ::unlink(file.c_str());
    ::rmdir(dir.c_str());
  }
  bool ran() const { return ::access(file.c_str(), F_OK) == 0; }
};

// Runs ctxrun with `args` (FILE: the marker, CMD: a command that makes it) and checks the
// rule for bad input: 125, one line naming the flag and the value, nothing started.
void refused(std::vector<std::string> args, const std::vector<std::string>& mentions, const Options& o = {}) {
  Marker m;
  for (auto& a : args) {
    if (a == "FILE") a = m.file;
    if (a == "CMD") a = "touch " + m.file;
  }
  auto r = run(args, o);
  INFO("args: " << quote(args) << "\nenv: " << quote(o.env) << "\nstderr: " << r.err);
  CHECK(r.code == 125);
  CHECK_THAT(r.err, StartsWith("ctxrun: "));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const auto& word : mentions) CHECK_THAT(r.err, Contains(word));
  CHECK(r.out.empty());
  CHECK_FALSE(m.ran());
  CHECK(r.survivors.empty());
}

}  // namespace

TEST_CASE("bad input: exit 125, one line naming the flag and the value, nothing started", "[e2e][badinput]") {
  auto [args, mentions] = GENERATE(table<std::vector<std::string>, std::vector<std::string>>({
      {{"-t", "1x", "--", "touch", "FILE"}, {"--timeout", "1x"}},
      {{"-t", "-1s", "--", "touch", "FILE"}, {"--timeout", "-1s"}},
      {{"-t", "99999999999999h", "--", "touch", "FILE"}, {"--timeout", "too large"}},
      {{"--job-timeout", "soon", "-c", "CMD"}, {"--job-timeout", "soon"}},
      {{"-g", "forever", "--", "touch", "FILE"}, {"--grace", "forever"}},
      {{"-d", "tomorrow", "--", "touch", "FILE"}, {"--deadline", "tomorrow"}},
      {{"-d", "2026-02-30T10:00:00Z", "--", "touch", "FILE"}, {"--deadline", "no such date"}},
      {{"-e", "1BAD=x", "--", "touch", "FILE"}, {"--value", "1BAD=x"}},
      {{"-e", "NOVALUE", "--", "touch", "FILE"}, {"--value", "NOVALUE"}},
      {{"-j", "0", "-c", "CMD"}, {"--jobs", "\"0\""}},
      {{"-j", "many", "-c", "CMD"}, {"--jobs", "many"}},
      {{"-s", "BOGUS", "--", "touch", "FILE"}, {"--signal", "BOGUS"}},
      {{"-s", "0", "--", "touch", "FILE"}, {"--signal", "\"0\""}},
      {{"-s", "STOP", "--", "touch", "FILE"}, {"--signal", "\"STOP\"", "cannot end a job"}},
      {{"-s", "TSTP", "--", "touch", "FILE"}, {"--signal", "\"TSTP\"", "cannot end a job"}},
      {{"-s", "TTIN", "--", "touch", "FILE"}, {"--signal", "\"TTIN\"", "cannot end a job"}},
      {{"-s", "TTOU", "--", "touch", "FILE"}, {"--signal", "\"TTOU\"", "cannot end a job"}},
      {{"-s", "CONT", "--", "touch", "FILE"}, {"--signal", "\"CONT\"", "cannot end a job"}},
      {{"-s", std::to_string(SIGSTOP), "--", "touch", "FILE"}, {"--signal", "SIGSTOP cannot end a job"}},
      {{"--retries", "-1", "-c", "CMD"}, {"--retries", "-1"}},
      {{"--retries", "2147483648", "-c", "CMD"}, {"--retries", "2147483648", "at most 1000000"}},
      {{"--retry-backoff", "0.5", "-c", "CMD"}, {"--retry-backoff", "0.5"}},
      {{"--stop-on", "sometimes", "-c", "CMD"}, {"--stop-on", "sometimes"}},
      {{"--output", "fancy", "-c", "CMD"}, {"--output", "fancy"}},
      {{"--color", "maybe", "-c", "CMD"}, {"--color", "maybe"}},
      {{"-f", "/nonexistent/jobs.txt"}, {"--jobs-file", "/nonexistent/jobs.txt", "No such file"}},
      {{"-t", "5s"}, {"no command"}},
      {{}, {"no command"}},
      {{"--tiemout", "5s", "touch", "FILE"}, {"unknown option", "--tiemout", "did you mean --timeout?"}},
      {{"-t", "--", "touch", "FILE"}, {"--timeout", "\"--\"", "expected a duration"}},
      {{"-c", "CMD", "touch", "FILE"}, {"cannot follow -c"}},
      {{"-n", "a,b", "-c", "CMD"}, {"--names", "\"b\""}},
      {{"-n", "x,x", "-c", "CMD", "-c", "CMD"}, {"--names", "same name"}},
      {{"-n", "a/b", "-c", "CMD"}, {"--names", "a/b"}},
      {{"--report", "/nonexistent/dir/r.json", "--", "touch", "FILE"}, {"--report", "/nonexistent/dir/r.json"}},
      {{"-t"}, {"--timeout"}},
      {{"-c", ""}, {"--command", "\"\""}},
      {{"-c", "CMD", "-c", "   "}, {"--command", "\"   \""}},
  }));
  refused(args, mentions);
}

// "$UNSET" as a value: refused, never taken as "not given" (which dropped a deadline).
TEST_CASE("bad input: an empty value is refused for every option", "[e2e][badinput][empty]") {
  auto [args, flag] = GENERATE(table<std::vector<std::string>, std::string>({
      {{"-t", "", "--", "touch", "FILE"}, "--timeout"},
      {{"-t", "1s", "-t", "", "--", "touch", "FILE"}, "--timeout"},
      {{"-g", "", "--", "touch", "FILE"}, "--grace"},
      {{"--job-timeout", "", "--", "touch", "FILE"}, "--job-timeout"},
      {{"--retry-delay", "", "--", "touch", "FILE"}, "--retry-delay"},
      {{"-d", "", "--", "touch", "FILE"}, "--deadline"},
      {{"-s", "", "--", "touch", "FILE"}, "--signal"},
      {{"-j", "", "-c", "CMD"}, "--jobs"},
      {{"--retries", "", "-c", "CMD"}, "--retries"},
      {{"--retry-backoff", "", "-c", "CMD"}, "--retry-backoff"},
      {{"--stop-on", "", "-c", "CMD"}, "--stop-on"},
      {{"--output", "", "-c", "CMD"}, "--output"},
      {{"--color", "", "-c", "CMD"}, "--color"},
      {{"--report", "", "--", "touch", "FILE"}, "--report"},
      {{"-f", ""}, "--jobs-file"},
  }));
  refused(args, {flag + ": invalid value \"\""});
}

TEST_CASE("bad input: a long invalid CTXRUN_LINEAGE is quoted cut short", "[e2e][badinput]") {
  std::string lineage = "0123456789abcdef";
  for (int i = 1; i < 7000; ++i) lineage += ":0123456789abcdef";
  Options o;
  o.env = {"CTXRUN_LINEAGE=" + lineage};
  refused({"--", "touch", "FILE"}, {"CTXRUN_LINEAGE: invalid value \"0123456789abcdef:", "(118999 bytes)"}, o);
  auto r = run({"--", "true"}, o);
  CHECK(r.err.size() < 200);
}

TEST_CASE("bad input: -f - with standard input closed names --jobs-file", "[e2e][badinput]") {
  auto r = sh(quote({ctxrun_bin(), "-f", "-"}) + " <&-");
  INFO("stderr: " << r.err);
  CHECK(r.code == 125);
  CHECK(r.err == "ctxrun: --jobs-file \"-\": standard input: Bad file descriptor\n");
}

TEST_CASE("edge input: a jobs file without jobs runs nothing and succeeds, as xargs does", "[e2e][badinput]") {
  TempDir t;
  Options o;
  o.input = GENERATE(as<std::string>{}, "", "# only a comment\n\n");
  auto r = run({"-f", "-", "--report", t.file("r.json")}, o);
  CHECK(r.code == 0);
  CHECK(r.survivors.empty());
  CHECK_THAT(slurp(t.file("r.json")), Contains("\"jobs\":[]"));
}

// Deadlines at the far ends of the clocks' ranges: the sums saturate, so "far ahead" never
// overflows into "already past", nor "long past" into "never".
TEST_CASE("edge input: a deadline centuries ahead lets the command run", "[e2e][badinput][overflow]") {
  auto [args, env] = GENERATE(table<std::vector<std::string>, std::vector<std::string>>({
      {{"-t", "9223372036"}, {}},
      {{"-t", "9223372036854775807ns"}, {}},
      {{"-d", "3000-01-01T00:00:00Z"}, {}},
      {{"-d", "2262-04-12T00:00:00Z"}, {}},
      {{}, {"CTXRUN_BUDGET=9223372036"}},
  }));
  Options o;
  o.env = env;
  args.insert(args.end(), {"--", "true"});
  auto r = run(args, o);
  INFO("args: " << quote(args) << "\nenv: " << quote(env) << "\nstderr: " << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.err, Contains("job \"true\" succeeded"));
}

TEST_CASE("edge input: a deadline before 1677 is past: nothing starts, 124", "[e2e][badinput][overflow]") {
  Marker m;
  auto r = run({"-d", "1600-01-01T00:00:00Z", "--", "touch", m.file});
  INFO("stderr: " << r.err);
  CHECK(r.code == 124);
  CHECK_THAT(r.err, Contains("deadline exceeded before the start") && Contains("nothing was started"));
  CHECK_FALSE(m.ran());
}

TEST_CASE("edge input: a command whose path ends in a slash still gets a name", "[e2e][badinput]") {
  auto r = run({"--", "./"});
  INFO("stderr: " << r.err);
  CHECK(r.code == 126);
  CHECK_THAT(r.err, Contains("job \".\" could not start: ./: "));
}
