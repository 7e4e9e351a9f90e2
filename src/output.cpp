// output.cpp — the formatting half of the output path; writing is the loop's (writer.cpp).
#include "ctxrun/output.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "ctxrun/terminal.hpp"

namespace ctxrun {
namespace {

// n bytes from s to w. Most pieces are short (a prefix, a line): two overlapping fixed-size
// moves cover any n up to 32 without a call and without reading past s + n.
inline void copy_bytes(char* w, const char* s, std::size_t n) {
  if (n >= 16 && n <= 32) {
    std::memcpy(w, s, 16);
    std::memcpy(w + n - 16, s + n - 16, 16);
  } else if (n >= 8 && n < 16) {
    std::memcpy(w, s, 8);
    std::memcpy(w + n - 8, s + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    std::memcpy(w, s, 4);
    std::memcpy(w + n - 4, s + n - 4, 4);
  } else {
    std::memcpy(w, s, n);
  }
}

}  // namespace

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
  const bool group = mode_ == SinkMode::Group;
  // Group mode appends to the job's held output; the others fill batch_, whose size is kept
  // from call to call (it is only a buffer: `used` says how much of it counts).
  std::string& out = group ? (stream == Stream::Out ? jobs_[job]->held_out : jobs_[job]->held_err) : batch_;
  std::size_t used = group ? out.size() : 0;
  // The hot loop of prefixed output (10 million lines a second and more): one size check and
  // two copies per line, instead of three std::string appends.
  pieces([&](const Piece& p) __attribute__((always_inline)) {
    const std::string& pre = p.continued ? continued : prefix;
    const std::size_t need = pre.size() + p.text.size() + 1;
    if (used + need > out.size()) out.resize(std::max(out.size() * 2, used + need + 4096));
    char* w = out.data() + used;
    copy_bytes(w, pre.data(), pre.size());
    copy_bytes(w + pre.size(), p.text.data(), p.text.size());
    w[need - 1] = '\n';
    used += need;
  });
  if (group) {
    out.resize(used);
  } else if (used > 0) {
    port_.write(stream, std::string_view(out.data(), used));
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
