// duration.hpp — durations and deadlines as users write them, and the short human form.
#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "ctxrun/clock.hpp"

namespace ctxrun {

using Duration = std::chrono::nanoseconds;
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

/// `t + d`, held at the ends of the clock's range instead of overflowing: a deadline
/// centuries away stays in the future and one from before 1677 stays in the past.
TimePoint add_saturating(TimePoint t, Duration d);
WallTime add_saturating(WallTime t, Duration d);

/// `a - b`, held at the ends of Duration's range instead of overflowing.
Duration sub_saturating(TimePoint a, TimePoint b);
Duration sub_saturating(WallTime a, WallTime b);

/// Go syntax (`300ms`, `1.5s`, `2h45m`; units ns us µs ms s m h) plus timeout(1)'s: a bare
/// number is seconds and `d` is days. `0` means "none". A non-zero value below 1ns rounds up
/// to 1ns. Throws ParseError on a sign, overflow (> ~292 years) or anything else.
Duration parse_duration(std::string_view text);

/// RFC 3339 (`2026-11-23T15:04:05.5+01:00`, `Z`), `@UNIX[.frac]`, or `HH:MM[:SS]`: the next
/// such local time strictly after `now`. An RFC 3339 time outside WallTime's range (after
/// 2262-04-11 or before 1677-09-21) is held at its end; `@UNIX` beyond it is refused as too
/// large. Throws ParseError.
WallTime parse_deadline(std::string_view text, WallTime now);

/// Short human form: `0s`, `250ms`, `1.5s`, `2m30s`, `1h5m`, `3d2h`.
std::string format_duration(Duration d);

/// Unix seconds with up to 9 decimals, trailing zeros dropped: `1700000000.25`.
std::string format_unix(WallTime t);

/// Seconds with up to 9 decimals, trailing zeros dropped: `12.5`, `0.000001`.
std::string format_seconds(Duration d);

/// RFC 3339 in UTC with milliseconds: `2026-11-23T15:04:05.123Z`.
std::string format_rfc3339(WallTime t);

}  // namespace ctxrun
