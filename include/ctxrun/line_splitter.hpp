// line_splitter.hpp — bytes in, whole lines out; a partial line is held until its end comes.
#pragma once
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace ctxrun {

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
      const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
      if (!nl) {
        hold(bytes, emit);
        return;
      }
      const std::size_t n = static_cast<const char*>(nl) - bytes.data();
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
