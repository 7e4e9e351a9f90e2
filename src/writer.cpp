// writer.cpp — a queue in front of two descriptors, drained when they are writable.
#include "ctxrun/writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>

namespace ctxrun {

namespace asio = boost::asio;

struct Writer::Target {
  int fd;                                                // what write(2) uses
  std::optional<asio::posix::stream_descriptor> waiter;  // the reopened description, if any
  bool broken = false;

  Target(asio::io_context& io, int original) : fd(original) {
    struct stat st {};
    if (::fstat(original, &st) != 0) return;
    if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && ::isatty(original) == 0)) return;  // never blocks
    if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) return;  // sockets: plain blocking writes
    const std::string self = fmt::format("/proc/self/fd/{}", original);
    const int reopened = ::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (reopened < 0) return;
    fd = reopened;
    waiter.emplace(io, reopened);
  }
};

Writer::Writer(asio::io_context& io, std::function<void(Stream)> on_broken)
    : io_(io), on_broken_(std::move(on_broken)) {}

Writer::~Writer() = default;

// Made on first use: a run whose jobs write to ctxrun's stdout directly never needs them.
Writer::Target& Writer::target(Stream s) {
  auto& t = s == Stream::Out ? out_ : err_;
  if (!t) t = std::make_unique<Target>(io_, s == Stream::Out ? STDOUT_FILENO : STDERR_FILENO);
  return *t;
}

void Writer::write(Stream stream, std::string_view bytes) {
  if (bytes.empty() || target(stream).broken) return;
  // Append to the last chunk unless it is the one being written (its buffer would never shrink).
  if (!queue_.empty() && queue_.back().stream == stream && (queue_.size() > 1 || queue_.back().offset == 0)) {
    queue_.back().bytes.append(bytes);
  } else {
    queue_.push_back({stream, std::string(bytes)});
  }
  pending_ += bytes.size();
  if (!waiting_) pump();
}

bool Writer::write_some(Chunk& c) {
  Target& t = target(c.stream);
  while (c.offset < c.bytes.size()) {
    if (t.broken) {
      drop(c);
      return true;
    }
    const ssize_t n = ::write(t.fd, c.bytes.data() + c.offset, c.bytes.size() - c.offset);
    if (n > 0) {
      c.offset += static_cast<std::size_t>(n);
      pending_ -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      if (t.waiter) return false;
      // The caller gave us a non-blocking descriptor we could not reopen: wait for it here.
      pollfd p{t.fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
    } else {
      // EPIPE (the reader is gone) or a real error: nothing more can reach this stream.
      t.broken = true;
      drop(c);
      if (on_broken_) on_broken_(c.stream);
      return true;
    }
  }
  return true;
}

void Writer::pump() {
  while (!queue_.empty()) {
    Chunk& c = queue_.front();
    if (!write_some(c)) {
      Target& t = target(c.stream);
      waiting_ = true;
      t.waiter->async_wait(asio::posix::descriptor_base::wait_write, [this](const boost::system::error_code& ec) {
        waiting_ = false;
        if (!ec) pump();
      });
      return;
    }
    queue_.pop_front();
  }
  if (drained_ && pending_ <= low_) std::exchange(drained_, nullptr)();
}

void Writer::when_drained(std::size_t low, std::function<void()> f) {
  low_ = low;
  drained_ = std::move(f);
  if (pending_ <= low_ && !waiting_) std::exchange(drained_, nullptr)();
}

void Writer::flush() {
  for (auto* t : {out_.get(), err_.get()}) {
    if (!t || !t->waiter) continue;
    t->waiter->cancel();
    // Our own description: blocking now is harmless and nobody else sees the flag.
    const int flags = ::fcntl(t->fd, F_GETFL);
    if (flags >= 0) ::fcntl(t->fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  waiting_ = false;
  while (!queue_.empty()) {
    write_some(queue_.front());
    queue_.pop_front();
  }
}

}  // namespace ctxrun
