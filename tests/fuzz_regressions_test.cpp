// fuzz_regressions_test.cpp — inputs the fuzz targets once broke, checked with the targets'
// own invariants (fuzz/invariants.hpp), so the ordinary test suite keeps them fixed. Each is
// also kept under fuzz/regressions/, which scripts/fuzz replays in the sanitizer build.
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "../fuzz/invariants.hpp"

using ctxrun::fuzz::kFuzzNow;

TEST_CASE("fuzz: the largest duration formats and reads back", "[fuzz][duration]") {
  // The largest count of nanoseconds: rounding it to tenths or seconds must not overflow.
  const std::string text = "2562047h47m16.854775807s";
  REQUIRE(ctxrun::parse_duration(text).count() == std::numeric_limits<std::int64_t>::max());
  CHECK(ctxrun::fuzz::duration_problem(text) == "");
}

TEST_CASE("fuzz: durations near the largest format and read back", "[fuzz][duration]") {
  const auto max = std::numeric_limits<std::int64_t>::max();
  const auto ns = GENERATE_COPY(max - 1, max - 49'999'999, max - 50'000'000, max - 500'000'000, max - 999'999'999);
  CAPTURE(ns);
  CHECK(ctxrun::fuzz::formatted_duration_problem(ctxrun::Duration(ns)) == "");
}

TEST_CASE("fuzz: a deadline outside the representable instants is held at the clock's end, not wrapped",
          "[fuzz][deadline]") {
  // Nanoseconds since 1970 in 64 bits span 1677 to 2262: a year outside (or the nanosecond
  // after the last one) is held at the end of the clock on its side.
  const std::string text = GENERATE(as<std::string>{}, "6262-04-11T23:47:16Z", "2262-04-11T23:47:16.854775808Z",
                                    "0001-01-01T00:00:00Z");
  CAPTURE(text);
  CHECK(ctxrun::fuzz::deadline_problem(text, kFuzzNow) == "");
}

TEST_CASE("fuzz: the last representable deadline reads back", "[fuzz][deadline]") {
  CHECK(ctxrun::fuzz::deadline_problem("2262-04-11T23:47:16.854775807Z", kFuzzNow) == "");
  CHECK(ctxrun::fuzz::deadline_problem("1970-01-01T00:00:00Z", kFuzzNow) == "");
}

TEST_CASE("fuzz: a jobs file line starting with a shell builtin runs in sh", "[fuzz][jobs_file]") {
  // dash's chdir is cd: exec'd directly it would be "not found" (127) instead of a no-op.
  CHECK(ctxrun::fuzz::jobs_file_problem("make\nchdir /tmp\n") == "");
}

TEST_CASE("fuzz: a byte-order mark at the start of a jobs file is skipped", "[fuzz][jobs_file]") {
  CHECK(ctxrun::fuzz::jobs_file_problem("\xef\xbb\xbf"
                                        "cd6/tm# co\n \t\nnpm test\r") == "");
  CHECK(ctxrun::fuzz::jobs_file_problem("\xef\xbb\xbf") == "");
}
