// status_line_test.cpp — the text of the live status line.
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/status_line.hpp"
#include "ctxrun/text.hpp"

using namespace std::chrono_literals;

TEST_CASE("status_line: counts, running and time left", "[status_line]") {
  ctxrun::Progress c;
  c.total = 50;
  c.done = 12;  // 11 succeeded, 1 failed
  c.failed = 1;
  c.running = 8;
  c.left = 4200ms;
  CHECK(ctxrun::status_text(c, 0, false) == "[12/50] 8 running, 1 failed, 4.2s left");
}

TEST_CASE("status_line: no failures and no deadline leave those parts out", "[status_line]") {
  ctxrun::Progress c;
  c.total = 3;
  c.done = 1;
  c.running = 2;
  CHECK(ctxrun::status_text(c, 0, false) == "[1/3] 2 running");
}

TEST_CASE("status_line: a stopping run says so instead of the time left", "[status_line]") {
  ctxrun::Progress c;
  c.total = 2;
  c.running = 2;
  c.left = 10s;
  c.canceled = true;
  CHECK(ctxrun::status_text(c, 0, false) == "[0/2] 2 running, stopping");
}

TEST_CASE("status_line: a deadline already past shows 0s left", "[status_line]") {
  ctxrun::Progress c;
  c.total = 1;
  c.running = 1;
  c.left = -2s;
  CHECK(ctxrun::status_text(c, 0, false) == "[0/1] 1 running, 0s left");
}

TEST_CASE("status_line: color paints the failures red only", "[status_line]") {
  ctxrun::Progress c;
  c.total = 2;
  c.done = 1;
  c.failed = 1;
  c.running = 1;
  const auto text = ctxrun::status_text(c, 0, true);
  CHECK(text == "[1/2] 1 running, \x1b[31m1 failed\x1b[0m");
  CHECK(ctxrun::status_text(c, 0, false) == "[1/2] 1 running, 1 failed");
}

TEST_CASE("status_line: the text is elided to the width", "[status_line]") {
  ctxrun::Progress c;
  c.total = 50;
  c.done = 12;  // 11 succeeded, 1 failed
  c.failed = 1;
  c.running = 8;
  c.left = 4200ms;
  const std::size_t width = GENERATE(10u, 20u, 30u);
  const auto text = ctxrun::status_text(c, width, false);
  CHECK(ctxrun::display_width(text) == width);
  CHECK(text.find("\xe2\x80\xa6") != std::string::npos);
  CHECK(text.rfind("[12/", 0) == 0);
}

// elide_middle cuts the tail by bytes: "[1/2…[0m" shows a stray "[0m" at width 8, and escape
// bytes count as columns, so the colored line comes out narrower than the width.
TEST_CASE("status_line: a colored line is elided to the width without broken escapes", "[status_line]") {
  ctxrun::Progress c;
  c.total = 2;
  c.done = 1;
  c.failed = 1;
  c.running = 1;
  const std::size_t width = GENERATE(8u, 10u, 14u);
  CAPTURE(width);
  const auto text = ctxrun::status_text(c, width, true);
  CHECK(ctxrun::display_width(text) == width);
  CHECK(text.find("\xe2\x80\xa6[") == std::string::npos);
}
