// terminal_test.cpp — color and status line decisions from a fake environment.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/terminal.hpp"
#include "fake_env.hpp"

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
      {true, {}, false},  // no TERM: not a smart terminal
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
      {Tristate::Auto, true, true, false, {}, false},  // TERM unset: not a smart terminal
      {Tristate::Auto, true, true, false, {{"TERM", ""}}, false},
      {Tristate::Auto, true, true, false, {{"TERM", "dumb"}}, false},
      {Tristate::Auto, false, true, false, {{"TERM", "xterm"}}, false},  // not a terminal
      {Tristate::Auto, true, false, false, {{"TERM", "xterm"}}, false},  // one command
      {Tristate::Auto, true, true, true, {{"TERM", "xterm"}}, false},    // inherited output
      {Tristate::On, true, true, false, {}, true},                       // --status: any terminal
      {Tristate::On, true, false, false, {{"TERM", "dumb"}}, true},
      {Tristate::On, false, true, false, {{"TERM", "xterm"}}, false},
      {Tristate::On, true, true, true, {{"TERM", "xterm"}}, false},
      {Tristate::Off, true, true, false, {{"TERM", "xterm"}}, false},
  }));
  CAPTURE(mode, tty, jobs, inherit, vars);
  const FakeEnv env{vars};
  CHECK(ctxrun::use_status_line(mode, tty, jobs, inherit, env.get()) == expected);
}
