// text_test.cpp — widths, elision and colors of strings.
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/text.hpp"

TEST_CASE("text: display_width counts columns and skips ANSI sequences", "[text]") {
  auto [text, width] = GENERATE(table<std::string, std::size_t>({
      {"", 0},
      {"abc", 3},
      {"\xc3\xa9t\xc3\xa9", 3},                     // été
      {"\xe2\x94\x82", 1},                          // │
      {"\xf0\x9f\x98\x80", 2},                      // an emoji: two columns
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6},  // 日本語: two columns each
      {"\xf0\x9f\x9a\x80x", 3},                     // 🚀x
      {"e\xcc\x81", 1},                             // e and a combining acute accent
      {"\xef\xbc\xa1", 2},                          // a fullwidth A
      {"\x1b[31mred\x1b[0m", 3},
      {"\x1b[1;38;5;196mx\x1b[K", 1},
      {"a\x1b[0mb", 2},
  }));
  CAPTURE(text);
  CHECK(ctxrun::display_width(text) == width);
}

TEST_CASE("text: elide_middle keeps what fits", "[text]") {
  CHECK(ctxrun::elide_middle("short", 10) == "short");
  CHECK(ctxrun::elide_middle("exact", 5) == "exact");
  CHECK(ctxrun::elide_middle("", 0) == "");
}

TEST_CASE("text: elide_middle cuts the middle with an ellipsis", "[text]") {
  CHECK(ctxrun::elide_middle("abcdefghij", 5) == "ab\xe2\x80\xa6ij");
  CHECK(ctxrun::elide_middle("abcdefghij", 6) == "abc\xe2\x80\xa6ij");
  CHECK(ctxrun::elide_middle("abcdefghij", 1) == "\xe2\x80\xa6");
  CHECK(ctxrun::elide_middle("abcdefghij", 0) == "");
}

TEST_CASE("text: elide_middle fits the width exactly for plain text", "[text]") {
  const std::string text = "0123456789abcdefghijklmnopqrstuvwxyz";
  const std::size_t width = GENERATE(range<std::size_t>(1, 36));
  CHECK(ctxrun::display_width(ctxrun::elide_middle(text, width)) == width);
}

TEST_CASE("text: elide_middle does not split a UTF-8 character", "[text]") {
  const std::string text = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // 6 × é
  const auto out = ctxrun::elide_middle(text, 4);
  CHECK(out == "\xc3\xa9\xc3\xa9\xe2\x80\xa6\xc3\xa9");
  CHECK(ctxrun::display_width(out) == 4);
}

// The tail is cut by bytes: a color sequence near the end loses its ESC and prints as text,
// and escape bytes in the head are counted as columns.
TEST_CASE("text: elide_middle keeps ANSI sequences whole and out of the width", "[text]") {
  const std::string text = "abcdefghij\x1b[31mklmnopqrst\x1b[0m";  // 20 columns
  const std::size_t width = GENERATE(range<std::size_t>(3, 20));
  CAPTURE(width);
  const auto out = ctxrun::elide_middle(text, width);
  CHECK(ctxrun::display_width(out) == width);
  // Every '[' in the output belongs to an escape sequence.
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '[') CHECK((i > 0 && out[i - 1] == '\x1b'));
}

TEST_CASE("text: paint wraps in an SGR color and resets", "[text]") {
  CHECK(ctxrun::paint("name", 36) == "\x1b[36mname\x1b[0m");
  CHECK(ctxrun::display_width(ctxrun::paint("name", 31)) == 4);
}

TEST_CASE("text: the palette cycles through 6 distinct colors", "[text]") {
  std::set<int> colors;
  for (std::size_t i = 0; i < 6; ++i) colors.insert(ctxrun::palette_color(i));
  CHECK(colors.size() == 6);
  CHECK(ctxrun::palette_color(6) == ctxrun::palette_color(0));
  CHECK(ctxrun::palette_color(13) == ctxrun::palette_color(1));
  for (int c : colors) CHECK(((c >= 31 && c <= 36) || (c >= 90 && c <= 97)));
}

TEST_CASE("text: elide_middle never splits a wide character's columns", "[text]") {
  const std::string wide = "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5";  // 日 × 5, 10 columns
  for (std::size_t width = 1; width < 10; ++width) {
    const auto out = ctxrun::elide_middle(wide, width);
    INFO("width " << width << ": " << out);
    CHECK(ctxrun::display_width(out) <= width);
    CHECK(ctxrun::display_width(out) + 1 >= width);
  }
}
