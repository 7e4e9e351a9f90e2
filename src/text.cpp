// text.cpp — widths and colors of the strings ctxrun prints.
#include "ctxrun/text.hpp"

#include <algorithm>
#include <iterator>
#include <span>
#include <vector>

#include <fmt/format.h>

namespace ctxrun {
namespace {

// Code points a terminal shows in two columns (East Asian Wide and Fullwidth, and the
// emoji shown as such), and those it shows in none (combining marks, joiners, variation
// selectors, skin tones), after Unicode's EastAsianWidth.txt: the ranges names use.
struct Range {
  char32_t first, last;
};
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C},
    {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0}, {0x1F3F4, 0x1F3F4},
    {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E},
    {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7}, {0x1F6EB, 0x1F6EC},
    {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};
constexpr Range kZero[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x0610, 0x061A},   {0x064B, 0x065F},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},   {0x20D0, 0x20FF},   {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0x1F3FB, 0x1F3FF}, {0xE0000, 0xE0FFF},
};

bool in(char32_t c, std::span<const Range> ranges) {
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                                   [](char32_t v, const Range& r) { return v < r.first; });
  return it != ranges.begin() && c <= std::prev(it)->last;
}

// The code point of a well-formed UTF-8 sequence; anything else counts as one column.
char32_t decode(std::string_view u) {
  const auto b = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(u[i])); };
  switch (u.size()) {
    case 2: return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
    case 3: return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    case 4: return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    default: return b(0);
  }
}

int columns(char32_t c) { return in(c, kZero) ? 0 : in(c, kWide) ? 2 : 1; }

// The string as units: an ANSI CSI sequence (no columns) or one UTF-8 code point (its columns).
struct Unit {
  std::size_t pos, len;
  bool escape;
  int cols;
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
    out.push_back({i, j - i, escape, escape ? 0 : columns(decode(s.substr(i, j - i)))});
    i = j;
  }
  return out;
}

}  // namespace

std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (const auto& u : units(s)) w += static_cast<std::size_t>(u.cols);
  return w;
}

std::string elide_middle(std::string_view s, std::size_t width) {
  if (display_width(s) <= width) return std::string(s);
  if (width == 0) return {};
  // Keep the head and the tail by columns, a wide character only where it fits whole;
  // escape sequences and zero-width marks cost nothing and stay with what they follow.
  const auto us = units(s);
  const std::size_t keep = width - 1, head_cols = (keep + 1) / 2;
  const auto fits = [](const Unit& u, std::size_t cols, std::size_t limit) {
    return cols + static_cast<std::size_t>(u.cols) <= limit;
  };
  std::size_t head_end = 0, cols = 0;
  while (head_end < us.size() && fits(us[head_end], cols, head_cols))
    cols += static_cast<std::size_t>(us[head_end++].cols);
  const std::size_t tail_cols = keep - cols;  // a column the head could not use goes to the tail
  std::size_t tail_begin = us.size();
  cols = 0;
  while (tail_begin > head_end && fits(us[tail_begin - 1], cols, tail_cols))
    cols += static_cast<std::size_t>(us[--tail_begin].cols);
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
