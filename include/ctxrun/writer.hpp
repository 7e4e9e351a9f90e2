// writer.hpp — ctxrun's own stdout and stderr, written without ever blocking the loop.
//
// A slow reader (a paused terminal, `| less`) must not stop the loop: deadlines and signals
// still have to be served. Setting O_NONBLOCK on fd 1 would change the open file description
// ctxrun shares with its caller, so pipes, FIFOs and terminals are reopened through
// /proc/self/fd/N, which gives a description of our own to make non-blocking. Regular files
// and /dev/null never block and are written directly.
#pragma once
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ctxrun/output.hpp"

namespace boost::asio {
class io_context;
}

namespace ctxrun {

class Writer final : public OutputPort {
 public:
  /// `on_broken(stream)`: the reader went away (EPIPE); later writes to it are dropped.
  Writer(boost::asio::io_context& io, std::function<void(Stream)> on_broken);
  ~Writer() override;

  /// Queues whole lines; writes at once what the reader takes. Order is kept across both
  /// streams.
  void write(Stream stream, std::string_view bytes) override;
  /// Bytes waiting for the reader.
  std::size_t pending() const { return pending_; }
  /// Called once when pending() falls to `low` or below (readers paused for backpressure).
  void when_drained(std::size_t low, std::function<void()> f);
  /// Blocks until everything queued is written (the end of the run).
  void flush();

 private:
  struct Target;
  struct Chunk {
    Stream stream;
    std::string bytes;
    std::size_t offset = 0;
  };
  Target& target(Stream s);
  void pump();
  // Writes as much of `c` as the reader takes now; false if the reader is full.
  bool write_some(Chunk& c);
  void drop(Chunk& c) { pending_ -= c.bytes.size() - c.offset; c.offset = c.bytes.size(); }

  boost::asio::io_context& io_;
  std::unique_ptr<Target> out_, err_;
  std::function<void(Stream)> on_broken_;
  std::deque<Chunk> queue_;
  std::size_t pending_ = 0;
  bool waiting_ = false;
  std::size_t low_ = 0;
  std::function<void()> drained_;
};

}  // namespace ctxrun
