// duration.cpp — Go-style durations with timeout(1)'s extensions; RFC 3339 and friends.
#include "ctxrun/duration.hpp"

#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "ctxrun/error.hpp"

namespace ctxrun {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

static_assert(std::is_same_v<TimePoint::duration, Duration>, "steady time points count nanoseconds");

std::int64_t add_held(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? kMax : kMin;
}

std::int64_t sub_held(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? kMax : kMin;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Unit {
  std::string_view name;
  std::int64_t ns;
};
// Longest names first, so "ms" is not read as "m".
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xc2\xb5s", 1'000},  // U+00B5 micro sign
    {"\xce\xbcs", 1'000},  // U+03BC Greek mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"d", 86'400'000'000'000},
};

// A decimal number: integer digits and fraction digits, as text.
struct Number {
  std::string_view whole, frac;
};

std::optional<Number> read_number(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  Number n{s.substr(0, i), {}};
  if (i < s.size() && s[i] == '.') {
    std::size_t j = i + 1;
    while (j < s.size() && is_digit(s[j])) ++j;
    n.frac = s.substr(i + 1, j - i - 1);
    i = j;
  }
  if (n.whole.empty() && n.frac.empty()) return std::nullopt;
  s.remove_prefix(i);
  return n;
}

// number × unit in nanoseconds; nullopt on overflow. Fraction digits beyond 1ns are dropped.
std::optional<std::int64_t> scale(const Number& n, std::int64_t unit) {
  __extension__ using Wide = unsigned __int128;
  Wide whole = 0;
  for (char c : n.whole) {
    whole = whole * 10 + static_cast<unsigned>(c - '0');
    if (whole > static_cast<Wide>(kMax)) return std::nullopt;
  }
  Wide frac = 0, denom = 1;
  for (char c : n.frac.substr(0, 18)) {
    frac = frac * 10 + static_cast<unsigned>(c - '0');
    denom *= 10;
  }
  const Wide total = whole * static_cast<Wide>(unit) + frac * static_cast<Wide>(unit) / denom;
  if (total > static_cast<Wide>(kMax)) return std::nullopt;
  return static_cast<std::int64_t>(total);
}

}  // namespace

TimePoint add_saturating(TimePoint t, Duration d) {
  return TimePoint(Duration(add_held(t.time_since_epoch().count(), d.count())));
}

WallTime add_saturating(WallTime t, Duration d) {
  return WallTime(Duration(add_held(t.time_since_epoch().count(), d.count())));
}

Duration sub_saturating(TimePoint a, TimePoint b) {
  return Duration(sub_held(a.time_since_epoch().count(), b.time_since_epoch().count()));
}

Duration sub_saturating(WallTime a, WallTime b) {
  return Duration(sub_held(a.time_since_epoch().count(), b.time_since_epoch().count()));
}

Duration parse_duration(std::string_view text) {
  // An option's value that is not there at all ("", or `-t -- cmd`, where the parser took the
  // `--`) is a missing duration, not a malformed or negative one.
  if (text.empty() || (text.front() == '-' && (text.size() == 1 || !(is_digit(text[1]) || text[1] == '.'))))
    throw ParseError("expected a duration");
  if (text.front() == '-') throw ParseError("negative duration");
  std::string_view s = text;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty()) throw ParseError("expected a number, as in 1.5s or 300ms");
  std::int64_t total = 0;
  bool nonzero_text = false;
  bool first = true;
  while (!s.empty()) {
    const std::string_view before = s;
    auto n = read_number(s);
    if (!n) throw ParseError(fmt::format("expected a number at {:?}", before));
    for (char c : n->whole) nonzero_text |= c != '0';
    for (char c : n->frac) nonzero_text |= c != '0';
    if (s.empty()) {
      // A bare number is seconds (timeout(1)), but only alone: "1h30" is a mistake.
      if (!first) throw ParseError("missing unit after the last number");
      auto v = scale(*n, 1'000'000'000);
      if (!v) throw ParseError("too large");
      total = *v;
      break;
    }
    // The unit is the whole run of letters up to the next number: "5sec" is unit "sec".
    std::size_t end = 0;
    while (end < s.size() && !is_digit(s[end]) && s[end] != '.') ++end;
    const std::string_view name = s.substr(0, end);
    const Unit* unit = nullptr;
    for (const auto& u : kUnits)
      if (u.name == name) unit = &u;
    if (!unit) {
      if (name.empty()) throw ParseError(fmt::format("expected a unit before {:?}", s));
      throw ParseError(fmt::format("unknown unit {:?} (use ns, us, ms, s, m, h or d)", name));
    }
    s.remove_prefix(end);
    auto v = scale(*n, unit->ns);
    if (!v || __builtin_add_overflow(total, *v, &total)) throw ParseError("too large");
    first = false;
  }
  if (total == 0 && nonzero_text) total = 1;  // like timeout(1): never round a real value down to "none"
  return Duration(total);
}

namespace {

int take_int(std::string_view& s, std::size_t digits, const char* what) {
  if (s.size() < digits) throw ParseError(fmt::format("expected {} digits for the {}", digits, what));
  int v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (!is_digit(s[i])) throw ParseError(fmt::format("expected {} digits for the {}", digits, what));
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  return v;
}

void expect(std::string_view& s, char c, const char* what) {
  if (s.empty() || s.front() != c) throw ParseError(fmt::format("expected '{}' {}", c, what));
  s.remove_prefix(1);
}

// ".123456789" → nanoseconds (digits past the 9th are dropped).
std::int64_t take_fraction(std::string_view& s) {
  if (s.empty() || s.front() != '.') return 0;
  s.remove_prefix(1);
  std::int64_t ns = 0, place = 100'000'000;
  std::size_t i = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    ns += (s[i] - '0') * place;
    place /= 10;
  }
  if (i == 0) throw ParseError("expected digits after '.'");
  s.remove_prefix(i);
  return ns;
}

WallTime parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  const int y = take_int(s, 4, "year");
  expect(s, '-', "after the year");
  const int mo = take_int(s, 2, "month");
  expect(s, '-', "after the month");
  const int d = take_int(s, 2, "day");
  if (s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' '))
    throw ParseError("expected 'T' between date and time");
  s.remove_prefix(1);
  const int h = take_int(s, 2, "hour");
  expect(s, ':', "after the hour");
  const int mi = take_int(s, 2, "minute");
  expect(s, ':', "after the minute");
  const int sec = take_int(s, 2, "second");
  const std::int64_t frac = take_fraction(s);
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) throw ParseError("no such date");
  if (h > 23 || mi > 59 || sec > 59) throw ParseError("no such time of day");
  minutes offset{0};
  if (s.empty()) throw ParseError("missing time zone: end with Z or an offset like +01:00");
  if (s.front() == 'Z' || s.front() == 'z') {
    s.remove_prefix(1);
  } else if (s.front() == '+' || s.front() == '-') {
    const int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    const int oh = take_int(s, 2, "offset hours");
    expect(s, ':', "in the offset");
    const int om = take_int(s, 2, "offset minutes");
    if (oh > 23 || om > 59) throw ParseError("no such offset");
    offset = minutes(sign * (oh * 60 + om));
  } else {
    throw ParseError("expected Z or an offset like +01:00 after the time");
  }
  if (!s.empty()) throw ParseError(fmt::format("unexpected {:?} at the end", s));
  // Seconds fit in 64 bits for every 4-digit year; nanoseconds only from 1677 to 2262. A time
  // outside that is still a time: held at the end of the range, it stays far ahead or long past,
  // which is all a deadline needs.
  const std::int64_t secs = std::int64_t{sys_days(ymd).time_since_epoch().count()} * 86'400 + h * 3'600 + mi * 60 +
                            sec - std::int64_t{offset.count()} * 60;
  __extension__ using Wide = __int128;
  const Wide ns = static_cast<Wide>(secs) * 1'000'000'000 + frac;
  if (ns > kMax) return WallTime::max();
  if (ns < kMin) return WallTime::min();
  return WallTime(nanoseconds(static_cast<std::int64_t>(ns)));
}

WallTime parse_unix(std::string_view s) {
  if (s.empty() || !is_digit(s.front())) throw ParseError("expected Unix seconds after '@'");
  std::string_view rest = s;
  auto n = read_number(rest);
  if (!n || !rest.empty()) throw ParseError("expected Unix seconds after '@', as in @1700000000.5");
  auto v = scale(*n, 1'000'000'000);
  if (!v) throw ParseError("too large");
  return WallTime(nanoseconds(*v));
}

WallTime parse_clock_time(std::string_view s, WallTime now) {
  const int h = take_int(s, 2, "hour");
  expect(s, ':', "after the hour");
  const int mi = take_int(s, 2, "minute");
  int sec = 0;
  if (!s.empty()) {
    expect(s, ':', "after the minute");
    sec = take_int(s, 2, "second");
  }
  if (!s.empty()) throw ParseError(fmt::format("unexpected {:?} at the end", s));
  if (h > 23 || mi > 59 || sec > 59) throw ParseError("no such time of day");
  const std::time_t t = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(now));
  // The next such local time: today's if it is still ahead, else tomorrow's. mktime
  // normalizes day overflow and resolves DST with tm_isdst = -1.
  for (int add_days = 0; add_days <= 2; ++add_days) {
    std::tm tm{};
    localtime_r(&t, &tm);
    tm.tm_mday += add_days;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    const std::time_t at = std::mktime(&tm);
    if (at == -1) throw ParseError("cannot resolve the local time");
    const WallTime when{std::chrono::seconds(at)};
    if (when > now) return when;
  }
  throw ParseError("cannot resolve the local time");
}

}  // namespace

WallTime parse_deadline(std::string_view text, WallTime now) {
  if (text.empty()) throw ParseError("expected a time: RFC 3339 (2026-11-23T15:04:05Z), @UNIXSECONDS or HH:MM[:SS]");
  if (text.front() == '@') return parse_unix(text.substr(1));
  if (text.size() >= 5 && text[2] == ':') return parse_clock_time(text, now);
  if (text.size() >= 10 && text[4] == '-') return parse_rfc3339(text);
  throw ParseError("expected RFC 3339 (2026-11-23T15:04:05Z), @UNIXSECONDS or HH:MM[:SS]");
}

std::string format_duration(Duration d) {
  // On the magnitude, unsigned: -Duration::min() does not exist, and the rounding below
  // (ns + half a unit) cannot overflow 64 unsigned bits for any 63-bit magnitude.
  const std::int64_t count = d.count();
  const std::uint64_t ns = count < 0 ? -static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
  const std::string_view sign = count < 0 ? "-" : "";
  if (ns == 0) return "0s";
  if (ns < 1'000) return fmt::format("{}{}ns", sign, ns);
  // Each scale rounds first and hands over to the next one when the rounding carries:
  // 999.6ms is "1s", 59.96s is "1m".
  if (ns < 999'500) return fmt::format("{}{:.3g}us", sign, static_cast<double>(ns) / 1e3);
  if (ns < 999'500'000) return fmt::format("{}{:.3g}ms", sign, static_cast<double>(ns) / 1e6);
  const auto tenths = (ns + 50'000'000) / 100'000'000;
  if (tenths < 600) {
    if (tenths % 10 == 0) return fmt::format("{}{}s", sign, tenths / 10);
    return fmt::format("{}{}.{}s", sign, tenths / 10, tenths % 10);
  }
  const auto s = (ns + 500'000'000) / 1'000'000'000;
  const auto days = s / 86400, hours_ = s / 3600 % 24, mins = s / 60 % 60, secs = s % 60;
  std::string out(sign);
  if (days) out += fmt::format("{}d", days);
  if (hours_) out += fmt::format("{}h", hours_);
  if (mins && !days) out += fmt::format("{}m", mins);
  if (secs && !days && !hours_) out += fmt::format("{}s", secs);
  return out;
}

namespace {
std::string decimal_ns(std::int64_t ns) {
  const bool neg = ns < 0;
  const std::uint64_t u = neg ? -static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string out = fmt::format("{}{}", neg ? "-" : "", u / 1'000'000'000);
  if (const auto frac = u % 1'000'000'000) {
    std::string f = fmt::format("{:09}", frac);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}
}  // namespace

std::string format_unix(WallTime t) { return decimal_ns(t.time_since_epoch().count()); }

std::string format_seconds(Duration d) { return decimal_ns(d.count()); }

std::string format_rfc3339(WallTime t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

}  // namespace ctxrun
