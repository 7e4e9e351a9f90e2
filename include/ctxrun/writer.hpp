// writer.hpp — ctxrun's own stdout and stderr, written without ever blocking the loop.
//
// A slow reader (a paused terminal, `| less`, a socket nobody reads) must not stop the loop:
// deadlines and signals still have to be served, also while the last output is written.
// Setting O_NONBLOCK on fd 1 would change the open file description ctxrun shares with its
// caller, so each kind of descriptor gets a non-blocking write of its own:
// - pipes, FIFOs and terminals are reopened through /proc/self/fd/N, which gives a description
//   of our own to make non-blocking;
// - sockets are written with send(MSG_DONTWAIT);
// - a pipe that cannot be reopened (no /proc) with pwritev2(RWF_NOWAIT);
// - regular files and /dev/null never block and are written directly.
#pragma once
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ctxrun/output_port.hpp"

namespace boost::asio {
class io_context;
}

namespace ctxrun {

class Writer final : public OutputPort {
 public:
  /// `on_broken(stream)`: the reader went away (EPIPE); later writes to it are dropped.
  Writer(boost::asio::io_context& io, std::function<void(Stream)> on_broken);
  ~Writer() override;

  /// Queues whole lines; writes at once what the reader takes. Order is kept within each
  /// stream, and across both when they are one file.
  void write(Stream stream, std::string_view bytes) override;
  /// The readers of jobs' output pause above kHighWater bytes waiting and resume at kLowWater:
  /// a slow reader holds ctxrun to about a megabyte, in buffers that are used again.
  static constexpr std::size_t kHighWater = 1 << 20;
  static constexpr std::size_t kLowWater = 256 << 10;

  /// Bytes waiting for the reader.
  std::size_t pending() const { return pending_; }
  /// Called once when pending() falls to `low` or below: readers paused for backpressure
  /// resume; with 0, the end of the run knows everything was written.
  void when_drained(std::size_t low, std::function<void()> f);
  bool idle() const;
  /// Called once when nothing is queued any more (the end of the run waits for it).
  void when_idle(std::function<void()> f);
  /// Gives up on what is queued (the reader stalled past the end of the run, or a signal
  /// came); returns how many bytes were dropped. From then on every write takes what the
  /// reader takes at once and drops the rest (counted in dropped()); a stream that had to
  /// drop anything takes nothing more, so no later line comes out cut.
  std::size_t abandon();
  std::size_t dropped() const { return dropped_; }

 private:
  struct Target;
  struct Chunk {
    Stream stream;
    std::string bytes;
    std::size_t offset = 0;
  };
  struct Lane {
    std::deque<Chunk> queue;
    bool waiting = false;  // for a full reader to take more
  };
  Target& target(Stream s);
  Lane& lane(Stream s);
  void enqueue(Lane& l, Stream stream, std::string_view bytes);
  void write_queued(Lane& l);  // writes the lane's queue until the reader is full
  void check_drained();        // calls drained_ once pending_ is down to low_
  // Writes what the reader takes now, and returns how many bytes are done with: all of them,
  // unless the reader is full; a stream whose reader is gone takes (drops) everything.
  std::size_t put(Stream stream, std::string_view bytes);

  // Done with a written chunk: its buffer is kept for the next, up to kKeptChunks of them.
  void release(Chunk& c);

  static constexpr std::size_t kChunk = 256 * 1024;
  static constexpr std::size_t kKeptChunks = kHighWater / kChunk + 1;  // what a burst past kHighWater holds

  boost::asio::io_context& io_;
  std::unique_ptr<Target> out_, err_;
  std::function<void(Stream)> on_broken_;
  Lane lanes_[2];        // [0] stdout (and stderr when shared_), [1] stderr
  bool shared_ = false;  // stdout and stderr are one file: one queue keeps their order
  std::size_t pending_ = 0;
  bool busy_ = false;              // inside write_queued or the broken callback: write only queues
  std::vector<std::string> free_;  // buffers of written chunks, empty and ready
  std::size_t low_ = 0;
  std::function<void()> drained_, idle_;
  bool given_up_ = false;  // abandon() was called: no more waiting for any reader
  bool stalled_[2] = {};   // [stdout, stderr] given up on: every later write is dropped whole
  std::size_t dropped_ = 0;
};

}  // namespace ctxrun
