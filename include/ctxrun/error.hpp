// error.hpp — the two error types of ctxrun: a value that does not parse, and bad usage.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

namespace ctxrun {

/// A parser's complaint about a value, without the flag it came from ("unknown unit \"x\"").
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Bad usage: one line for the user. `main` maps it to exit status 125.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `--timeout: invalid value "1x": unknown unit "x"` (the value is quoted and escaped). A value
/// longer than 60 bytes is quoted cut short, then `… (N bytes)`.
UsageError bad_value(std::string_view flag, std::string_view value, std::string_view reason);

/// A line of ctxrun's own on stderr: `ctxrun: text\n`.
std::string message_line(std::string_view text);

}  // namespace ctxrun
