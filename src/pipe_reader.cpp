// pipe_reader.cpp — readiness, then read(2) until EAGAIN or the fairness bound.
#include "ctxrun/pipe_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/post.hpp>

namespace ctxrun {

namespace asio = boost::asio;

namespace {
constexpr ssize_t kDefaultPipe = 64 * 1024;
constexpr int kBigPipe = 1 << 20;  // the default /proc/sys/fs/pipe-max-size
}  // namespace

std::shared_ptr<PipeReader> PipeReader::make(asio::io_context& io, Fd read_end, std::span<char> buffer, Data on_data,
                                             Eof on_eof) {
  auto r = std::make_shared<PipeReader>(Tag{}, io, std::move(read_end), buffer, std::move(on_data), std::move(on_eof));
  r->self_ = r;
  r->arm();
  return r;
}

PipeReader::PipeReader(Tag, asio::io_context& io, Fd read_end, std::span<char> buffer, Data on_data, Eof on_eof)
    : pipe_(io), buffer_(buffer), on_data_(std::move(on_data)), on_eof_(std::move(on_eof)) {
  const int fd = read_end.release();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);  // our end only: the job's end blocks
  pipe_.assign(fd);
}

void PipeReader::arm() {
  if (!open_ || paused_ || armed_) return;
  armed_ = true;
  pipe_.async_wait(asio::posix::descriptor_base::wait_read, [self = self_.lock()](const boost::system::error_code&) {
    self->armed_ = false;
    self->drain();
  });
}

// Comes back from the loop: after the other handlers had their turn, or to read data that is
// waiting without a new edge to announce it.
void PipeReader::later() {
  if (!open_ || armed_) return;
  armed_ = true;
  asio::post(pipe_.get_executor(), [self = self_.lock()] {
    self->armed_ = false;
    self->drain();
  });
}

void PipeReader::resume() {
  paused_ = false;
  later();
}

void PipeReader::drain() {
  constexpr int kRoundsPerTurn = 4;
  for (int round = 0; round < kRoundsPerTurn; ++round) {
    if (paused_ || !open_) return;
    const ssize_t n = retry_eintr([&] { return ::read(pipe_.native_handle(), buffer_.data(), buffer_.size()); });
    if (n >= kDefaultPipe && !grown_) {
      // The writer filled the pipe: a bigger one means fewer wake-ups of it per byte read
      // (+20% MB/s with fast producers). Only then: most jobs write little, and the call
      // costs. Past the per-user limit of pipe memory it fails, harmlessly.
      grown_ = true;
      ::fcntl(pipe_.native_handle(), F_SETPIPE_SZ, kBigPipe);
    }
    if (n > 0) {
      on_data_(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      arm();
      return;
    }
    end();  // EOF (or an error, which for a pipe means the same: nothing more comes)
    return;
  }
  later();  // more may be waiting
}

void PipeReader::finish(std::size_t limit) {
  while (open_ && limit > 0) {
    const ssize_t n = retry_eintr(
        [&] { return ::read(pipe_.native_handle(), buffer_.data(), std::min(buffer_.size(), limit)); });
    if (n <= 0) break;  // EAGAIN: nothing more now; EOF or an error: nothing more ever
    on_data_(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
    limit -= static_cast<std::size_t>(n);
  }
  if (open_) end();
}

void PipeReader::end() {
  open_ = false;
  pipe_.close();  // a wait still queued completes with operation_aborted, and finds us closed
  auto eof = std::move(on_eof_);
  on_data_ = nullptr;
  on_eof_ = nullptr;
  if (eof) eof();
}

}  // namespace ctxrun
