// output.hpp — job output as whole lines: prefixed, raw, or grouped per job (ctxrun(1), OUTPUT).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ctxrun/line_splitter.hpp"
#include "ctxrun/output_port.hpp"

namespace ctxrun {

/// Where group mode holds a job's output until it is emitted: in memory up to these limits,
/// beyond them in one anonymous temporary file in $TMPDIR (or /tmp).
/// - `job`: the output of ordinary jobs (a build, a test suite: kilobytes to a few megabytes)
///   stays in memory and never costs a write; a job past it sends the rest to the file.
/// - `total`: all jobs together, running or finished and waiting for a slow reader, so that
///   memory stays bounded whatever `-j`. Past it, a running job's stream goes to the file once
///   it holds a chunk, and a job that ends goes there whole.
/// In memory, then: about `total`, plus under 2 chunks per stream of each running job, plus a
/// chunk and a line while a block is read back.
struct GroupLimits {
  std::size_t job = std::size_t{4} << 20;
  std::size_t total = std::size_t{16} << 20;
  std::size_t chunk = std::size_t{256} << 10;  ///< the unit of writes to the file and of reads back
};

/// What group mode holds and has done: for tests and benchmarks.
struct GroupStats {
  std::size_t in_memory = 0;       ///< bytes of the buffers holding jobs' output now (their capacity)
  std::size_t peak_in_memory = 0;  ///< the most `in_memory` has been
  std::uint64_t held = 0;          ///< bytes of output held in all (each counted once)
  std::uint64_t regrown = 0;       ///< bytes copied to grow buffers: below 2 × `held`, as growth is geometric
  std::uint64_t spilled = 0;       ///< bytes written to the temporary file
};

/// Turns the bytes jobs write into whole lines on ctxrun's stdout and stderr.
/// - Prefix: `name │ line`, names padded to the widest, colored from a fixed palette.
/// - Raw: the lines alone.
/// - Group: prefixed lines, held per job and printed together when the job ends (see
///   GroupLimits for where they are held, set_paced for when they are printed).
/// A line longer than `max_line` is split; its later pieces carry `┆` instead of `│` (raw:
/// they simply start a new line). A last line without newline gets one. Port writes carry
/// whole lines, never a broken one: in prefix and raw modes one write per batch of lines.
class LineSink {
 public:
  LineSink(OutputPort& port, SinkMode mode, const std::vector<std::string>& names, bool color,
           std::size_t max_line = LineSplitter::kDefaultMaxLine, GroupLimits limits = {});

  /// The job (0-based) is about to run: its splitters are made.
  void open(std::size_t job);
  void data(std::size_t job, Stream stream, std::string_view bytes);
  /// The job's attempt is over (both streams at EOF): held partial lines come out, and its
  /// state is freed. Group mode: the job's output joins the queue of finished jobs, and is
  /// written at once unless paced.
  void close(std::size_t job);

  /// Group mode, for a loop that paces what it hands its writer: a finished job's block can
  /// be gigabytes, which a non-blocking writer would otherwise queue in memory in one go.
  /// Once paced, close() only queues, and the loop
  /// - calls emit_ready(room) whenever its writer has room: after each close(), and each time
  ///   the writer has drained down to its low mark while has_ready();
  /// - at the end of the run, calls emit_ready(room) until has_ready() is false, letting the
  ///   writer drain (flush) between calls. What is still queued when the sink goes is lost.
  /// Not paced (the default), group mode writes each block whole at close(), as it always did;
  /// going back to that writes whatever is queued.
  void set_paced(bool paced);
  /// Group mode: writes finished jobs' blocks, oldest first, each whole and alone (its stdout
  /// lines, then its stderr lines, no other job's line between them), until `max_bytes` are
  /// written: it stops at the end of the line that reaches `max_bytes`, so it writes at most
  /// max_bytes plus one line, in whole lines. What was sent to the temporary file is read back
  /// a chunk at a time. Returns the bytes still waiting. Other modes: 0, nothing written.
  std::size_t emit_ready(std::size_t max_bytes);
  /// Group mode: a finished job's output is waiting for emit_ready().
  bool has_ready() const;
  /// Group mode: drops the finished jobs' output still waiting (its reader is gone, or ctxrun
  /// gave up on it); returns how many bytes that was.
  std::uint64_t discard_ready();

  /// Group mode's memory and copying so far (zeros in the other modes).
  GroupStats stats() const;

  ~LineSink();

 private:
  struct JobState {
    LineSplitter out, err;
  };
  struct Group;                              // group mode's held output (output.cpp)
  void eof(std::size_t job, Stream stream);  // a held partial line comes out
  template <class Pieces>
  void emit(std::size_t job, Stream stream, Pieces&& pieces);

  OutputPort& port_;
  std::size_t max_line_;
  std::vector<std::string> prefix_, continued_;  // per job, colors included
  std::vector<std::unique_ptr<JobState>> jobs_;
  std::string batch_;
  std::unique_ptr<Group> group_;  // group mode only
  bool paced_ = false;
};

/// One owner of the terminal (ninja's LinePrinter): job output and messages always start on
/// a fresh line; the status line is erased before them (the loop redraws it on its tick).
class Console final : public OutputPort {
 public:
  /// `tty_out`/`tty_err`: whether stdout/stderr are terminals.
  Console(OutputPort& port, bool tty_out, bool tty_err) : port_(port), tty_out_(tty_out), tty_err_(tty_err) {}
  void write(Stream stream, std::string_view bytes) override;
  /// A line of ctxrun's own on stderr (`ctxrun: …\n`).
  void message(std::string_view line) { write(Stream::Err, line); }
  /// Shows (overprints) the status line; ignored unless stderr is a terminal.
  void status(std::string_view text);
  /// Removes the status line, if shown.
  void clear_status();

 private:
  OutputPort& port_;
  bool tty_out_, tty_err_;
  bool shown_ = false;
};

}  // namespace ctxrun
