// status_line.hpp — the text of the live status line (the loop's Console draws it).
#pragma once
#include <cstddef>
#include <string>

#include "ctxrun/progress.hpp"

namespace ctxrun {

/// `[12/50] 8 running, 1 failed, 4.2s left`, elided to `width` columns (0: no limit).
std::string status_text(const Progress& c, std::size_t width, bool color);

}  // namespace ctxrun
