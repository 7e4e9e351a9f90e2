// output.cpp — the formatting half of the output path; writing is the loop's (writer.cpp).
#include "ctxrun/output.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

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

// Bytes held for later: grown without zero-filling (each byte is written once and read once)
// and by doubling, so that growing copies less than what is held.
class Buffer {
 public:
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Room for `cap` bytes; returns how many bytes were copied to make it.
  std::size_t reserve(std::size_t cap) {
    if (cap <= cap_) return 0;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    cap_ = cap;
    return size_;
  }
  // The caller has reserved the room.
  void append(std::string_view s) {
    std::memcpy(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void release() {
    data_.reset();
    size_ = cap_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, cap_ = 0;
};

}  // namespace

struct LineSink::Group {
  struct Held {
    Buffer out, err;
  };
  std::vector<Held> held;  // by job
  GroupStats stats;

  explicit Group(std::size_t jobs) : held(jobs) {}

  void hold(std::size_t job, Stream stream, std::string_view bytes) {
    Buffer& b = stream == Stream::Out ? held[job].out : held[job].err;
    if (b.size() + bytes.size() > b.capacity()) {
      const std::size_t before = b.capacity();
      stats.regrown += b.reserve(std::max({b.size() + bytes.size(), 2 * b.capacity(), std::size_t{4096}}));
      account(b.capacity() - before);
    }
    b.append(bytes);
    stats.held += bytes.size();
  }

  void account(std::size_t more) {
    stats.in_memory += more;
    stats.peak_in_memory = std::max(stats.peak_in_memory, stats.in_memory);
  }

  void release(Buffer& b) {
    stats.in_memory -= b.capacity();
    b.release();
  }
};

LineSink::~LineSink() = default;

LineSink::LineSink(OutputPort& port, SinkMode mode, const std::vector<std::string>& names, bool color,
                   std::size_t max_line)
    : port_(port),
      mode_(mode),
      max_line_(max_line),
      jobs_(names.size()),
      group_(mode == SinkMode::Group ? std::make_unique<Group>(names.size()) : nullptr) {
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
  jobs_[job] = std::make_unique<JobState>(JobState{LineSplitter(max_line_), LineSplitter(max_line_)});
}

template <class Pieces>
void LineSink::emit(std::size_t job, Stream stream, Pieces&& pieces) {
  const std::string& prefix = prefix_[job];
  const std::string& continued = continued_[job];
  // batch_'s size is kept from call to call (it is only a buffer: `used` says how much of it
  // counts). Group mode formats the same way and then holds the batch.
  std::string& out = batch_;
  std::size_t used = 0;
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
  if (used == 0) return;
  if (group_) {
    group_->hold(job, stream, std::string_view(out.data(), used));
  } else {
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
  if (group_) {
    for (const Stream s : {Stream::Out, Stream::Err}) {
      Buffer& b = s == Stream::Out ? group_->held[job].out : group_->held[job].err;
      if (b.size() > 0) port_.write(s, b.view());
      group_->release(b);
    }
  }
  jobs_[job].reset();
}

GroupStats LineSink::stats() const { return group_ ? group_->stats : GroupStats{}; }

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
