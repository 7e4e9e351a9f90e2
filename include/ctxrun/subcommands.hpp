// subcommands.hpp — the words that name a subcommand instead of a command, in one table.
#pragma once
#include <span>
#include <string_view>

namespace ctxrun {

/// `ctxrun NAME [ARG...]`.
struct Subcommand {
  std::string_view name;
  /// The subcommand's whole run, argv[0] being its name: returns the exit status, or throws
  /// UsageError or HelpRequested as the run's own parsing does.
  int (*main)(int argc, const char* const* argv);
  std::string_view help;  ///< one line, for --help
};

/// Every subcommand, in the order --help lists them.
std::span<const Subcommand> subcommands();

/// The subcommand argv[1] names, if it names one. Only the very first argument counts: after
/// `--` (`ctxrun -- remaining`) or an option (`ctxrun -t 5s remaining`) the word is a
/// command, so a program of any name can still be run.
const Subcommand* subcommand_for(int argc, const char* const* argv);

}  // namespace ctxrun
