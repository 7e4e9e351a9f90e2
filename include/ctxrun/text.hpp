// text.hpp — widths and colors of the strings ctxrun prints (names, status, summary).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ctxrun {

/// Columns of a UTF-8 string, counting each code point as one column and ANSI escape
/// sequences as none.
std::size_t display_width(std::string_view s);

/// Cuts the middle of `s` (with `…`) so it fits in `width` columns; ANSI sequences kept whole.
std::string elide_middle(std::string_view s, std::size_t width);

/// The palette for job names: 6 readable colors, by job index.
int palette_color(std::size_t index);
/// `s` in ANSI color `code` (31–36, 90-97), reset after.
std::string paint(std::string_view s, int code);

}  // namespace ctxrun
