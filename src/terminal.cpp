// terminal.cpp — pure functions of the environment; isatty is the caller's.
#include "ctxrun/terminal.hpp"

#include <string_view>

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

}  // namespace ctxrun
