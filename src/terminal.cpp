// terminal.cpp — pure functions of the environment and the strings; isatty is the caller's.
#include "ctxrun/terminal.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "ctxrun/options.hpp"

namespace ctxrun {
namespace {
bool set_and_not(const char* v, std::string_view no) { return v && *v && std::string_view(v) != no; }
}  // namespace

bool smart_terminal(bool is_tty, const std::function<const char*(const char*)>& get) {
  const char* term = get("TERM");
  return is_tty && term && *term && std::string_view(term) != "dumb";
}

bool use_color(ColorMode mode, bool is_tty, const std::function<const char*(const char*)>& get) {
  switch (mode) {
    case ColorMode::Always: return true;
    case ColorMode::Never: return false;
    case ColorMode::Auto: break;
  }
  if (set_and_not(get("CLICOLOR_FORCE"), "0") || set_and_not(get("FORCE_COLOR"), "0")) return true;
  if (const char* no = get("NO_COLOR"); no && *no) return false;
  return smart_terminal(is_tty, get);
}

bool use_status_line(Tristate mode, bool is_tty, bool jobs, bool inherit_output,
                     const std::function<const char*(const char*)>& get) {
  if (inherit_output || !is_tty) return false;
  switch (mode) {
    case Tristate::On: return true;
    case Tristate::Off: return false;
    case Tristate::Auto: break;
  }
  return jobs && smart_terminal(is_tty, get);
}

namespace {

// The string as units: an ANSI CSI sequence (no columns) or one UTF-8 code point (one column).
struct Unit {
  std::size_t pos, len;
  bool escape;
};

std::vector<Unit> units(std::string_view s) {
  std::vector<Unit> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i + 1;
    const bool escape = s[i] == '\x1b' && j < s.size() && s[j] == '[';
    if (escape) {  // CSI: parameters, then a final byte in 0x40..0x7e
      ++j;
      while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
      j = std::min(j + 1, s.size());
    } else {
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xc0) == 0x80) ++j;  // continuation bytes
    }
    out.push_back({i, j - i, escape});
    i = j;
  }
  return out;
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (const auto& u : units(s)) w += u.escape ? 0 : 1;
  return w;
}

std::string elide_middle(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  // Keep the head and the tail by columns; escape sequences cost nothing and are kept whole.
  const auto us = units(s);
  const std::size_t keep = width - 1, head_cols = (keep + 1) / 2, tail_cols = keep - head_cols;
  std::size_t head_end = 0, cols = 0;
  while (head_end < us.size() && (us[head_end].escape || cols < head_cols)) cols += us[head_end++].escape ? 0 : 1;
  std::size_t tail_begin = us.size();
  cols = 0;
  while (tail_begin > head_end && (us[tail_begin - 1].escape || cols < tail_cols)) cols += us[--tail_begin].escape ? 0 : 1;
  std::string out;
  bool colored = false;
  for (std::size_t i = 0; i < head_end; ++i) {
    out += s.substr(us[i].pos, us[i].len);
    colored |= us[i].escape;
  }
  out += "\u2026";
  for (std::size_t i = tail_begin; i < us.size(); ++i) {
    out += s.substr(us[i].pos, us[i].len);
    colored |= us[i].escape;
  }
  if (colored) out += "\x1b[0m";  // whatever the cut removed, colors end here
  return out;
}

int palette_color(std::size_t index) {
  static constexpr int kPalette[] = {36, 33, 35, 32, 34, 31};  // cyan yellow magenta green blue red
  return kPalette[index % std::size(kPalette)];
}

std::string paint(std::string_view s, int code) { return fmt::format("\x1b[{}m{}\x1b[0m", code, s); }

}  // namespace ctxrun
