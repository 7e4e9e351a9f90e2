// jobs_file.hpp — the -f file: one shell command a line.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ctxrun {

struct JobLine {
  int line;  ///< 1-based line number, for messages
  std::string command;
};

/// Skips blank lines and lines whose first non-blank character is `#`; drops a trailing CR.
/// Throws ParseError("line N: …") for a NUL byte.
std::vector<JobLine> parse_jobs_file(std::string_view text);

}  // namespace ctxrun
