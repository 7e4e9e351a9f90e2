// writer.cpp — a queue in front of two descriptors, drained when they are writable.
#include "ctxrun/writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>

#include "ctxrun/posix.hpp"

namespace ctxrun {

namespace asio = boost::asio;

namespace {
// A reader that fell behind once will again: a pipe of the default maximum then takes 16 times
// the 64 KiB (ctxrun's CPU per byte falls by a third, its reader's wake-ups by more). Only the
// capacity changes; past the per-user limit of pipe memory the call fails, harmlessly.
constexpr int kBigPipe = 1 << 20;
}  // namespace

struct Writer::Target {
  enum class How {
    Plain,     // never blocks: write(2) on the caller's descriptor
    Reopened,  // our own non-blocking description of the same pipe, FIFO or terminal
    Send,      // a socket: send(2) with MSG_DONTWAIT
    NoWait,    // a pipe we could not reopen: pwritev2(2) with RWF_NOWAIT
  };
  int fd;  // what is written to
  How how = How::Plain;
  std::optional<asio::posix::stream_descriptor> waiter;  // polled for room (our own descriptor)
  bool broken = false;
  bool growable = false;  // a pipe not grown yet

  Target(asio::io_context& io, int original) : fd(original) {
    struct stat st {};
    if (::fstat(original, &st) != 0) return;
    if (S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && ::isatty(original) == 0)) return;  // never blocks
    growable = S_ISFIFO(st.st_mode);
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
      const std::string self = fmt::format("/proc/self/fd/{}", original);
      const int reopened = ::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (reopened >= 0) {
        fd = reopened;
        how = How::Reopened;
        waiter.emplace(io, reopened);
        return;
      }
    }
    if (!S_ISSOCK(st.st_mode) && !S_ISFIFO(st.st_mode)) return;  // a terminal we cannot reopen: plain
    // A descriptor of our own to wait on: epoll on a duplicate watches the same file.
    const int dup = ::fcntl(original, F_DUPFD_CLOEXEC, 3);
    if (dup < 0) return;
    how = S_ISSOCK(st.st_mode) ? How::Send : How::NoWait;
    waiter.emplace(io, dup);
  }

  ssize_t write_some(std::string_view bytes) {
    switch (how) {
      case How::Send: return ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      case How::NoWait: {
        iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
        const ssize_t n = ::pwritev2(fd, &iov, 1, -1, RWF_NOWAIT);
        if (n < 0 && errno == EOPNOTSUPP) {  // an old kernel: blocking writes, as a last resort
          how = How::Plain;
          waiter.reset();
          return ::write(fd, bytes.data(), bytes.size());
        }
        return n;
      }
      case How::Plain:
      case How::Reopened: break;
    }
    return ::write(fd, bytes.data(), bytes.size());
  }
};

Writer::Writer(asio::io_context& io, std::function<void(Stream)> on_broken)
    : io_(io), on_broken_(std::move(on_broken)) {
  // Order across the two streams matters where they end in one file (`2>&1`, a terminal):
  // there they share one queue. Two files keep two queues, so a stalled stdout never holds
  // back stderr (ctxrun's own words among them).
  struct stat out {
  }, err{};
  shared_ = ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 && out.st_dev == err.st_dev &&
            out.st_ino == err.st_ino;
}

Writer::~Writer() = default;

// Made on first use: a run whose jobs write to ctxrun's stdout directly never needs them.
Writer::Target& Writer::target(Stream s) {
  auto& t = s == Stream::Out ? out_ : err_;
  if (!t) t = std::make_unique<Target>(io_, s == Stream::Out ? STDOUT_FILENO : STDERR_FILENO);
  return *t;
}

Writer::Lane& Writer::lane(Stream s) { return lanes_[shared_ || s == Stream::Out ? 0 : 1]; }

bool Writer::idle() const { return lanes_[0].queue.empty() && lanes_[1].queue.empty(); }

void Writer::write(Stream stream, std::string_view bytes) {
  if (bytes.empty() || target(stream).broken) return;
  if (stalled_[stream == Stream::Out ? 0 : 1]) {  // given up on: not one more piece of a line
    dropped_ += bytes.size();
    return;
  }
  Lane& l = lane(stream);
  // Nothing queued before these bytes: they go straight out, and only what the reader does
  // not take now is copied (a copy of every batch cost more than the formatting).
  if (l.queue.empty() && !l.waiting && !busy_) bytes.remove_prefix(put(stream, bytes));
  if (bytes.empty()) return;
  if (given_up_) {  // nothing waits for a reader any more: what it did not take is lost
    dropped_ += bytes.size();
    stalled_[stream == Stream::Out ? 0 : 1] = true;
    return;
  }
  enqueue(l, stream, bytes);
  if (!l.waiting && !busy_) write_queued(l);
}

void Writer::enqueue(Lane& l, Stream stream, std::string_view bytes) {
  pending_ += bytes.size();
  // Chunks of at most kChunk bytes whose buffers are used again: a reader that stays slow
  // costs no new pages (growing one string had the kernel zero fresh ones). A new buffer is
  // only as big as what it holds: lines that alternate between the streams make many chunks.
  auto& queue = l.queue;
  while (!bytes.empty()) {
    if (queue.empty() || queue.back().stream != stream || queue.back().bytes.size() == kChunk) {
      std::string block;
      if (!free_.empty()) {
        block = std::move(free_.back());
        free_.pop_back();
      }
      queue.push_back({stream, std::move(block)});
    }
    std::string& back = queue.back().bytes;
    const std::size_t n = std::min(bytes.size(), kChunk - back.size());
    // Doubling, but never past kChunk: the buffer is kept and used again.
    if (back.capacity() < back.size() + n)
      back.reserve(std::min(kChunk, std::max(back.size() + n, 2 * back.capacity())));
    back.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
}

std::size_t Writer::put(Stream stream, std::string_view bytes) {
  Target& t = target(stream);
  std::size_t done = 0;
  while (done < bytes.size() && !t.broken) {
    const ssize_t n = retry_eintr([&] { return t.write_some(bytes.substr(done)); });
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      if (std::exchange(t.growable, false) && ::fcntl(t.fd, F_SETPIPE_SZ, kBigPipe) > 0) continue;
      if (t.waiter) return done;
      // The caller gave us a non-blocking descriptor we cannot wait on (a terminal /proc does
      // not reopen): wait for it here, as a blocking write would.
      pollfd p{t.fd, POLLOUT, 0};
      retry_eintr([&] { return ::poll(&p, 1, -1); });
    } else {
      // EPIPE (the reader is gone) or a real error: nothing more can reach this stream. What
      // the callback writes meanwhile is only queued (busy_): we are inside a write or write_queued.
      t.broken = true;
      const bool was_busy = std::exchange(busy_, true);
      if (on_broken_) on_broken_(stream);
      busy_ = was_busy;
    }
  }
  return bytes.size();  // all written, or dropped for a reader that is gone
}

void Writer::write_queued(Lane& l) {
  busy_ = true;
  while (!l.queue.empty()) {
    Chunk& c = l.queue.front();
    const std::size_t n = put(c.stream, std::string_view(c.bytes).substr(c.offset));
    c.offset += n;
    pending_ -= n;
    if (c.offset < c.bytes.size()) {
      l.waiting = true;
      target(c.stream).waiter->async_wait(asio::posix::descriptor_base::wait_write,
                                          [this, &l](const boost::system::error_code& ec) {
                                            l.waiting = false;
                                            if (!ec) write_queued(l);
                                          });
      break;
    }
    release(c);
    l.queue.pop_front();
    check_drained();  // on the way down: paused readers resume while the rest is written
  }
  busy_ = false;
  // What was queued meanwhile for the other queue (a message about a broken stream) goes too.
  for (Lane& other : lanes_)
    if (&other != &l && !other.queue.empty() && !other.waiting) write_queued(other);
  check_drained();
}

void Writer::check_drained() {
  if (drained_ && pending_ <= low_) std::exchange(drained_, nullptr)();
  if (idle_ && idle()) std::exchange(idle_, nullptr)();
}

void Writer::when_idle(std::function<void()> f) {
  idle_ = std::move(f);
  check_drained();
}

void Writer::release(Chunk& c) {
  if (free_.size() >= kKeptChunks || c.bytes.capacity() < kChunk / 4) return;
  c.bytes.clear();
  free_.push_back(std::move(c.bytes));
}

void Writer::when_drained(std::size_t low, std::function<void()> f) {
  low_ = low;
  drained_ = std::move(f);
  check_drained();
}

std::size_t Writer::abandon() {
  // What is queued for stdout is given up. What is queued for stderr (ctxrun's own words, the
  // jobs' stderr) gets one more try, without waiting: when stdout stalled, stderr may not have.
  std::size_t dropped = 0;
  for (auto* t : {out_.get(), err_.get()})
    if (t && t->waiter) t->waiter->cancel();
  busy_ = true;
  // A line half written when the reader stopped gets one more try to end whole, without
  // waiting: a reader that is only slow then sees no line cut short.
  for (Lane& l : lanes_) {
    if (l.queue.empty()) continue;
    Chunk& c = l.queue.front();
    if (c.offset == 0 || c.bytes[c.offset - 1] == '\n') continue;
    const auto nl = c.bytes.find('\n', c.offset);
    const std::size_t n = (nl == std::string::npos ? c.bytes.size() : nl + 1) - c.offset;
    c.offset += put(c.stream, std::string_view(c.bytes).substr(c.offset, n));
  }
  bool err_full = false;  // once a stderr write falls short, no later stderr line may pass it
  for (Lane& l : lanes_) {
    for (auto& c : l.queue) {
      std::string_view rest = std::string_view(c.bytes).substr(c.offset);
      if (c.stream == Stream::Err && !err_full) {
        rest.remove_prefix(put(Stream::Err, rest));
        err_full = !rest.empty();
      }
      if (!rest.empty()) stalled_[c.stream == Stream::Out ? 0 : 1] = true;
      dropped += rest.size();
    }
    l.queue.clear();
    l.waiting = false;
  }
  busy_ = false;
  pending_ = 0;
  given_up_ = true;
  dropped_ += dropped;
  check_drained();
  return dropped;
}

}  // namespace ctxrun
