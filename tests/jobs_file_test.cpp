// jobs_file_test.cpp — the -f file: commands with their line numbers.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/error.hpp"
#include "ctxrun/jobs_file.hpp"

namespace {
struct Line {
  int line;
  std::string command;
  bool operator==(const Line&) const = default;
};

std::vector<Line> parse(std::string_view text) {
  std::vector<Line> out;
  for (const auto& j : ctxrun::parse_jobs_file(text)) out.push_back({j.line, j.command});
  return out;
}
}  // namespace

namespace Catch {
template <>
struct StringMaker<Line> {
  static std::string convert(const Line& l) { return std::to_string(l.line) + ":\"" + l.command + "\""; }
};
}  // namespace Catch

TEST_CASE("jobs_file: one command a line, with its line number", "[jobs_file]") {
  CHECK(parse("make a\nmake b\n") == std::vector<Line>{{1, "make a"}, {2, "make b"}});
}

TEST_CASE("jobs_file: a last line without newline counts", "[jobs_file]") {
  CHECK(parse("make a\nmake b") == std::vector<Line>{{1, "make a"}, {2, "make b"}});
}

TEST_CASE("jobs_file: blank lines are skipped but keep the numbering", "[jobs_file]") {
  CHECK(parse("\na\n\n   \n\t\nb\n") == std::vector<Line>{{2, "a"}, {6, "b"}});
}

TEST_CASE("jobs_file: comments are skipped, also when indented", "[jobs_file]") {
  CHECK(parse("# header\na\n  # indented\n\t# tab\nb # not a comment\n") ==
        std::vector<Line>{{2, "a"}, {5, "b # not a comment"}});
}

TEST_CASE("jobs_file: CRLF line ends lose their CR", "[jobs_file]") {
  CHECK(parse("a\r\n\r\n# c\r\nb\r\n") == std::vector<Line>{{1, "a"}, {4, "b"}});
}

TEST_CASE("jobs_file: an empty file has no jobs", "[jobs_file]") {
  CHECK(parse("").empty());
  CHECK(parse("\n\n# only comments\n").empty());
}

TEST_CASE("jobs_file: a NUL byte is an error naming the line", "[jobs_file]") {
  const std::string text = std::string("ok\n# fine\nbad") + '\0' + "cmd\n";
  CHECK_THROWS_AS(ctxrun::parse_jobs_file(text), ctxrun::ParseError);
  CHECK_THROWS_WITH(ctxrun::parse_jobs_file(text), Catch::Contains("line 3") && Catch::Contains("NUL"));
}

TEST_CASE("jobs_file: a byte-order mark at the start is skipped", "[jobs_file]") {
  const auto jobs = ctxrun::parse_jobs_file("\xef\xbb\xbfmake test\n# \xef\xbb\xbf kept inside\n");
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].command == "make test");
  CHECK(jobs[0].line == 1);
}
