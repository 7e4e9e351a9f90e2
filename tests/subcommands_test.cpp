// subcommands_test.cpp — which first words name a subcommand, and which are commands.
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/cli.hpp"
#include "ctxrun/subcommands.hpp"

using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {

// The subcommand `args` (after "ctxrun") dispatch to: its name, or "" for a run.
std::string dispatched(const Strings& args) {
  std::vector<const char*> argv{"ctxrun"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const auto* subcommand = ctxrun::subcommand_for(static_cast<int>(argv.size() - 1), argv.data());
  return subcommand ? std::string(subcommand->name) : "";
}

}  // namespace

TEST_CASE("subcommands: a first word that names one is that subcommand", "[subcommands]") {
  CHECK(dispatched({"remaining"}) == "remaining");
  CHECK(dispatched({"remaining", "--unit", "ms"}) == "remaining");
  CHECK(dispatched({"remaining", "--help"}) == "remaining");
}

TEST_CASE("subcommands: only the very first word counts, so any command can still run", "[subcommands]") {
  const auto args = GENERATE(Strings{}, Strings{"--", "remaining"}, Strings{"-t", "5s", "remaining"},
                             Strings{"-c", "remaining"}, Strings{"--help", "remaining"}, Strings{"Remaining"},
                             Strings{"remainingx"}, Strings{"remain"}, Strings{""}, Strings{"make", "remaining"});
  CAPTURE(args);
  CHECK(dispatched(args).empty());
}

TEST_CASE("subcommands: the word after -- or after options is a run's command", "[subcommands]") {
  const char* forced[] = {"ctxrun", "--", "remaining", "--unit", "ms", nullptr};
  CHECK(ctxrun::parse_command_line(5, forced, ctxrun::WallTime{}).command == Strings{"remaining", "--unit", "ms"});
  const char* after_options[] = {"ctxrun", "-t", "5s", "remaining", nullptr};
  CHECK(ctxrun::parse_command_line(4, after_options, ctxrun::WallTime{}).command == Strings{"remaining"});
}

TEST_CASE("subcommands: each has a name that is no option and a line of help, names unique", "[subcommands]") {
  std::set<std::string_view> names;
  REQUIRE_FALSE(ctxrun::subcommands().empty());
  for (const auto& s : ctxrun::subcommands()) {
    CAPTURE(s.name);
    CHECK_FALSE(s.name.empty());
    CHECK(s.name.front() != '-');
    CHECK(s.main != nullptr);
    CHECK_FALSE(s.help.empty());
    CHECK(s.help.find('\n') == std::string_view::npos);
    CHECK(names.insert(s.name).second);
  }
}

TEST_CASE("subcommands: the run's --help lists every one with its help", "[subcommands]") {
  const char* argv[] = {"ctxrun", "--help", nullptr};
  std::string help;
  try {
    ctxrun::parse_command_line(2, argv, ctxrun::WallTime{});
  } catch (const ctxrun::HelpRequested& h) {
    help = h.text;
  }
  CHECK_THAT(help, Contains("ctxrun SUBCOMMAND [ARG...]") && Contains("Subcommands"));
  for (const auto& s : ctxrun::subcommands())
    CHECK_THAT(help, Contains(std::string(s.name)) && Contains(std::string(s.help)));
}
