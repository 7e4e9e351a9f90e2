// status_line.cpp — counts in, one short line out.
#include "ctxrun/status_line.hpp"

#include <fmt/format.h>

#include "ctxrun/text.hpp"

namespace ctxrun {

std::string status_text(const Progress& c, std::size_t width, bool color) {
  std::string s = fmt::format("[{}/{}] {} running", c.done, c.total, c.running);
  if (c.failed) {
    const std::string failed = fmt::format("{} failed", c.failed);
    s += ", " + (color ? paint(failed, 31) : failed);
  }
  if (c.canceled) {
    s += ", stopping";
  } else if (c.left) {
    s += fmt::format(", {} left", format_duration(*c.left < Duration::zero() ? Duration::zero() : *c.left));
  }
  return width ? elide_middle(s, width) : s;
}

}  // namespace ctxrun
