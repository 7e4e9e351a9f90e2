// docs_test.cpp — the man page and the completions keep up with --help: an option added to
// --help without its description or its completion fails here.
// Reads files only: the --help texts come from parse_command_line and from each subcommand
// asked for its --help, which it answers before reading anything else.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/cli.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/signal_name.hpp"
#include "ctxrun/subcommands.hpp"
#include "ctxrun/version.hpp"

namespace {

const std::string kSourceDir = CTXRUN_SOURCE_DIR;

std::string help_text() {
  const char* argv[] = {"ctxrun", "--help", nullptr};
  try {
    ctxrun::parse_command_line(2, argv, ctxrun::WallTime{});
  } catch (const ctxrun::HelpRequested& h) {
    return h.text;
  }
  FAIL("--help did not throw HelpRequested");
  return {};
}

std::string read(const std::string& relative) {
  std::ifstream in(kSourceDir + "/" + relative, std::ios::binary);
  INFO("file: " << kSourceDir << "/" << relative);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Roff writes a hyphen as `\-`; plain text is easier to search.
std::string unescape_hyphens(std::string roff) {
  for (auto at = roff.find("\\-"); at != std::string::npos; at = roff.find("\\-", at)) roff.erase(at, 1);
  return roff;
}

// From `.SH NAME` to the next `.SH`.
std::string man_section(const std::string& man, const std::string& name) {
  const std::string heading = "\n.SH " + name + "\n";
  const auto start = man.find(heading);
  INFO("man page section: " << name);
  REQUIRE(start != std::string::npos);
  const auto end = man.find("\n.SH ", start + heading.size());
  return man.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// `word` appears with no word character right after it (`--jobs` is not in `--jobs-file`), nor
// right before it unless it starts with a dash (roff's `\fB--timeout`).
bool has_word(const std::string& text, const std::string& word) {
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool before = at > 0 && word_char(text[at - 1]) && word.front() != '-';
    const bool after = at + word.size() < text.size() && word_char(text[at + word.size()]);
    if (!before && !after) return true;
  }
  return false;
}

// Every `--xxx` of the help text, `--help` and `--version` included.
std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> out;
  static const std::regex option("--[a-z][a-z0-9-]*[a-z0-9]");
  for (std::sregex_iterator it(help.begin(), help.end(), option), end; it != end; ++it) out.insert(it->str());
  return out;
}

// A subcommand's own --help text.
std::string help_text(const ctxrun::Subcommand& subcommand) {
  const std::string name(subcommand.name);
  const char* argv[] = {name.c_str(), "--help", nullptr};
  try {
    subcommand.main(2, argv);
  } catch (const ctxrun::HelpRequested& h) {
    return h.text;
  }
  FAIL(name << " --help did not throw HelpRequested");
  return {};
}

// The "Options:" block of a help text, without the examples after it (`curl --max-time`).
std::string options_block(const std::string& help) {
  const auto start = help.find("Options:\n");
  if (start == std::string::npos) return {};
  return help.substr(start, help.find("\n\n", start) - start);
}

// The numbers of the rows of the "Exit status:" table: `  124      a deadline ...`.
std::set<std::string> exit_statuses(const std::string& help) {
  std::set<std::string> out;
  const auto start = help.find("Exit status:\n");
  if (start == std::string::npos) return out;
  std::istringstream rows(help.substr(start + 13));
  static const std::regex row(R"(^\s+(\d+)\s.*)");
  for (std::string line; std::getline(rows, line) && !line.empty();) {
    std::smatch m;
    if (std::regex_match(line, m, row)) out.insert(m[1].str());
  }
  return out;
}

}  // namespace

TEST_CASE("docs: the --help text yields the options and exit statuses the checks rely on", "[docs]") {
  const auto help = help_text();
  const auto options = long_options(help);
  CHECK(options.count("--timeout") == 1);
  CHECK(options.count("--kill-after") == 1);
  CHECK(options.count("--no-status") == 1);
  CHECK(options.size() >= 25);
  const auto statuses = exit_statuses(help);
  CHECK(statuses == std::set<std::string>{"0", "124", "125", "126", "127"});
}

TEST_CASE("docs: every long option of --help is described under OPTIONS in the man page", "[docs]") {
  const auto section = unescape_hyphens(man_section(read("man/ctxrun.1"), "OPTIONS"));
  for (const auto& option : long_options(help_text())) {
    INFO("option: " << option);
    CHECK(has_word(section, option));
  }
}

TEST_CASE("docs: every long option of --help is completed by each completion file", "[docs]") {
  const auto [file, fish] = GENERATE(table<std::string, bool>({
      {"completions/ctxrun.bash", false},
      {"completions/_ctxrun", false},
      {"completions/ctxrun.fish", true},
  }));
  const auto text = read(file);
  for (const auto& option : long_options(help_text())) {
    INFO("file: " << file << "\noption: " << option);
    // fish declares a long option without its dashes: `complete -c ctxrun -l timeout`.
    CHECK(has_word(text, fish ? "-l " + option.substr(2) : option));
  }
}

TEST_CASE("docs: every exit status of the --help table is under EXIT STATUS in the man page", "[docs]") {
  const auto help = help_text();
  const auto section = man_section(read("man/ctxrun.1"), "EXIT STATUS");
  const auto statuses = exit_statuses(help);
  REQUIRE_FALSE(statuses.empty());
  for (const auto& status : statuses) {
    INFO("exit status: " << status);
    CHECK(has_word(section, status));
  }
  if (help.find("128+N") != std::string::npos) CHECK(section.find("128+") != std::string::npos);
}

TEST_CASE("docs: every subcommand and its long options are under SUBCOMMANDS in the man page", "[docs]") {
  const auto man = read("man/ctxrun.1");
  const auto section = unescape_hyphens(man_section(man, "SUBCOMMANDS"));
  const auto synopsis = man_section(man, "SYNOPSIS");
  REQUIRE_FALSE(ctxrun::subcommands().empty());
  for (const auto& subcommand : ctxrun::subcommands()) {
    const std::string name(subcommand.name);
    INFO("subcommand: " << name);
    CHECK(has_word(synopsis, ".B ctxrun " + name));
    CHECK(has_word(section, name));
    const auto options = long_options(options_block(help_text(subcommand)));
    CHECK(options.count("--help") == 1);
    for (const auto& option : options) {
      INFO("option: " << option);
      CHECK(has_word(section, option));
    }
  }
}

TEST_CASE("docs: every subcommand and its long options are completed by each completion file", "[docs]") {
  const auto [file, fish] = GENERATE(table<std::string, bool>({
      {"completions/ctxrun.bash", false},
      {"completions/_ctxrun", false},
      {"completions/ctxrun.fish", true},
  }));
  const auto text = read(file);
  for (const auto& subcommand : ctxrun::subcommands()) {
    const std::string name(subcommand.name);
    INFO("file: " << file << "\nsubcommand: " << name);
    CHECK(has_word(text, name));
    for (const auto& option : long_options(options_block(help_text(subcommand)))) {
      INFO("option: " << option);
      CHECK(has_word(text, fish ? "-l " + option.substr(2) : option));
    }
  }
}

// Both overprint or color on the terminal: without a TERM ctxrun cannot know the terminal
// understands escape codes, so the status line and the colors decide alike (terminal.hpp).
TEST_CASE("docs: the man page gives the status line the same TERM rule as colors", "[docs]") {
  const auto man = unescape_hyphens(read("man/ctxrun.1"));
  const auto item = man.find(".BR --status \", \" --no-status");
  REQUIRE(item != std::string::npos);
  const auto status = man.substr(item, man.find("\n.TP", item) - item);
  const std::string rule = "\\fBTERM\\fP is set and not \\fBdumb\\fP";
  CHECK_THAT(status, Catch::Contains(rule));
}

namespace {

// The words between `open` and `close` in `text` (a shell list of signal names).
std::vector<std::string> words_between(const std::string& text, const std::string& open, const std::string& close) {
  const auto start = text.find(open);
  INFO("looking for: " << open);
  REQUIRE(start != std::string::npos);
  const auto from = start + open.size();
  std::istringstream in(text.substr(from, text.find(close, from) - from));
  std::vector<std::string> words;
  for (std::string w; in >> w;)
    if (w != "\\") words.push_back(w);
  return words;
}

}  // namespace

TEST_CASE("docs: every signal a completion offers for --signal is one it accepts", "[docs]") {
  const auto [file, open, close] = GENERATE(table<std::string, std::string, std::string>({
      {"completions/ctxrun.bash", "_ctxrun_signals=\"", "\""},
      {"completions/_ctxrun", "signals=(", ")"},
      {"completions/ctxrun.fish", "set -l signals ", "\n\n"},
  }));
  const auto names = words_between(read(file), open, close);
  CHECK(names.size() >= 20);
  for (const auto& name : names) {
    INFO("file: " << file << "\nsignal: " << name);
    CHECK_NOTHROW(ctxrun::parse_termination_signal(name));
  }
}

// The version's one place is project() in CMakeLists.txt (CTXRUN_VERSION here): the header
// generated from it and the man page's title line say the same.
TEST_CASE("docs: the man page's title line and ctxrun::kVersion give the version of CMakeLists.txt", "[docs]") {
  const std::string version = CTXRUN_VERSION;
  CHECK(std::string(ctxrun::kVersion) == version);
  const std::string man = read("man/ctxrun.1");
  static const std::regex title(R"re((^|\n)\.TH CTXRUN 1 \S+ "ctxrun ([^"]*)")re");
  std::smatch m;
  REQUIRE(std::regex_search(man, m, title));
  CHECK(m[2].str() == version);
}
