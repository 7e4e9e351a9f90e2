// progress.hpp — how far a run has come: what the loop counts and the status line shows.
#pragma once
#include <cstddef>
#include <optional>

#include "ctxrun/duration.hpp"

namespace ctxrun {

struct Progress {
  std::size_t total = 0, done = 0, failed = 0, running = 0;  ///< done: ended in any way, or never to start
  std::optional<Duration> left;                              ///< time left before the run's deadline
  bool canceled = false;                                     ///< the run is stopping
};

}  // namespace ctxrun
