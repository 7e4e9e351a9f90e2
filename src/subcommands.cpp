// subcommands.cpp — the table of subcommands; a new one is a row here and a file of its own.
#include "ctxrun/subcommands.hpp"

#include "ctxrun/remaining.hpp"

namespace ctxrun {
namespace {

constexpr Subcommand kSubcommands[] = {
    {"remaining", remaining_main, "Print the time left in the inherited context (see remaining -h)"},
};

}  // namespace

std::span<const Subcommand> subcommands() { return kSubcommands; }

const Subcommand* subcommand_for(int argc, const char* const* argv) {
  if (argc < 2 || argv[1] == nullptr) return nullptr;
  for (const auto& s : kSubcommands)
    if (argv[1] == s.name) return &s;
  return nullptr;
}

}  // namespace ctxrun
