// report_file.cpp — O_TMPFILE in the report's directory (a named, hidden temporary file where
// the filesystem has no O_TMPFILE), then link and rename.
#include "ctxrun/report_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"

namespace ctxrun {
namespace {

std::string temp_name(const std::string& base) {
  unsigned char bytes[6];
  random_bytes(bytes);
  return "." + base + ".ctxrun-" + hex(bytes);
}

}  // namespace

ReportFile::ReportFile(std::string path) : path_(std::move(path)) {
  const auto fail = [&](const std::string& why) { return UsageError(fmt::format("--report {:?}: {}", path_, why)); };
  const auto slash = path_.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash);
  base_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  if (base_.empty() || base_ == "." || base_ == "..") throw fail(error_text(EISDIR));
  dir_ = Fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_) throw fail(error_text(errno));
  struct stat st {};
  if (::fstatat(dir_.get(), base_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) throw fail(error_text(EISDIR));
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) throw fail("not a regular file");
  }
  file_ = Fd(::openat(dir_.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
  if (file_) {
    anonymous_ = true;
    return;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) throw fail(error_text(errno));
  temp_ = temp_name(base_);
  file_ = Fd(::openat(dir_.get(), temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!file_) {
    const int e = errno;
    temp_.clear();
    throw fail(error_text(e));
  }
}

ReportFile::~ReportFile() {
  if (!temp_.empty()) ::unlinkat(dir_.get(), temp_.c_str(), 0);
}

std::optional<std::string> ReportFile::commit(std::string_view text) {
  const auto fail = [&](const char* step, int e) {
    return fmt::format("--report {:?}: {}: {}", path_, step, error_text(e));
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = retry_eintr([&] { return ::write(file_.get(), text.data() + done, text.size() - done); });
    if (n <= 0) return fail("write", n < 0 ? errno : ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(file_.get()) != 0 && errno != EINVAL) return fail("fsync", errno);
  if (anonymous_) {  // a name first (hidden, random), then the rename that makes it the report
    const std::string name = temp_name(base_);
    const std::string self = fmt::format("/proc/self/fd/{}", file_.get());
    if (::linkat(AT_FDCWD, self.c_str(), dir_.get(), name.c_str(), AT_SYMLINK_FOLLOW) != 0 &&
        ::linkat(file_.get(), "", dir_.get(), name.c_str(), AT_EMPTY_PATH) != 0)
      return fail("link", errno);
    temp_ = name;
  }
  if (::renameat(dir_.get(), temp_.c_str(), dir_.get(), base_.c_str()) != 0) return fail("rename", errno);
  temp_.clear();
  file_.reset();
  return std::nullopt;
}

}  // namespace ctxrun
