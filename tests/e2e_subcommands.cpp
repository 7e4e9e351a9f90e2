// e2e_subcommands.cpp — subcommands of the real binary: `ctxrun remaining` inside a job and
// with the context set by hand, and the rule that only the first word names a subcommand.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

// `ctxrun remaining ARGS` with the context given by hand (CTXRUN_* of the tests' own
// environment never reach it: the harness drops them).
Result remaining(std::vector<std::string> args, std::vector<std::string> env) {
  args.insert(args.begin(), "remaining");
  Options o;
  o.env = std::move(env);
  return run(args, o);
}

std::string unix_seconds_from_now(std::chrono::seconds from_now) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now + from_now).count());
}

}  // namespace

TEST_CASE("subcommands: remaining in a job of ctxrun -t 5s prints the seconds left", "[e2e][subcommands]") {
  auto r = run({"-q", "-t", "5s", "--", ctxrun_bin(), "remaining"});
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.code == 0);
  REQUIRE(lines_of(r.out).size() == 1);
  const double left = std::stod(r.out);
  CHECK(left > 3.0);
  CHECK(left <= 5.0);
  CHECK(r.out.find_first_not_of("0123456789.\n") == std::string::npos);
}

TEST_CASE("subcommands: remaining writes each unit, from CTXRUN_BUDGET set by hand", "[e2e][subcommands]") {
  auto [args, out] = GENERATE(table<std::vector<std::string>, std::string>({
      {std::vector<std::string>{}, "90\n"},
      {{"--unit", "s"}, "90\n"},
      {{"--unit", "ms"}, "90000\n"},
      {{"--unit=go"}, "1m30s\n"},
  }));
  auto r = remaining(args, {"CTXRUN_BUDGET=90"});
  INFO("args: " << quote(args) << "\nstderr: " << r.err);
  CHECK(r.code == 0);
  CHECK(r.out == out);
  CHECK(r.err.empty());
}

TEST_CASE("subcommands: remaining takes the earlier of CTXRUN_DEADLINE and CTXRUN_BUDGET", "[e2e][subcommands]") {
  auto budget = remaining({}, {"CTXRUN_DEADLINE=" + unix_seconds_from_now(std::chrono::hours(1)), "CTXRUN_BUDGET=2.5"});
  CHECK(budget.code == 0);
  CHECK(budget.out == "2.5\n");
  auto deadline = remaining({"--unit", "ms"}, {"CTXRUN_DEADLINE=" + unix_seconds_from_now(std::chrono::seconds(100)),
                                               "CTXRUN_BUDGET=3600"});
  INFO("stdout: " << deadline.out << "\nstderr: " << deadline.err);
  REQUIRE(deadline.code == 0);
  const long long ms = std::stoll(deadline.out);
  CHECK(ms > 90'000);  // 100s from a whole second: at most 100000, a little less with the time to start
  CHECK(ms <= 100'000);
}

TEST_CASE("subcommands: remaining without a deadline prints nothing and exits 1", "[e2e][subcommands]") {
  auto r = remaining({}, {"CTXRUN_RUN_ID=abc", "CTXRUN_DEADLINE="});
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  CHECK(r.err == "ctxrun: no deadline in this context\n");
  // In a job of a ctxrun without a deadline, the same.
  auto job = run({"-q", "--", ctxrun_bin(), "remaining"});
  CHECK(job.code == 1);
  CHECK(job.out.empty());
}

TEST_CASE("subcommands: remaining past the deadline prints nothing and exits 124", "[e2e][subcommands]") {
  const std::string env = GENERATE(as<std::string>{}, "CTXRUN_DEADLINE=1000000000", "CTXRUN_BUDGET=0",
                                   "CTXRUN_BUDGET=0.0009");
  auto r = remaining({}, {env});
  INFO("env: " << env << "\nstderr: " << r.err);
  CHECK(r.code == 124);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, StartsWith("ctxrun: deadline exceeded (inherited CTXRUN_"));
  CHECK(remaining({"--unit", "go"}, {env}).out.empty());
}

TEST_CASE("subcommands: remaining refuses bad input with 125 and one line", "[e2e][subcommands][badinput]") {
  auto [args, env, mentions] = GENERATE(table<std::vector<std::string>, std::string, std::vector<std::string>>({
      {{"--unit", "h"}, "CTXRUN_BUDGET=9", {"--unit", "\"h\"", "expected one of s, ms, go"}},
      {{"--unit", ""}, "CTXRUN_BUDGET=9", {"--unit", "\"\""}},
      {{"--unit"}, "CTXRUN_BUDGET=9", {"--unit"}},
      {{"--bogus"}, "CTXRUN_BUDGET=9", {"--bogus"}},
      {{"5s"}, "CTXRUN_BUDGET=9", {"5s"}},
      {std::vector<std::string>{}, "CTXRUN_DEADLINE=soon", {"CTXRUN_DEADLINE", "\"soon\""}},
      {std::vector<std::string>{}, "CTXRUN_BUDGET=-1", {"CTXRUN_BUDGET", "\"-1\""}},
  }));
  auto r = remaining(args, {env});
  INFO("args: " << quote(args) << "\nenv: " << env << "\nstderr: " << r.err);
  CHECK(r.code == 125);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, StartsWith("ctxrun: "));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const auto& word : mentions) CHECK_THAT(r.err, Contains(word));
}

TEST_CASE("subcommands: what remaining prints is taken by timeout(1) and by ctxrun -t", "[e2e][subcommands]") {
  const std::string ctxrun = quote({ctxrun_bin()});
  auto r = run({"-q", "-t", "30s", "--", "/bin/sh", "-c",
                "timeout \"$(" + ctxrun + " remaining)\" true && " + ctxrun + " -q -t \"$(" + ctxrun +
                    " remaining --unit go)\" -- true && echo both"});
  INFO("stderr: " << r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "both\n");
}

TEST_CASE("subcommands: only the first word names one: after -- or an option it is a command", "[e2e][subcommands]") {
  TempDir dir;
  dir.write("remaining", "#!/bin/sh\necho \"the command, with $#: $*\"\n", 0755);
  Options o;
  o.unset = {"PATH"};
  o.env = {"PATH=" + dir.path + ":/usr/bin:/bin", "CTXRUN_BUDGET=9"};
  auto forced = run({"-q", "--", "remaining", "--unit", "ms"}, o);
  CHECK(forced.code == 0);
  CHECK(forced.out == "the command, with 2: --unit ms\n");
  auto after_option = run({"-q", "-t", "5s", "remaining"}, o);
  CHECK(after_option.code == 0);
  CHECK(after_option.out == "the command, with 0: \n");
  auto subcommand = run({"remaining", "--unit", "ms"}, o);
  CHECK(subcommand.code == 0);
  CHECK(subcommand.out == "9000\n");
}

TEST_CASE("subcommands: --help lists them, and each has its own --help", "[e2e][subcommands]") {
  auto help = run({"--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Contains("Subcommands") && Contains("remaining"));
  auto own = run({"remaining", "--help"});
  CHECK(own.code == 0);
  CHECK_THAT(own.out, Contains("Usage: ctxrun remaining [--unit s|ms|go]"));
  CHECK(own.err.empty());
}
