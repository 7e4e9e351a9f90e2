// terminal.hpp — decided once: is it a terminal, does it take color, how wide is it.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace ctxrun {

enum class ColorMode;
enum class Tristate;

/// `--color auto`: on when the stream is a terminal whose TERM is not `dumb` and NO_COLOR is
/// unset or empty; CLICOLOR_FORCE or FORCE_COLOR (non-empty, not `0`) force it on.
/// `get` reads the environment (getenv).
bool use_color(ColorMode mode, bool is_tty, const std::function<const char*(const char*)>& get);

/// A "smart" terminal: a TTY whose TERM is set and not `dumb` (where \r and \x1b[K work).
bool smart_terminal(bool is_tty, const std::function<const char*(const char*)>& get);

/// The live status line on stderr. Never with inherited output (the jobs write there
/// themselves); `--status` on any terminal; by default, with -c/-f jobs on a smart terminal:
/// the same TERM rule as colors, since it overprints with \r and \x1b[K.
bool use_status_line(Tristate mode, bool is_tty, bool jobs, bool inherit_output,
                     const std::function<const char*(const char*)>& get);

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
