// clock.hpp — the monotonic clock policy code is given, so tests can drive time by hand.
#pragma once
#include <chrono>

namespace ctxrun {

using TimePoint = std::chrono::steady_clock::time_point;

struct Clock {
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// The real monotonic clock.
struct SteadyClock final : Clock {
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace ctxrun
