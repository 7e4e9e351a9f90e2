// fake_clock.hpp — a clock that moves only when told to, for the policy code given a Clock.
#pragma once
#include <chrono>

#include "ctxrun/clock.hpp"

namespace test {

struct FakeClock final : ctxrun::Clock {
  ctxrun::TimePoint t{std::chrono::hours(1)};
  ctxrun::TimePoint now() const override { return t; }
  void advance(std::chrono::nanoseconds d) { t += d; }
};

}  // namespace test
