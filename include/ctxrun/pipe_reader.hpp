// pipe_reader.hpp — reads one job stream (the read end of a pipe) on the loop.
#pragma once
#include <functional>
#include <span>
#include <string_view>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "ctxrun/posix.hpp"

namespace ctxrun {

/// Waits for readability, then reads into a buffer shared by every reader (one buffer for
/// the whole run, not one per job): Asio registers descriptors edge-triggered, so it drains
/// until EAGAIN, but yields to the rest of the loop after a few buffers so one fast job
/// cannot starve the others.
class PipeReader {
 public:
  using Data = std::function<void(std::string_view)>;
  using Eof = std::function<void()>;

  PipeReader(boost::asio::io_context& io, Fd read_end, std::span<char> buffer, Data on_data, Eof on_eof);
  PipeReader(const PipeReader&) = delete;
  PipeReader& operator=(const PipeReader&) = delete;

  /// Stop reading for a while (the output queue is full): the job blocks on its pipe.
  void pause() { paused_ = true; }
  void resume();
  bool open() const { return open_; }

 private:
  void arm();
  void drain();

  boost::asio::posix::stream_descriptor pipe_;
  std::span<char> buffer_;
  Data on_data_;
  Eof on_eof_;
  bool open_ = true, paused_ = false, armed_ = false, grown_ = false;
};

}  // namespace ctxrun
