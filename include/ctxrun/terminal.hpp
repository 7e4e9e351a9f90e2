// terminal.hpp — decided once: does the terminal take color, and a status line.
#pragma once
#include <functional>

namespace ctxrun {

/// --color.
enum class ColorMode { Auto, Always, Never };
/// A flag with an opposite (--status/--no-status): given either way, or neither.
enum class Tristate { Auto, On, Off };

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

}  // namespace ctxrun
