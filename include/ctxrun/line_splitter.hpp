// line_splitter.hpp — bytes in, whole lines out; a partial line is held until its end comes.
#pragma once
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace ctxrun {

/// The first '\n' in [p, end), or nullptr. Lines are short (a few dozen bytes): 16 bytes at a
/// time in registers beats a memchr call per line.
inline const char* find_newline(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n');
  for (; end - p >= 16; p += 16) {
    const int m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), nl));
    if (m != 0) return p + __builtin_ctz(static_cast<unsigned>(m));
  }
#endif
  return static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
}

/// A line, or a piece of a line longer than the limit.
struct Piece {
  std::string_view text;     ///< without the newline
  bool continued = false;    ///< a piece of the same line came before it (the line was split)
  bool newline = false;      ///< the input had a newline here (false: split, or a last line without one)
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
    while (!bytes.empty()) {
      const char* nl = find_newline(bytes.data(), bytes.data() + bytes.size());
      if (!nl) {
        hold(bytes, emit);
        return;
      }
      const auto n = static_cast<std::size_t>(nl - bytes.data());
      if (partial_.empty() && n <= max_) {
        emit(Piece{bytes.substr(0, n), continued_, true});  // the fast path: no copy
        continued_ = false;
      } else {
        hold(bytes.substr(0, n), emit);
        emit(Piece{partial_, continued_, true});
        partial_.clear();
        continued_ = false;
      }
      bytes.remove_prefix(n + 1);
    }
  }

  /// End of input: a last line without newline comes out now.
  template <class Emit>
  void finish(Emit&& emit) {
    if (!partial_.empty()) emit(Piece{partial_, continued_, false});
    partial_.clear();
    partial_.shrink_to_fit();
    continued_ = false;
  }

  bool holding() const { return !partial_.empty(); }

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
