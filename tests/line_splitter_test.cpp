// line_splitter_test.cpp — bytes in, whole lines (or marked pieces) out, none lost.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/line_splitter.hpp"

namespace {

// A piece copied out of the splitter (its text view is only valid during emit).
struct Out {
  std::string text;
  bool continued;
  bool newline;
  bool operator==(const Out&) const = default;
};

}  // namespace

namespace Catch {
template <>
struct StringMaker<Out> {
  static std::string convert(const Out& o) {
    return "{\"" + o.text + "\", continued=" + (o.continued ? "1" : "0") + ", newline=" + (o.newline ? "1" : "0") + "}";
  }
};
}  // namespace Catch

namespace {

struct Collector {
  std::vector<Out> pieces;
  void operator()(const ctxrun::Piece& p) { pieces.push_back({std::string(p.text), p.continued, p.newline}); }
};

std::vector<Out> split(const std::vector<std::string>& chunks,
                       std::size_t max = ctxrun::LineSplitter::kDefaultMaxLine) {
  ctxrun::LineSplitter s(max);
  Collector c;
  for (const auto& chunk : chunks) s.feed(chunk, c);
  s.finish(c);
  return c.pieces;
}

}  // namespace

TEST_CASE("line_splitter: whole lines in one chunk come out in place", "[line_splitter]") {
  ctxrun::LineSplitter s;
  const std::string chunk = "one\ntwo\nthree\n";
  std::vector<const char*> where;
  Collector c;
  s.feed(chunk, [&](const ctxrun::Piece& p) {
    where.push_back(p.text.data());
    c(p);
  });
  CHECK(c.pieces == std::vector<Out>{{"one", false, true}, {"two", false, true}, {"three", false, true}});
  // The fast path hands out views into the chunk itself.
  CHECK(where == std::vector<const char*>{chunk.data(), chunk.data() + 4, chunk.data() + 8});
  s.finish(c);  // nothing held back
  CHECK(c.pieces.size() == 3);
}

TEST_CASE("line_splitter: a line across chunks comes out once whole", "[line_splitter]") {
  ctxrun::LineSplitter s;
  Collector c;
  s.feed("hel", c);
  CHECK(c.pieces.empty());
  s.feed("lo wor", c);
  CHECK(c.pieces.empty());
  s.feed("ld\nnext", c);
  CHECK(c.pieces == std::vector<Out>{{"hello world", false, true}});
  s.finish(c);  // "next" was held back
  CHECK(c.pieces == std::vector<Out>{{"hello world", false, true}, {"next", false, false}});
}

TEST_CASE("line_splitter: byte-by-byte feeding gives the same lines", "[line_splitter]") {
  const std::string input = "alpha\nbeta\n\ngamma\n";
  std::vector<std::string> bytes;
  for (char ch : input) bytes.emplace_back(1, ch);
  CHECK(split(bytes) == split({input}));
  CHECK(split(bytes) ==
        std::vector<Out>{{"alpha", false, true}, {"beta", false, true}, {"", false, true}, {"gamma", false, true}});
}

TEST_CASE("line_splitter: empty lines are lines", "[line_splitter]") {
  CHECK(split({"\n\n\n"}) == std::vector<Out>{{"", false, true}, {"", false, true}, {"", false, true}});
}

TEST_CASE("line_splitter: a last line without newline comes at finish", "[line_splitter]") {
  ctxrun::LineSplitter s;
  Collector c;
  s.feed("a\npartial", c);
  CHECK(c.pieces == std::vector<Out>{{"a", false, true}});
  s.finish(c);
  CHECK(c.pieces == std::vector<Out>{{"a", false, true}, {"partial", false, false}});
  s.finish(c);  // nothing held back any more
  CHECK(c.pieces.size() == 2);
}

TEST_CASE("line_splitter: finish with nothing held emits nothing", "[line_splitter]") {
  CHECK(split({"done\n"}) == std::vector<Out>{{"done", false, true}});
  CHECK(split({}).empty());
  CHECK(split({""}).empty());
}

TEST_CASE("line_splitter: the splitter is reusable after finish", "[line_splitter]") {
  ctxrun::LineSplitter s(4);
  Collector c;
  s.feed("abcdef", c);
  s.finish(c);
  c.pieces.clear();
  s.feed("xy\n", c);
  CHECK(c.pieces == std::vector<Out>{{"xy", false, true}});
}

TEST_CASE("line_splitter: an overlong line comes out in max-size pieces", "[line_splitter]") {
  const std::vector<Out> expected{{"abcd", false, false}, {"efgh", true, false}, {"ij", true, true}};
  SECTION("in one chunk") { CHECK(split({"abcdefghij\n"}, 4) == expected); }
  SECTION("byte by byte") {
    std::vector<std::string> bytes;
    for (char ch : std::string("abcdefghij\n")) bytes.emplace_back(1, ch);
    CHECK(split(bytes, 4) == expected);
  }
  SECTION("in uneven chunks") { CHECK(split({"abcde", "fghij", "\n"}, 4) == expected); }
}

TEST_CASE("line_splitter: a line of exactly the maximum is one piece", "[line_splitter]") {
  CHECK(split({"abcd\n"}, 4) == std::vector<Out>{{"abcd", false, true}});
  CHECK(split({"ab", "cd", "\n"}, 4) == std::vector<Out>{{"abcd", false, true}});
}

TEST_CASE("line_splitter: a line of an exact multiple of the maximum", "[line_splitter]") {
  const std::vector<Out> expected{{"abcd", false, false}, {"efgh", true, true}};
  CHECK(split({"abcdefgh\n"}, 4) == expected);
  CHECK(split({"abcdefgh", "\n"}, 4) == expected);
  CHECK(split({"abcd", "efgh", "\n"}, 4) == expected);
}

TEST_CASE("line_splitter: an overlong last line without newline", "[line_splitter]") {
  CHECK(split({"abcdefghij"}, 4) ==
        std::vector<Out>{{"abcd", false, false}, {"efgh", true, false}, {"ij", true, false}});
}

TEST_CASE("line_splitter: the line after a split one is not continued", "[line_splitter]") {
  CHECK(split({"abcdef\nxy\n"}, 4) ==
        std::vector<Out>{{"abcd", false, false}, {"ef", true, true}, {"xy", false, true}});
}

TEST_CASE("line_splitter: a max of zero is treated as one", "[line_splitter]") {
  CHECK(split({"ab\n"}, 0) == std::vector<Out>{{"a", false, false}, {"b", true, true}});
}

TEST_CASE("line_splitter: no byte is lost for random chunkings", "[line_splitter]") {
  const auto seed = GENERATE(range(1u, 41u));
  std::mt19937 rng(seed);
  const std::size_t max = 1 + rng() % 8;
  std::string input;
  const std::size_t len = rng() % 200;
  for (std::size_t i = 0; i < len; ++i) input += (rng() % 5 == 0) ? '\n' : static_cast<char>('a' + rng() % 26);
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = 1 + rng() % 12;
    chunks.push_back(input.substr(at, n));
    at += n;
  }
  CAPTURE(seed, max, input);
  const auto pieces = split(chunks, max);

  std::string joined, without_newlines;
  std::size_t newlines = 0;
  for (const auto& p : pieces) {
    CHECK(p.text.size() <= max);
    CHECK(p.text.find('\n') == std::string::npos);
    joined += p.text;
    if (p.newline) ++newlines;
  }
  for (char ch : input)
    if (ch != '\n') without_newlines += ch;
  CHECK(joined == without_newlines);
  CHECK(newlines == static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n')));
  // Rebuilding with the newline flags gives the input back exactly.
  std::string rebuilt;
  for (const auto& p : pieces) rebuilt += p.text + (p.newline ? "\n" : "");
  CHECK(rebuilt == input);
  // The chunking does not change the pieces.
  CHECK(pieces == split({input}, max));
}

TEST_CASE("line_splitter: long chunks, with lines across the 64-byte blocks it scans, split as the naive way does",
          "[line_splitter]") {
  const auto seed = GENERATE(range(1u, 31u));
  std::mt19937 rng(seed);
  std::string input;
  std::vector<Out> naive;  // each line, as splitting at every '\n' gives it
  for (int lines = 0; lines < 60; ++lines) {
    std::string line(rng() % 150, 'x');
    for (auto& ch : line) ch = static_cast<char>('a' + rng() % 26);
    input += line + '\n';
    naive.push_back({line, false, true});
  }
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t n = 1 + rng() % 400;
    chunks.push_back(input.substr(at, n));
    at += n;
  }
  CAPTURE(seed);
  CHECK(split(chunks) == naive);
  // With a maximum some lines exceed, the pieces do not depend on the chunking.
  std::vector<std::string> bytes;
  for (char ch : input) bytes.emplace_back(1, ch);
  CHECK(split(chunks, 50) == split(bytes, 50));
}
