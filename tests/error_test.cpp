// error_test.cpp — the one-line message for a bad value.
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/error.hpp"

TEST_CASE("error: bad_value names the flag, the quoted value and the reason", "[error]") {
  CHECK(std::string(ctxrun::bad_value("--timeout", "1x", "unknown unit \"x\"").what()) ==
        "--timeout: invalid value \"1x\": unknown unit \"x\"");
  CHECK(std::string(ctxrun::bad_value("--timeout", "", "expected a duration").what()) ==
        "--timeout: invalid value \"\": expected a duration");
}

TEST_CASE("error: bad_value escapes what a terminal would act on", "[error]") {
  const std::string text = ctxrun::bad_value("--names", "a\x1b[31mb\nc", "no").what();
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
}

TEST_CASE("error: a value up to 60 bytes is quoted whole", "[error]") {
  const std::string value(60, 'x');
  CHECK(std::string(ctxrun::bad_value("F", value, "r").what()) == "F: invalid value \"" + value + "\": r");
}

TEST_CASE("error: a longer value is quoted cut short, with its length", "[error]") {
  const std::string value(119'095, '7');
  const std::string text = ctxrun::bad_value("CTXRUN_LINEAGE", value, "why").what();
  CHECK(text == "CTXRUN_LINEAGE: invalid value \"" + std::string(60, '7') + "\"\u2026 (119095 bytes): why");
}

TEST_CASE("error: the cut never splits a UTF-8 character", "[error]") {
  const std::string value = std::string(59, 'a') + "\u00e9\u00e9";  // é is 2 bytes: bytes 60-61 and 62-63
  const std::string text = ctxrun::bad_value("F", value, "r").what();
  CHECK(text == "F: invalid value \"" + std::string(59, 'a') + "\"\u2026 (63 bytes): r");
}
