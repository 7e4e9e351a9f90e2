// line_splitter.hpp — bytes in, whole lines out; a partial line is held until its end comes.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ctxrun {

/// Bit i set where p[i] is '\n', for i < n <= 64. Lines are short (a few dozen bytes): one mask
/// per 64 bytes, walked with ctz, ends a line with no branch of its own, where a search per
/// line mispredicts at every line's end.
inline std::uint64_t newline_mask(const char* p, std::size_t n) {
  std::uint64_t m = 0;
  std::size_t i = 0;
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n');
  for (; i + 16 <= n; i += 16) {
    const auto bits = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), nl));
    m |= static_cast<std::uint64_t>(static_cast<unsigned>(bits)) << i;
  }
#endif
  for (; i < n; ++i) m |= static_cast<std::uint64_t>(p[i] == '\n') << i;
  return m;
}

/// A line, or a piece of a line longer than the limit.
struct Piece {
  std::string_view text;   ///< without the newline
  bool continued = false;  ///< a piece of the same line came before it (the line was split)
  bool newline = false;    ///< the input had a newline here (false: split, or a last line without one)
};

/// Pure and allocation-free in the common case: lines that lie whole inside one chunk are
/// handed out in place. A line longer than `max_line` comes out in pieces of `max_line`
/// bytes, none lost.
class LineSplitter {
 public:
  static constexpr std::size_t kDefaultMaxLine = 1 << 20;

  explicit LineSplitter(std::size_t max_line = kDefaultMaxLine) : max_(max_line ? max_line : 1) {}

  /// Calls emit(Piece) for every line completed by `bytes`, and for every full-size piece.
  template <class Emit>
  void feed(std::string_view bytes, Emit&& emit) {
    const char* line = bytes.data();  // where the line being read starts
    const char* const end = line + bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += 64) {
      const char* block = bytes.data() + at;
      for (std::uint64_t m = newline_mask(block, std::min<std::size_t>(64, bytes.size() - at)); m; m &= m - 1) {
        const char* nl = block + __builtin_ctzll(m);
        const auto n = static_cast<std::size_t>(nl - line);
        if (partial_.empty() && n <= max_) [[likely]] {
          emit(Piece{{line, n}, continued_, true});  // the fast path: no copy
          continued_ = false;
        } else {
          hold({line, n}, emit);
          emit(Piece{partial_, continued_, true});
          partial_.clear();
          continued_ = false;
        }
        line = nl + 1;
      }
    }
    if (line < end) hold({line, static_cast<std::size_t>(end - line)}, emit);
  }

  /// End of input: a last line without newline comes out now.
  template <class Emit>
  void finish(Emit&& emit) {
    if (!partial_.empty()) emit(Piece{partial_, continued_, false});
    partial_.clear();
    partial_.shrink_to_fit();
    continued_ = false;
  }

 private:
  // Appends to the held partial line, handing out full-size pieces as they fill up.
  template <class Emit>
  void hold(std::string_view bytes, Emit& emit) {
    while (partial_.size() + bytes.size() > max_) {
      const std::size_t take = max_ - partial_.size();
      partial_.append(bytes.substr(0, take));
      emit(Piece{partial_, continued_, false});
      partial_.clear();
      continued_ = true;
      bytes.remove_prefix(take);
    }
    partial_.append(bytes);
  }

  std::size_t max_;
  std::string partial_;
  bool continued_ = false;
};

}  // namespace ctxrun
