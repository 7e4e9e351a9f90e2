// terminal.cpp — pure functions of the environment and the strings; isatty is the caller's.
#include "ctxrun/terminal.hpp"

#include <fmt/format.h>

#include "ctxrun/cli.hpp"

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

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1b && i + 1 < s.size() && s[i + 1] == '[') {  // CSI … final byte
      i += 2;
      while (i < s.size() && !(s[i] >= 0x40 && s[i] <= 0x7e)) ++i;
      continue;
    }
    if ((c & 0xc0) != 0x80) ++w;  // count lead bytes only
  }
  return w;
}

std::string elide_middle(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  // Keep the head and the tail, by columns; escape sequences go with the head.
  const std::size_t keep = width - 1, head_cols = (keep + 1) / 2, tail_cols = keep - head_cols;
  std::string head, tail;
  std::size_t cols = 0, i = 0;
  for (; i < s.size() && cols < head_cols; ++i) {
    head += s[i];
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && s[i] != 0x1b) ++cols;
    while (i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xc0) == 0x80) head += s[++i];
  }
  cols = 0;
  std::size_t j = s.size();
  while (j > i && cols < tail_cols) {
    --j;
    if ((static_cast<unsigned char>(s[j]) & 0xc0) != 0x80) ++cols;
  }
  tail = std::string(s.substr(j));
  return head + "\u2026" + tail + (head.find('\x1b') != std::string::npos ? "\x1b[0m" : "");
}

int palette_color(std::size_t index) {
  static constexpr int kPalette[] = {36, 33, 35, 32, 34, 31};  // cyan yellow magenta green blue red
  return kPalette[index % std::size(kPalette)];
}

std::string paint(std::string_view s, int code) { return fmt::format("\x1b[{}m{}\x1b[0m", code, s); }

}  // namespace ctxrun
