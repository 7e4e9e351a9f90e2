// error.cpp — the one-line usage message.
#include "ctxrun/error.hpp"

#include <fmt/format.h>

namespace ctxrun {

UsageError bad_value(std::string_view flag, std::string_view value, std::string_view reason) {
  return UsageError(fmt::format("{}: invalid value {:?}: {}", flag, value, reason));
}

}  // namespace ctxrun
