// error.cpp — the one-line usage message, and the form of every message of ctxrun's own.
#include "ctxrun/error.hpp"

#include <fmt/format.h>

namespace ctxrun {

namespace {

// Longer values are quoted cut short: an inherited CTXRUN_LINEAGE can be 100 KB, and the
// message must stay one line a person can read.
constexpr std::size_t kMaxQuoted = 60;

}  // namespace

UsageError bad_value(std::string_view flag, std::string_view value, std::string_view reason) {
  if (value.size() <= kMaxQuoted) return UsageError(fmt::format("{}: invalid value {:?}: {}", flag, value, reason));
  std::size_t cut = kMaxQuoted;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
  return UsageError(
      fmt::format("{}: invalid value {:?}\u2026 ({} bytes): {}", flag, value.substr(0, cut), value.size(), reason));
}

std::string message_line(std::string_view text) { return fmt::format("ctxrun: {}\n", text); }

}  // namespace ctxrun
