// cli.hpp — the run's command line: CLI11 reads the words (cli.cpp), validation gives them
// meaning (options.cpp). CLI11 itself stays out of every header.
#pragma once
#include <string>

#include "ctxrun/options.hpp"

namespace ctxrun {

/// --help or --version: the text to print, exit 0.
struct HelpRequested {
  std::string text;
};

/// Reads argv (argv[0] is the program) into words: the options before the command, and the
/// command, whose own words are never read as options. Throws UsageError for an unknown
/// option or a missing value, HelpRequested for --help and --version.
RawOptions read_command_line(int argc, const char* const* argv);

/// read_command_line, then validate: throws UsageError (one line naming the flag and value)
/// or HelpRequested. `now` resolves --deadline.
Options parse_command_line(int argc, const char* const* argv, WallTime now);

}  // namespace ctxrun
