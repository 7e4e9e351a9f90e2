// cli_read_test.cpp — read_command_line: the words as CLI11 reads them, before any meaning.
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/cli.hpp"

using ctxrun::Tristate;
using Strings = std::vector<std::string>;

namespace {

ctxrun::RawOptions read(const Strings& args) {
  std::vector<const char*> argv{"ctxrun"};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  return ctxrun::read_command_line(static_cast<int>(argv.size() - 1), argv.data());
}

}  // namespace

TEST_CASE("cli read: values are kept as written, for validation to judge", "[cli]") {
  const auto r = read({"-t", "1x", "--jobs", "many", "--color", "maybe", "-e", "NOEQUALS", "-c", " ", "true"});
  CHECK(r.timeout == std::optional<std::string>("1x"));
  CHECK(r.jobs == std::optional<std::string>("many"));
  CHECK(r.color == std::optional<std::string>("maybe"));
  CHECK(r.values == Strings{"NOEQUALS"});
  CHECK(r.commands == Strings{" "});
  CHECK(r.command == Strings{"true"});
}

TEST_CASE("cli read: an option left out is nullopt, one given empty is an empty value", "[cli]") {
  const auto r = read({"-t", "", "true"});
  CHECK(r.timeout == std::optional<std::string>(""));
  CHECK_FALSE(r.deadline.has_value());
  CHECK_FALSE(r.grace.has_value());
  CHECK(read({"--kill-after", "3s", "true"}).grace == std::optional<std::string>("3s"));
}

TEST_CASE("cli read: the last of a pair of flags wins, in any order and number", "[cli]") {
  auto [args, status, foreground] = GENERATE(table<Strings, Tristate, Tristate>({
      {{}, Tristate::Auto, Tristate::Auto},
      {{"--status"}, Tristate::On, Tristate::Auto},
      {{"--status", "--no-status"}, Tristate::Off, Tristate::Auto},
      {{"--no-status", "--status"}, Tristate::On, Tristate::Auto},
      {{"--no-status", "--status", "--no-status", "--status"}, Tristate::On, Tristate::Auto},
      {{"--status", "--status", "--no-status", "--no-status"}, Tristate::Off, Tristate::Auto},
      {{"--foreground", "--status", "--no-foreground"}, Tristate::On, Tristate::Off},
      {{"--no-foreground", "-q", "--foreground", "--no-status"}, Tristate::Off, Tristate::On},
      {{"--status=false"}, Tristate::Off, Tristate::Auto},
      {{"--no-status=false"}, Tristate::On, Tristate::Auto},
      {{"--no-foreground", "--foreground=true"}, Tristate::Auto, Tristate::On},
  }));
  CAPTURE(args);
  args.push_back("true");
  const auto r = read(args);
  CHECK(r.status == status);
  CHECK(r.foreground == foreground);
}

TEST_CASE("cli read: flags after the command are the command's, not the pair's", "[cli]") {
  const auto r = read({"--status", "prog", "--no-status", "--foreground"});
  CHECK(r.status == Tristate::On);
  CHECK(r.foreground == Tristate::Auto);
  CHECK(r.command == Strings{"prog", "--no-status", "--foreground"});
  const auto forced = read({"--no-status", "--", "--status"});
  CHECK(forced.status == Tristate::Off);
  CHECK(forced.command == Strings{"--status"});
}

// A second look at argv took these for the flags.
TEST_CASE("cli read: a flag's name as another option's value is that value, not the flag", "[cli]") {
  const auto file = read({"-f", "--status"});
  CHECK(file.jobs_file == std::optional<std::string>("--status"));
  CHECK(file.status == Tristate::Auto);
  const auto report = read({"--report", "--no-foreground", "-n", "--foreground", "true"});
  CHECK(report.report == std::optional<std::string>("--no-foreground"));
  CHECK(report.names == Strings{"--foreground"});
  CHECK(report.foreground == Tristate::Auto);
}

TEST_CASE("cli read: a pair's flag with a value that is no boolean is refused", "[cli]") {
  const char* argv[] = {"ctxrun", "--status=maybe", "true", nullptr};
  CHECK_THROWS_WITH(ctxrun::read_command_line(3, argv), Catch::Contains("--status") && Catch::Contains("maybe"));
}

TEST_CASE("cli read: the whole command line is kept, -- included", "[cli]") {
  CHECK(read({"-t", "5s", "--", "make"}).args == Strings{"ctxrun", "-t", "5s", "--", "make"});
}
