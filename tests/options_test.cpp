// options_test.cpp — validate: RawOptions to typed Options, without a command line.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/error.hpp"
#include "ctxrun/options.hpp"

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

namespace {

const ctxrun::WallTime kNow{std::chrono::seconds(1'795'446'245)};

ctxrun::RawOptions command(Strings words) {
  ctxrun::RawOptions r;
  r.command = std::move(words);
  r.args = {"ctxrun"};
  r.args.insert(r.args.end(), r.command.begin(), r.command.end());
  return r;
}

std::string usage_error(const ctxrun::RawOptions& r) {
  try {
    ctxrun::validate(r, kNow);
  } catch (const ctxrun::UsageError& e) {
    return e.what();
  }
  return "<no UsageError>";
}

}  // namespace

TEST_CASE("options: nothing given but a command is every default", "[options]") {
  const auto o = ctxrun::validate(command({"true"}), kNow);
  CHECK(o.command == Strings{"true"});
  CHECK(o.args == Strings{"ctxrun", "true"});
  CHECK_FALSE(o.timeout);
  CHECK(o.grace.value == 5s);
  CHECK(o.status == ctxrun::Tristate::Auto);
  CHECK(o.stop_on == ctxrun::StopOn::Failure);
}

TEST_CASE("options: values get their meaning and keep their text", "[options]") {
  auto r = command({"true"});
  r.timeout = "1m30s";
  r.deadline = "@1800000000";
  r.grace = "0";
  r.signal = "INT";
  r.status = ctxrun::Tristate::Off;
  r.foreground = ctxrun::Tristate::On;
  const auto o = ctxrun::validate(r, kNow);
  CHECK(o.timeout.value == 90s);
  CHECK(o.timeout.text == "1m30s");
  CHECK(o.deadline.value == ctxrun::WallTime(std::chrono::seconds(1'800'000'000)));
  CHECK(o.grace);
  CHECK(o.grace.value == 0s);
  CHECK(o.signal == SIGINT);
  CHECK(o.status == ctxrun::Tristate::Off);
  CHECK(o.foreground == ctxrun::Tristate::On);
}

TEST_CASE("options: an empty value is refused, never taken as left out", "[options]") {
  auto r = command({"true"});
  r.timeout = "";
  CHECK(usage_error(r) == "--timeout: invalid value \"\": expected a duration");
}

TEST_CASE("options: the kinds of job are checked after every value", "[options]") {
  auto r = command({});
  CHECK_THAT(usage_error(r), Catch::Contains("no command given"));
  r.commands = {"a"};
  r.jobs_file = "jobs.txt";
  CHECK_THAT(usage_error(r), Catch::Contains("-c and -f"));
  r.color = "maybe";  // a bad value is named before the mix of jobs
  CHECK_THAT(usage_error(r), Catch::StartsWith("--color: invalid value \"maybe\""));
}
