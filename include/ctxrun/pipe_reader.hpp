// pipe_reader.hpp — reads one job stream (the read end of a pipe) on the loop.
#pragma once
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "ctxrun/posix.hpp"

namespace ctxrun {

/// Waits for readability, then reads into a buffer shared by every reader (one buffer for
/// the whole run, not one per job): Asio registers descriptors edge-triggered, so it drains
/// until EAGAIN, but yields to the rest of the loop after a few buffers so one fast job
/// cannot starve the others.
///
/// Lifetime: made by make(), held through a shared_ptr; every pending operation holds one
/// too. Its EOF ends it for good: the descriptor is closed, the callbacks are dropped, and
/// nothing is called after it, even if a completion was already queued.
class PipeReader {
 public:
  using Data = std::function<void(std::string_view)>;
  using Eof = std::function<void()>;

  static std::shared_ptr<PipeReader> make(boost::asio::io_context& io, Fd read_end, std::span<char> buffer,
                                          Data on_data, Eof on_eof);
  PipeReader(const PipeReader&) = delete;
  PipeReader& operator=(const PipeReader&) = delete;

  /// Stop reading for a while (the output queue is full): the job blocks on its pipe.
  void pause() { paused_ = true; }
  void resume();
  bool open() const { return open_; }
  /// The last read: takes what the pipe holds now (paused or not, at most `limit` bytes, so a
  /// writer that never stops cannot keep it going), then closes the pipe and reports EOF.
  void finish(std::size_t limit);

 private:
  struct Tag {};

 public:
  PipeReader(Tag, boost::asio::io_context& io, Fd read_end, std::span<char> buffer, Data on_data, Eof on_eof);

 private:
  void arm();
  void drain();
  void later();
  void end();

  boost::asio::posix::stream_descriptor pipe_;
  std::span<char> buffer_;
  Data on_data_;
  Eof on_eof_;
  std::weak_ptr<PipeReader> self_;
  bool open_ = true, paused_ = false, armed_ = false, grown_ = false;
};

}  // namespace ctxrun
