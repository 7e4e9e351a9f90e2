// status_line.hpp — the text of the live status line (the Console draws it).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "ctxrun/duration.hpp"

namespace ctxrun {

struct StatusCounts {
  std::size_t total = 0, done = 0, failed = 0, running = 0;  ///< done: ended in any way, or never to start
  std::optional<Duration> left;  ///< time left before the run's deadline
  bool canceled = false;         ///< the run is stopping
};

/// `[12/50] 8 running, 1 failed, 4.2s left`, elided to `width` columns (0: no limit).
std::string status_text(const StatusCounts& c, std::size_t width, bool color);

}  // namespace ctxrun
