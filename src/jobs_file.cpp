// jobs_file.cpp — line splitting with line numbers kept for error messages.
#include "ctxrun/jobs_file.hpp"

#include <fmt/format.h>

#include "ctxrun/error.hpp"

namespace ctxrun {

std::vector<JobLine> parse_jobs_file(std::string_view text) {
  std::vector<JobLine> jobs;
  int number = 0;
  // A byte-order mark, which some editors put first in a UTF-8 file, is no part of a command.
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  while (!text.empty()) {
    ++number;
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos)
      throw ParseError(fmt::format("line {}: NUL byte in the command", number));
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    jobs.push_back({number, std::string(line)});
  }
  return jobs;
}

}  // namespace ctxrun
