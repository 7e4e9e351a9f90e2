// text.hpp — widths and colors of the strings ctxrun prints (names, status, summary).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace ctxrun {

/// Columns of a UTF-8 string on a terminal: two for East Asian wide characters and emoji,
/// none for combining marks and ANSI escape sequences, one for the rest.
std::size_t display_width(std::string_view s);

/// Cuts the middle of `s` (with `…`) so it fits in `width` columns (one less when a wide
/// character would not fit whole); ANSI sequences kept whole.
std::string elide_middle(std::string_view s, std::size_t width);

/// The palette for job names: 6 readable colors, by job index.
int palette_color(std::size_t index);
/// `s` in ANSI color `code` (31–36, 90-97), reset after.
std::string paint(std::string_view s, int code);

}  // namespace ctxrun
