// cli11.hpp — what every CLI11 parser of ctxrun shares (private: CLI11 stays out of
// include/).
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "ctxrun/error.hpp"

namespace ctxrun {

/// One line naming the flag, from whatever CLI11 complains about.
inline UsageError from_cli11(const CLI::ParseError& e) {
  std::string what = e.what();
  if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
  return UsageError(what);
}

}  // namespace ctxrun
