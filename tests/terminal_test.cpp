// terminal_test.cpp — color decisions from a fake environment; widths and elision.
#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "fake_env.hpp"

#include "ctxrun/cli.hpp"
#include "ctxrun/terminal.hpp"

namespace {

using test::FakeEnv;

const FakeEnv kXterm{{{"TERM", "xterm-256color"}}};

}  // namespace

TEST_CASE("terminal: --color always and never ignore the terminal and the environment", "[terminal]") {
  const bool tty = GENERATE(false, true);
  const FakeEnv env{{{"TERM", "dumb"}, {"NO_COLOR", "1"}}};
  const FakeEnv forced{{{"CLICOLOR_FORCE", "1"}}};
  CHECK(ctxrun::use_color(ctxrun::ColorMode::Always, tty, env.get()));
  CHECK_FALSE(ctxrun::use_color(ctxrun::ColorMode::Never, tty, forced.get()));
}

TEST_CASE("terminal: --color auto follows the terminal and the environment", "[terminal]") {
  using Vars = std::map<std::string, std::string>;
  auto [tty, vars, expected] = GENERATE(table<bool, Vars, bool>({
      {true, {{"TERM", "xterm"}}, true},
      {false, {{"TERM", "xterm"}}, false},
      {true, {}, false},                                    // no TERM: not a smart terminal
      {true, {{"TERM", ""}}, false},
      {true, {{"TERM", "dumb"}}, false},
      {true, {{"TERM", "xterm"}, {"NO_COLOR", "1"}}, false},
      {true, {{"TERM", "xterm"}, {"NO_COLOR", ""}}, true},  // empty NO_COLOR is unset
      {false, {{"CLICOLOR_FORCE", "1"}}, true},
      {false, {{"FORCE_COLOR", "1"}}, true},
      {false, {{"FORCE_COLOR", "true"}}, true},
      {false, {{"CLICOLOR_FORCE", "0"}}, false},
      {false, {{"FORCE_COLOR", "0"}}, false},
      {false, {{"FORCE_COLOR", ""}}, false},
      {true, {{"TERM", "xterm"}, {"CLICOLOR_FORCE", "0"}}, true},
      {false, {{"TERM", "dumb"}, {"CLICOLOR_FORCE", "1"}}, true},
      {true, {{"TERM", "xterm"}, {"NO_COLOR", "1"}, {"FORCE_COLOR", "1"}}, true},
  }));
  CAPTURE(tty, vars);
  const FakeEnv env{vars};
  CHECK(ctxrun::use_color(ctxrun::ColorMode::Auto, tty, env.get()) == expected);
}

TEST_CASE("terminal: a smart terminal is a TTY with a TERM that is not dumb", "[terminal]") {
  CHECK(ctxrun::smart_terminal(true, kXterm.get()));
  CHECK_FALSE(ctxrun::smart_terminal(false, kXterm.get()));
  CHECK_FALSE(ctxrun::smart_terminal(true, FakeEnv{{{"TERM", "dumb"}}}.get()));
  CHECK_FALSE(ctxrun::smart_terminal(true, FakeEnv{}.get()));
}

TEST_CASE("terminal: the status line follows the colors' TERM rule by default", "[terminal][status]") {
  using Vars = std::map<std::string, std::string>;
  using ctxrun::Tristate;
  auto [mode, tty, jobs, inherit, vars, expected] = GENERATE(table<Tristate, bool, bool, bool, Vars, bool>({
      {Tristate::Auto, true, true, false, {{"TERM", "xterm"}}, true},
      {Tristate::Auto, true, true, false, {}, false},                  // TERM unset: not a smart terminal
      {Tristate::Auto, true, true, false, {{"TERM", ""}}, false},
      {Tristate::Auto, true, true, false, {{"TERM", "dumb"}}, false},
      {Tristate::Auto, false, true, false, {{"TERM", "xterm"}}, false},  // not a terminal
      {Tristate::Auto, true, false, false, {{"TERM", "xterm"}}, false},  // one command
      {Tristate::Auto, true, true, true, {{"TERM", "xterm"}}, false},    // inherited output
      {Tristate::On, true, true, false, {}, true},                     // --status: any terminal
      {Tristate::On, true, false, false, {{"TERM", "dumb"}}, true},
      {Tristate::On, false, true, false, {{"TERM", "xterm"}}, false},
      {Tristate::On, true, true, true, {{"TERM", "xterm"}}, false},
      {Tristate::Off, true, true, false, {{"TERM", "xterm"}}, false},
  }));
  CAPTURE(mode, tty, jobs, inherit, vars);
  const FakeEnv env{vars};
  CHECK(ctxrun::use_status_line(mode, tty, jobs, inherit, env.get()) == expected);
}

TEST_CASE("terminal: display_width counts code points and skips ANSI sequences", "[terminal]") {
  auto [text, width] = GENERATE(table<std::string, std::size_t>({
      {"", 0},
      {"abc", 3},
      {"\xc3\xa9t\xc3\xa9", 3},           // été
      {"\xe2\x94\x82", 1},                // │
      {"\xf0\x9f\x98\x80", 1},            // an emoji: one code point
      {"\x1b[31mred\x1b[0m", 3},
      {"\x1b[1;38;5;196mx\x1b[K", 1},
      {"a\x1b[0mb", 2},
  }));
  CAPTURE(text);
  CHECK(ctxrun::display_width(text) == width);
}

TEST_CASE("terminal: elide_middle keeps what fits", "[terminal]") {
  CHECK(ctxrun::elide_middle("short", 10) == "short");
  CHECK(ctxrun::elide_middle("exact", 5) == "exact");
  CHECK(ctxrun::elide_middle("", 0) == "");
}

TEST_CASE("terminal: elide_middle cuts the middle with an ellipsis", "[terminal]") {
  CHECK(ctxrun::elide_middle("abcdefghij", 5) == "ab\xe2\x80\xa6ij");
  CHECK(ctxrun::elide_middle("abcdefghij", 6) == "abc\xe2\x80\xa6ij");
  CHECK(ctxrun::elide_middle("abcdefghij", 1) == "\xe2\x80\xa6");
  CHECK(ctxrun::elide_middle("abcdefghij", 0) == "");
}

TEST_CASE("terminal: elide_middle fits the width exactly for plain text", "[terminal]") {
  const std::string text = "0123456789abcdefghijklmnopqrstuvwxyz";
  const std::size_t width = GENERATE(range<std::size_t>(1, 36));
  CHECK(ctxrun::display_width(ctxrun::elide_middle(text, width)) == width);
}

TEST_CASE("terminal: elide_middle does not split a UTF-8 character", "[terminal]") {
  const std::string text = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // 6 × é
  const auto out = ctxrun::elide_middle(text, 4);
  CHECK(out == "\xc3\xa9\xc3\xa9\xe2\x80\xa6\xc3\xa9");
  CHECK(ctxrun::display_width(out) == 4);
}

// The tail is cut by bytes: a color sequence near the end loses its ESC and prints as text,
// and escape bytes in the head are counted as columns.
TEST_CASE("terminal: elide_middle keeps ANSI sequences whole and out of the width",
          "[terminal]") {
  const std::string text = "abcdefghij\x1b[31mklmnopqrst\x1b[0m";  // 20 columns
  const std::size_t width = GENERATE(range<std::size_t>(3, 20));
  CAPTURE(width);
  const auto out = ctxrun::elide_middle(text, width);
  CHECK(ctxrun::display_width(out) == width);
  // Every '[' in the output belongs to an escape sequence.
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '[') CHECK((i > 0 && out[i - 1] == '\x1b'));
}

TEST_CASE("terminal: paint wraps in an SGR color and resets", "[terminal]") {
  CHECK(ctxrun::paint("name", 36) == "\x1b[36mname\x1b[0m");
  CHECK(ctxrun::display_width(ctxrun::paint("name", 31)) == 4);
}

TEST_CASE("terminal: the palette cycles through 6 distinct colors", "[terminal]") {
  std::set<int> colors;
  for (std::size_t i = 0; i < 6; ++i) colors.insert(ctxrun::palette_color(i));
  CHECK(colors.size() == 6);
  CHECK(ctxrun::palette_color(6) == ctxrun::palette_color(0));
  CHECK(ctxrun::palette_color(13) == ctxrun::palette_color(1));
  for (int c : colors) CHECK(((c >= 31 && c <= 36) || (c >= 90 && c <= 97)));
}
