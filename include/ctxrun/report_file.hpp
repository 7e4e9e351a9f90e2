// report_file.hpp — the --report file, written whole or not at all.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "ctxrun/posix.hpp"

namespace ctxrun {

/// Prepared before any job starts: a report that could never be written is bad input, found
/// then (the directory must take a new file; what is at the path, if anything, must be a
/// regular file or a symlink). Put in place at the end with rename(2), so a reader sees the
/// old report or the new one, never a part of one, and a symlink at the path is replaced,
/// never followed. A ctxrun killed before the end leaves the old report as it was.
class ReportFile {
 public:
  /// Throws UsageError naming --report and the path.
  explicit ReportFile(std::string path);
  ReportFile(ReportFile&&) = default;
  ~ReportFile();

  /// Writes `text`, syncs it, and renames it into place. The error, in words, if that fails.
  std::optional<std::string> commit(std::string_view text);

 private:
  std::string path_, base_;
  std::string temp_;  // the temporary name, while it has one
  Fd dir_, file_;
  bool anonymous_ = false;  // O_TMPFILE: no name until committed
};

}  // namespace ctxrun
