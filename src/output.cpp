// output.cpp — the formatting half of the output path; writing is the loop's (writer.cpp).
#include "ctxrun/output.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/terminal.hpp"

namespace ctxrun {

LineSink::LineSink(OutputPort& port, SinkMode mode, const std::vector<std::string>& names, bool color,
                   std::size_t max_line)
    : port_(port), mode_(mode), max_line_(max_line), jobs_(names.size()) {
  std::size_t width = 0;
  for (const auto& n : names) width = std::max(width, display_width(n));
  prefix_.reserve(names.size());
  continued_.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (mode == SinkMode::Raw) {
      prefix_.emplace_back();
      continued_.emplace_back();
      continue;
    }
    const std::string padded = names[i] + std::string(width - display_width(names[i]), ' ');
    const std::string name = color ? paint(padded, palette_color(i)) : padded;
    prefix_.push_back(name + " \u2502 ");     // │
    continued_.push_back(name + " \u2506 ");  // ┆: a piece of a line too long to hold
  }
}

void LineSink::open(std::size_t job) {
  jobs_[job] = std::make_unique<JobState>(JobState{LineSplitter(max_line_), LineSplitter(max_line_), {}, {}});
}

template <class Pieces>
void LineSink::emit(std::size_t job, Stream stream, Pieces&& pieces) {
  const std::string& prefix = prefix_[job];
  const std::string& continued = continued_[job];
  std::string& out = mode_ == SinkMode::Group ? (stream == Stream::Out ? jobs_[job]->held_out : jobs_[job]->held_err)
                                              : batch_;
  pieces([&](const Piece& p) {
    out += p.continued ? continued : prefix;
    out += p.text;
    out += '\n';
  });
  if (mode_ != SinkMode::Group && !batch_.empty()) {
    port_.write(stream, batch_);
    batch_.clear();
  }
}

void LineSink::data(std::size_t job, Stream stream, std::string_view bytes) {
  if (!jobs_[job]) open(job);
  auto& state = *jobs_[job];
  auto& splitter = stream == Stream::Out ? state.out : state.err;
  emit(job, stream, [&](auto&& each) { splitter.feed(bytes, each); });
}

void LineSink::eof(std::size_t job, Stream stream) {
  if (!jobs_[job]) return;
  auto& state = *jobs_[job];
  auto& splitter = stream == Stream::Out ? state.out : state.err;
  emit(job, stream, [&](auto&& each) { splitter.finish(each); });
}

void LineSink::close(std::size_t job) {
  if (!jobs_[job]) return;
  eof(job, Stream::Out);
  eof(job, Stream::Err);
  if (mode_ == SinkMode::Group) {
    if (!jobs_[job]->held_out.empty()) port_.write(Stream::Out, jobs_[job]->held_out);
    if (!jobs_[job]->held_err.empty()) port_.write(Stream::Err, jobs_[job]->held_err);
  }
  jobs_[job].reset();
}

void Console::write(Stream stream, std::string_view bytes) {
  if (shown_ && (stream == Stream::Err ? tty_err_ : tty_out_)) clear_status();
  port_.write(stream, bytes);
}

void Console::status(std::string_view text) {
  if (!tty_err_) return;
  port_.write(Stream::Err, fmt::format("\r{}\x1b[K", text));
  shown_ = true;
}

void Console::clear_status() {
  if (!shown_) return;
  port_.write(Stream::Err, "\r\x1b[K");
  shown_ = false;
}

}  // namespace ctxrun
