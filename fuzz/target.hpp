// target.hpp — what the fuzz targets share: input decoding and the way they fail.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace ctxrun::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// NUL-separated words, as in argv or /proc/PID/environ: "a\0b" is {"a", "b"}, "" is {}.
inline std::vector<std::string> nul_separated(std::string_view text) {
  std::vector<std::string> words;
  if (text.empty()) return words;
  for (std::size_t at = 0;;) {
    const auto nul = text.find('\0', at);
    words.emplace_back(text.substr(at, nul - at));
    if (nul == std::string_view::npos) return words;
    at = nul + 1;
  }
}

/// A broken invariant is a crash to libFuzzer: abort() keeps the input as an artifact.
inline void require(const std::string& problem) {
  if (problem.empty()) return;
  std::fprintf(stderr, "invariant broken: %s\n", problem.c_str());
  std::abort();
}

}  // namespace ctxrun::fuzz
