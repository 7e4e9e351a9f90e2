// remaining_test.cpp — how `ctxrun remaining` writes the time left, and what it answers.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/cli.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/remaining.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using ctxrun::Duration;
using ctxrun::TimeUnit;

namespace {

ctxrun::InheritedDeadline left(Duration d) { return {d, ctxrun::WallTime{}, "CTXRUN_BUDGET"}; }

TimeUnit read(std::vector<const char*> args) {
  args.insert(args.begin(), "remaining");
  args.push_back(nullptr);
  return ctxrun::read_remaining_options(static_cast<int>(args.size() - 1), args.data());
}

std::string usage_error(std::vector<const char*> args) {
  try {
    read(std::move(args));
  } catch (const ctxrun::UsageError& e) {
    return e.what();
  }
  return "<no UsageError>";
}

}  // namespace

TEST_CASE("remaining: each unit writes the time as its readers take it", "[remaining]") {
  auto [time, unit, text] = GENERATE(table<Duration, TimeUnit, std::string>({
      {4250ms, TimeUnit::Seconds, "4.25"},
      {5s, TimeUnit::Seconds, "5"},
      {1ms, TimeUnit::Seconds, "0.001"},
      {90s, TimeUnit::Seconds, "90"},
      {4250ms, TimeUnit::Milliseconds, "4250"},
      {5s, TimeUnit::Milliseconds, "5000"},
      {4250ms, TimeUnit::Go, "4.25s"},
      {250ms, TimeUnit::Go, "250ms"},
      {90s, TimeUnit::Go, "1m30s"},
      {60s, TimeUnit::Go, "1m0s"},
      {1h, TimeUnit::Go, "1h0m0s"},
      {2h + 30s + 5ms, TimeUnit::Go, "2h0m30.005s"},
      {50h, TimeUnit::Go, "50h0m0s"},
  }));
  CAPTURE(time.count());
  CHECK(ctxrun::format_remaining(time, unit) == text);
}

TEST_CASE("remaining: the time is cut down to whole milliseconds, never rounded up", "[remaining]") {
  CHECK(ctxrun::format_remaining(4'250'999'999ns, TimeUnit::Seconds) == "4.25");
  CHECK(ctxrun::format_remaining(999'999ns, TimeUnit::Milliseconds) == "0");
  CHECK(ctxrun::format_remaining(1'999'999ns, TimeUnit::Go) == "1ms");
}

TEST_CASE("remaining: nothing left is 0 in every unit, a negative time too", "[remaining]") {
  for (const Duration d : {Duration::zero(), Duration(-5s), Duration::min()}) {
    CHECK(ctxrun::format_remaining(d, TimeUnit::Seconds) == "0");
    CHECK(ctxrun::format_remaining(d, TimeUnit::Milliseconds) == "0");
    CHECK(ctxrun::format_remaining(d, TimeUnit::Go) == "0s");
  }
}

TEST_CASE("remaining: the longest time is plain digits, never scientific notation", "[remaining]") {
  CHECK(ctxrun::format_remaining(Duration::max(), TimeUnit::Seconds) == "9223372036.854");
  CHECK(ctxrun::format_remaining(Duration::max(), TimeUnit::Milliseconds) == "9223372036854");
  CHECK(ctxrun::format_remaining(Duration::max(), TimeUnit::Go) == "2562047h47m16.854s");
}

TEST_CASE("remaining: seconds and go read back through -t as the time, cut to the millisecond", "[remaining]") {
  const Duration time = GENERATE(Duration(1ms), Duration(999ms), Duration(1s), Duration(61'001ms),
                                 Duration(3'599'999'999'999ns), Duration(1h + 1ms), Duration(Duration::max()));
  const Duration cut = std::chrono::duration_cast<std::chrono::milliseconds>(time);
  CAPTURE(time.count());
  CHECK(ctxrun::parse_duration(ctxrun::format_remaining(time, TimeUnit::Seconds)) == cut);
  CHECK(ctxrun::parse_duration(ctxrun::format_remaining(time, TimeUnit::Go)) == cut);
  CHECK(ctxrun::parse_duration(ctxrun::format_remaining(time, TimeUnit::Milliseconds) + "ms") == cut);
}

TEST_CASE("remaining: no deadline prints nothing and exits 1", "[remaining]") {
  const auto answer = ctxrun::remaining_answer(std::nullopt, TimeUnit::Seconds);
  CHECK(answer.status == 1);
  CHECK(answer.out.empty());
  CHECK(answer.err == "ctxrun: no deadline in this context\n");
}

TEST_CASE("remaining: a deadline passed, or under a millisecond away, prints nothing and exits 124", "[remaining]") {
  const Duration time = GENERATE(Duration(-1s), Duration::zero(), Duration(999'999ns), Duration::min());
  const auto answer = ctxrun::remaining_answer(left(time), TimeUnit::Milliseconds);
  CHECK(answer.status == 124);
  CHECK(answer.out.empty());  // never 0: to curl and timeout(1) that is no limit at all
  CHECK(answer.err == "ctxrun: deadline exceeded (inherited CTXRUN_BUDGET)\n");
  CHECK(ctxrun::remaining_answer(left(time), TimeUnit::Go).out.empty());
}

TEST_CASE("remaining: time left prints it and exits 0", "[remaining]") {
  const auto answer = ctxrun::remaining_answer(left(1ms), TimeUnit::Seconds);
  CHECK(answer.status == 0);
  CHECK(answer.out == "0.001\n");
  CHECK(answer.err.empty());
  CHECK(ctxrun::remaining_answer(left(90s), TimeUnit::Go).out == "1m30s\n");
}

TEST_CASE("remaining: --unit takes s, ms or go, seconds by default, the last one counting", "[remaining]") {
  CHECK(read({}) == TimeUnit::Seconds);
  CHECK(read({"--unit", "s"}) == TimeUnit::Seconds);
  CHECK(read({"--unit", "ms"}) == TimeUnit::Milliseconds);
  CHECK(read({"--unit=go"}) == TimeUnit::Go);
  CHECK(read({"--unit", "go", "--unit", "ms"}) == TimeUnit::Milliseconds);
}

TEST_CASE("remaining: a bad unit is one line naming --unit and the value", "[remaining]") {
  const std::string value = GENERATE(as<std::string>{}, "x", "", "S", "sec", "seconds");
  CHECK(usage_error({"--unit", value.c_str()}) == "--unit: invalid value \"" + value + "\": expected one of s, ms, go");
}

TEST_CASE("remaining: an unknown option, a word or a missing value is a one-line usage error", "[remaining]") {
  const auto args = GENERATE(std::vector<const char*>{"--bogus"}, std::vector<const char*>{"extra"},
                             std::vector<const char*>{"--unit"}, std::vector<const char*>{"-t", "5s"});
  const auto message = usage_error(args);
  CAPTURE(args);
  CHECK(message != "<no UsageError>");
  CHECK_FALSE(message.empty());
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("remaining: --help describes --unit and the exit statuses", "[remaining]") {
  std::string help;
  try {
    read({"--help"});
  } catch (const ctxrun::HelpRequested& h) {
    help = h.text;
  }
  CHECK_THAT(help, Contains("Usage: ctxrun remaining [--unit s|ms|go]") && Contains("--unit") && Contains("124") &&
                       Contains("no deadline"));
}
