// numbered_line.hpp — the soak's line, written by testchild and rebuilt by the soak to check
// every line it reads: `~L KEY SEQ PAYLOAD CHECKSUM~`. KEY names the job (CTXRUN_PATH), the
// attempt, the ctxrun that ran it (the tail of CTXRUN_LINEAGE) and the stream; the payload's
// length and letters follow from SEQ; the checksum (FNV-1a of `KEY SEQ PAYLOAD`) tells a
// whole line from a broken or spliced one.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace test {

/// The line for `seq`, without its newline.
inline std::string numbered_line(const std::string& key, long seq) {
  const auto h = static_cast<std::uint64_t>(seq) * 2654435761u;
  const std::size_t length = h % 181 + (seq % 97 == 0 ? 3000 : 0);
  std::string text = key + " " + std::to_string(seq) + " ";
  for (std::size_t i = 0; i < length; ++i)
    text += static_cast<char>('a' + (static_cast<std::size_t>(seq) * 31 + i) % 26);
  std::uint32_t sum = 2166136261u;
  for (const unsigned char c : text) sum = (sum ^ c) * 16777619u;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(sum));
  return "~L " + text + " " + hex + "~";
}

}  // namespace test
