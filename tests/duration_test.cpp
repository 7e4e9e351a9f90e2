// duration_test.cpp — parse_duration, parse_deadline and the formatters.
#include <cstdlib>
#include <ctime>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/duration.hpp"
#include "ctxrun/error.hpp"

using namespace std::chrono_literals;
using Catch::Contains;

namespace {

// Every HH:MM test runs in UTC so "local time" is predictable.
void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

ctxrun::WallTime unix_ns(long long ns) { return ctxrun::WallTime(std::chrono::nanoseconds(ns)); }
ctxrun::WallTime unix_s(long long s) { return unix_ns(s * 1'000'000'000LL); }

}  // namespace

TEST_CASE("duration: accepts Go-style units and compounds", "[duration]") {
  auto [text, ns] = GENERATE(table<std::string, long long>({
      {"300ms", 300'000'000},
      {"1.5s", 1'500'000'000},
      {"2h45m", (2 * 3600 + 45 * 60) * 1'000'000'000LL},
      {"1h30m10.5s", (3600 + 1800 + 10) * 1'000'000'000LL + 500'000'000},
      {"7ns", 7},
      {"7us", 7'000},
      {"7\xc2\xb5s", 7'000},  // U+00B5 micro sign
      {"7\xce\xbcs", 7'000},  // U+03BC Greek mu
      {"7ms", 7'000'000},
      {"7s", 7'000'000'000},
      {"7m", 420'000'000'000},
      {"7h", 25'200'000'000'000},
      {"1m30s", 90'000'000'000},
      {"1s500ms", 1'500'000'000},
      {"1.5h", 5'400'000'000'000},
      {".5s", 500'000'000},
      {"1.s", 1'000'000'000},
  }));
  CAPTURE(text);
  CHECK(ctxrun::parse_duration(text).count() == ns);
}

TEST_CASE("duration: a bare number is seconds", "[duration]") {
  auto [text, ns] = GENERATE(table<std::string, long long>({
      {"2", 2'000'000'000},
      {"2.5", 2'500'000'000},
      {".5", 500'000'000},
      {"90", 90'000'000'000},
  }));
  CAPTURE(text);
  CHECK(ctxrun::parse_duration(text).count() == ns);
}

TEST_CASE("duration: d is days", "[duration]") {
  CHECK(ctxrun::parse_duration("1d") == std::chrono::hours(24));
  CHECK(ctxrun::parse_duration("2d12h") == std::chrono::hours(60));
}

TEST_CASE("duration: zero means none in every spelling", "[duration]") {
  auto text = GENERATE(as<std::string>{}, "0", "0s", "0.0", "0h0m", "00ms");
  CAPTURE(text);
  CHECK(ctxrun::parse_duration(text) == ctxrun::Duration::zero());
}

TEST_CASE("duration: a non-zero value below 1ns rounds up to 1ns", "[duration]") {
  auto text = GENERATE(as<std::string>{}, "0.1ns", "0.0000000001s", "0.0000001ms");
  CAPTURE(text);
  CHECK(ctxrun::parse_duration(text) == 1ns);
}

TEST_CASE("duration: a leading plus sign is accepted", "[duration]") {
  CHECK(ctxrun::parse_duration("+5s") == 5s);
  CHECK(ctxrun::parse_duration("+1m30s") == 90s);
}

TEST_CASE("duration: the largest representable value parses and one more overflows", "[duration]") {
  CHECK(ctxrun::parse_duration("9223372036854775807ns").count() == 9223372036854775807LL);
  CHECK_THROWS_AS(ctxrun::parse_duration("9223372036854775808ns"), ctxrun::ParseError);
  // The sum of parts overflows even when each part fits.
  CHECK_THROWS_WITH(ctxrun::parse_duration("2562047h2562047h"), Contains("too large"));
}

TEST_CASE("duration: rejects bad input with the reason", "[duration]") {
  auto [text, reason] = GENERATE(table<std::string, std::string>({
      {"", "expected a duration"},
      {"-", "expected a duration"},
      {"--", "expected a duration"},
      {"-x", "expected a duration"},
      {"-1s", "negative"},
      {"-.5s", "negative"},
      {"-0", "negative"},
      {"1x", "unknown unit \"x\""},
      {"5sec", "unknown unit \"sec\""},
      {"1h30", "missing unit"},
      {"abc", "expected a number"},
      {"s", "expected a number"},
      {"1h-5m", "unknown unit \"h-\""},
      {" 1s", "expected a number"},
      {"300000000000000000000s", "too large"},
      {"999999999h", "too large"},
      {"106752d", "too large"},
  }));
  CAPTURE(text);
  CHECK_THROWS_AS(ctxrun::parse_duration(text), ctxrun::ParseError);
  CHECK_THROWS_WITH(ctxrun::parse_duration(text), Contains(reason));
}

// Go rejects "+" (nothing after the sign): it must not read as 0, "no timeout".
TEST_CASE("duration: a lone sign is not a duration", "[duration]") {
  CHECK_THROWS_AS(ctxrun::parse_duration("+"), ctxrun::ParseError);
}

// As Go: the whole unit that could not be read is named (unknown unit "sec").
TEST_CASE("duration: a misspelled unit is named whole in the message", "[duration]") {
  CHECK_THROWS_WITH(ctxrun::parse_duration("5sec"), Contains("unknown unit \"sec\""));
  CHECK_THROWS_WITH(ctxrun::parse_duration("1.5.5s"), !Contains("unknown unit \"\""));
}

TEST_CASE("duration: format_duration gives the short human form", "[duration]") {
  auto [ns, text] = GENERATE(table<long long, std::string>({
      {0, "0s"},
      {1, "1ns"},
      {999, "999ns"},
      {1'500, "1.5us"},
      {250'000'000, "250ms"},
      {12'500'000, "12.5ms"},
      {1'000'000'000, "1s"},
      {1'500'000'000, "1.5s"},
      {2'100'000'000, "2.1s"},
      {59'900'000'000, "59.9s"},
      {60'000'000'000, "1m"},
      {150'000'000'000, "2m30s"},
      {3'900'000'000'000, "1h5m"},
      {3'600'000'000'000, "1h"},
      {3'605'000'000'000, "1h"},
      {86'400'000'000'000, "1d"},
      {(3 * 86'400 + 2 * 3'600) * 1'000'000'000LL, "3d2h"},
      {-1'500'000'000, "-1.5s"},
  }));
  CAPTURE(ns);
  CHECK(ctxrun::format_duration(ctxrun::Duration(ns)) == text);
}

TEST_CASE("duration: format_duration is defined for the extremes of the range", "[duration]") {
  auto [d, text] = GENERATE(table<ctxrun::Duration, std::string>({
      {ctxrun::Duration::max(), "106751d23h"},
      {ctxrun::Duration::min(), "-106751d23h"},
      {ctxrun::Duration::max() - 1ms, "106751d23h"},
      {ctxrun::Duration(-1), "-1ns"},
  }));
  CAPTURE(d.count());
  CHECK(ctxrun::format_duration(d) == text);
}

// What a fuzzer found: the rounding of a value this close to the largest one overflowed.
TEST_CASE("duration: the largest duration that parses formats without overflow", "[duration]") {
  const auto d = ctxrun::parse_duration("2562047h47m16.854775807s");
  CHECK(d == ctxrun::Duration::max());
  CHECK(ctxrun::format_duration(d) == "106751d23h");
  CHECK(ctxrun::format_seconds(d) == "9223372036.854775807");
}

TEST_CASE("duration: add_saturating holds at the ends of the range", "[duration][saturating]") {
  using ctxrun::Duration;
  using ctxrun::TimePoint;
  using ctxrun::WallTime;
  const TimePoint now{std::chrono::hours(1)};
  CHECK(ctxrun::add_saturating(now, 5s) == now + 5s);
  CHECK(ctxrun::add_saturating(now, -5s) == now - 5s);
  CHECK(ctxrun::add_saturating(now, Duration::max()) == TimePoint::max());
  CHECK(ctxrun::add_saturating(TimePoint::min() + 1s, -2s) == TimePoint::min());
  CHECK(ctxrun::add_saturating(now, Duration::min()) == TimePoint(std::chrono::hours(1) + Duration::min()));
  const WallTime wall{std::chrono::seconds(1'795'446'245)};
  CHECK(ctxrun::add_saturating(wall, Duration::max()) == WallTime::max());
  CHECK(ctxrun::add_saturating(WallTime{} - 1s, Duration::min()) == WallTime::min());
  CHECK(ctxrun::add_saturating(wall, 1ns) == wall + 1ns);
}

TEST_CASE("duration: sub_saturating holds at the ends of the range", "[duration][saturating]") {
  using ctxrun::Duration;
  using ctxrun::WallTime;
  const WallTime wall{std::chrono::seconds(1'795'446'245)};
  CHECK(ctxrun::sub_saturating(wall, wall - 3s) == 3s);
  CHECK(ctxrun::sub_saturating(WallTime::min(), wall) == Duration::min());
  CHECK(ctxrun::sub_saturating(WallTime::max(), WallTime{} - 1s) == Duration::max());
  const ctxrun::TimePoint now{std::chrono::hours(1)};
  CHECK(ctxrun::sub_saturating(ctxrun::TimePoint::max(), now) == ctxrun::TimePoint::max() - now);
  CHECK(ctxrun::sub_saturating(ctxrun::TimePoint::min(), now) == Duration::min());
}

// Rounding that carries into the next unit moves up a scale: never "1e+03ms".
TEST_CASE("duration: format_duration never prints an exponent", "[duration]") {
  const auto ns = GENERATE(999'600'000LL, 999'999'999LL);
  CAPTURE(ns);
  const std::string text = ctxrun::format_duration(ctxrun::Duration(ns));
  CHECK(text.find('e') == std::string::npos);
}

TEST_CASE("duration: format_duration round-trips through parse_duration for whole units", "[duration]") {
  const auto text = GENERATE(as<std::string>{}, "250ms", "1.5s", "2m30s", "1h5m", "3d2h", "7ns");
  CHECK(ctxrun::format_duration(ctxrun::parse_duration(text)) == text);
}

TEST_CASE("duration: format_unix drops trailing zeros", "[duration]") {
  CHECK(ctxrun::format_unix(unix_ns(1'700'000'000'250'000'000LL)) == "1700000000.25");
  CHECK(ctxrun::format_unix(unix_s(1'700'000'000)) == "1700000000");
  CHECK(ctxrun::format_unix(unix_ns(1'700'000'000'000'000'001LL)) == "1700000000.000000001");
  CHECK(ctxrun::format_unix(ctxrun::WallTime{}) == "0");
}

TEST_CASE("duration: format_seconds gives up to 9 decimals", "[duration]") {
  CHECK(ctxrun::format_seconds(12500ms) == "12.5");
  CHECK(ctxrun::format_seconds(1us) == "0.000001");
  CHECK(ctxrun::format_seconds(1ns) == "0.000000001");
  CHECK(ctxrun::format_seconds(ctxrun::Duration::zero()) == "0");
  CHECK(ctxrun::format_seconds(3s) == "3");
  CHECK(ctxrun::format_seconds(-1500ms) == "-1.5");
}

TEST_CASE("duration: format_rfc3339 is UTC with milliseconds", "[duration]") {
  CHECK(ctxrun::format_rfc3339(unix_ns(1'700'000'000'250'000'000LL)) == "2023-11-14T22:13:20.250Z");
  CHECK(ctxrun::format_rfc3339(ctxrun::WallTime{}) == "1970-01-01T00:00:00.000Z");
  // Sub-millisecond digits are truncated, not rounded.
  CHECK(ctxrun::format_rfc3339(unix_ns(1'700'000'000'999'999'999LL)) == "2023-11-14T22:13:20.999Z");
}

TEST_CASE("duration: parse_deadline reads RFC 3339 with Z and offsets", "[duration][deadline]") {
  const ctxrun::WallTime now = unix_s(0);
  // 2026-11-23T15:04:05Z
  const long long base = 1'795'446'245;
  auto [text, expected_ns] = GENERATE_COPY(table<std::string, long long>({
      {"2026-11-23T15:04:05Z", base * 1'000'000'000LL},
      {"2026-11-23t15:04:05z", base * 1'000'000'000LL},
      {"2026-11-23 15:04:05Z", base * 1'000'000'000LL},
      {"2026-11-23T15:04:05.5Z", base * 1'000'000'000LL + 500'000'000},
      {"2026-11-23T15:04:05.123456789Z", base * 1'000'000'000LL + 123'456'789},
      {"2026-11-23T16:04:05+01:00", base * 1'000'000'000LL},
      {"2026-11-23T09:34:05-05:30", base * 1'000'000'000LL},
      {"2026-11-23T16:04:05.5+01:00", base * 1'000'000'000LL + 500'000'000},
      {"2026-11-23T15:04:05+00:00", base * 1'000'000'000LL},
  }));
  CAPTURE(text);
  CHECK(ctxrun::parse_deadline(text, now).time_since_epoch().count() == expected_ns);
}

// Nanoseconds since 1970 end in 2262 and begin in 1677; the calendar goes on. A deadline
// beyond is far ahead (or long past), never the other way round, as plain arithmetic made it.
TEST_CASE("duration: an RFC 3339 time outside the range is held at its end", "[duration][deadline][saturating]") {
  auto [text, held] = GENERATE(table<std::string, ctxrun::WallTime>({
      {"6262-04-11T23:47:16Z", ctxrun::WallTime::max()},  // a fuzzer's find
      {"3000-01-01T00:00:00Z", ctxrun::WallTime::max()},
      {"2262-04-12T00:00:00Z", ctxrun::WallTime::max()},
      {"9999-12-31T23:59:59.999999999Z", ctxrun::WallTime::max()},
      {"2262-04-11T23:47:16.854775808Z", ctxrun::WallTime::max()},
      {"2262-04-12T02:00:00+02:00", ctxrun::WallTime::max()},
      {"1600-01-01T00:00:00Z", ctxrun::WallTime::min()},
      {"0000-01-01T00:00:00Z", ctxrun::WallTime::min()},
      {"1677-09-21T00:12:43.145224191Z", ctxrun::WallTime::min()},
  }));
  CAPTURE(text);
  CHECK(ctxrun::parse_deadline(text, unix_s(0)) == held);
}

TEST_CASE("duration: the ends of the range themselves parse exactly", "[duration][deadline][saturating]") {
  CHECK(ctxrun::parse_deadline("2262-04-11T23:47:16.854775807Z", unix_s(0)) == ctxrun::WallTime::max());
  CHECK(ctxrun::parse_deadline("2262-04-11T23:47:16.854775806Z", unix_s(0)) == ctxrun::WallTime::max() - 1ns);
  CHECK(ctxrun::parse_deadline("1677-09-21T00:12:43.145224192Z", unix_s(0)) == ctxrun::WallTime::min());
  CHECK(ctxrun::parse_deadline("1677-09-21T00:12:43.145224193Z", unix_s(0)) == ctxrun::WallTime::min() + 1ns);
}

TEST_CASE("duration: @UNIX beyond the range is refused, not held", "[duration][deadline]") {
  // Often milliseconds given for seconds: better refused than taken as "never".
  CHECK(ctxrun::parse_deadline("@9223372036", unix_s(0)) == unix_s(9'223'372'036));
  CHECK_THROWS_WITH(ctxrun::parse_deadline("@9223372037", unix_s(0)), Contains("too large"));
  CHECK_THROWS_WITH(ctxrun::parse_deadline("@1700000000000", unix_s(0)), Contains("too large"));
}

TEST_CASE("duration: parse_deadline formats back to the same instant", "[duration][deadline]") {
  const auto t = ctxrun::parse_deadline("2024-02-29T23:59:59.999Z", unix_s(0));
  CHECK(ctxrun::format_rfc3339(t) == "2024-02-29T23:59:59.999Z");
}

TEST_CASE("duration: parse_deadline rejects bad RFC 3339 with the reason", "[duration][deadline]") {
  auto [text, reason] = GENERATE(table<std::string, std::string>({
      {"2026-11-23T15:04:05", "time zone"},
      {"2026-02-30T00:00:00Z", "no such date"},
      {"2026-13-01T00:00:00Z", "no such date"},
      {"2025-02-29T00:00:00Z", "no such date"},
      {"2026-11-23T24:00:00Z", "no such time"},
      {"2026-11-23T12:60:00Z", "no such time"},
      {"2026-11-23T12:00:00+25:00", "offset"},
      {"2026-11-23T12:00:00Zjunk", "at the end"},
      {"2026-11-23X12:00:00Z", "'T'"},
      {"2026-11-23T12:00:00.Z", "digits after '.'"},
      {"2026-11-23T12:00:00+0100", "offset"},
      {"garbage", "expected RFC 3339"},
      {"", "expected a time"},
      {"tomorrow", "expected RFC 3339"},
  }));
  CAPTURE(text);
  CHECK_THROWS_AS(ctxrun::parse_deadline(text, unix_s(0)), ctxrun::ParseError);
  CHECK_THROWS_WITH(ctxrun::parse_deadline(text, unix_s(0)), Contains(reason));
}

TEST_CASE("duration: parse_deadline reads @unix seconds with a fraction", "[duration][deadline]") {
  CHECK(ctxrun::parse_deadline("@1700000000", unix_s(0)) == unix_s(1'700'000'000));
  CHECK(ctxrun::parse_deadline("@1700000000.25", unix_s(0)) == unix_ns(1'700'000'000'250'000'000LL));
  CHECK(ctxrun::parse_deadline("@0", unix_s(5)) == unix_s(0));
}

TEST_CASE("duration: parse_deadline rejects bad @unix values", "[duration][deadline]") {
  auto text = GENERATE(as<std::string>{}, "@", "@-5", "@abc", "@1.5e3", "@17s", "@99999999999999999999");
  CAPTURE(text);
  CHECK_THROWS_AS(ctxrun::parse_deadline(text, unix_s(0)), ctxrun::ParseError);
}

TEST_CASE("duration: HH:MM is today when still ahead", "[duration][deadline]") {
  use_utc();
  const auto now = ctxrun::parse_deadline("2026-11-23T10:00:00Z", unix_s(0));
  CHECK(ctxrun::parse_deadline("15:04", now) == ctxrun::parse_deadline("2026-11-23T15:04:00Z", now));
  CHECK(ctxrun::parse_deadline("15:04:05", now) == ctxrun::parse_deadline("2026-11-23T15:04:05Z", now));
  CHECK(ctxrun::parse_deadline("10:00:01", now) == ctxrun::parse_deadline("2026-11-23T10:00:01Z", now));
}

TEST_CASE("duration: HH:MM rolls over to tomorrow when already past or equal", "[duration][deadline]") {
  use_utc();
  const auto now = ctxrun::parse_deadline("2026-11-23T10:00:00Z", unix_s(0));
  CHECK(ctxrun::parse_deadline("09:59", now) == ctxrun::parse_deadline("2026-11-24T09:59:00Z", now));
  // Strictly after now: the very same second is tomorrow's.
  CHECK(ctxrun::parse_deadline("10:00", now) == ctxrun::parse_deadline("2026-11-24T10:00:00Z", now));
  CHECK(ctxrun::parse_deadline("00:00", now) == ctxrun::parse_deadline("2026-11-24T00:00:00Z", now));
}

TEST_CASE("duration: HH:MM rolls over a month and a year end", "[duration][deadline]") {
  use_utc();
  const auto now = ctxrun::parse_deadline("2026-12-31T23:30:00.5Z", unix_s(0));
  CHECK(ctxrun::parse_deadline("23:30", now) == ctxrun::parse_deadline("2027-01-01T23:30:00Z", now));
  CHECK(ctxrun::parse_deadline("23:45", now) == ctxrun::parse_deadline("2026-12-31T23:45:00Z", now));
}

TEST_CASE("duration: HH:MM is always strictly after now", "[duration][deadline]") {
  use_utc();
  const auto base = ctxrun::parse_deadline("2026-06-01T00:00:00Z", unix_s(0));
  const auto step = GENERATE(0LL, 1LL, 3599LL, 43'200LL, 86'399LL);
  const auto now = base + std::chrono::seconds(step);
  const auto t = ctxrun::parse_deadline("12:00", now);
  CAPTURE(step);
  CHECK(t > now);
  CHECK(t - now <= std::chrono::hours(24));
}

TEST_CASE("duration: bad clock times are rejected", "[duration][deadline]") {
  use_utc();
  auto [text, reason] = GENERATE(table<std::string, std::string>({
      {"24:00", "no such time"},
      {"12:60", "no such time"},
      {"12:00:60", "no such time"},
      {"12:00:0", "digits"},
      {"1a:00", "digits"},
      {"12:00x", "after the minute"},
      {"12:00:00x", "at the end"},
  }));
  CAPTURE(text);
  CHECK_THROWS_WITH(ctxrun::parse_deadline(text, unix_s(0)), Contains(reason));
}
