// output.cpp — the formatting half of the output path; writing is the loop's (writer.cpp).
// Group mode also keeps jobs' output for later, in memory and in a temporary file: the file
// calls are here, next to the only code that needs them.
#include "ctxrun/output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <utility>

#include <fmt/format.h>

#include "ctxrun/error.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/text.hpp"

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

// Bytes held for later: grown without zero-filling (each byte is written once and read once),
// and by doubling, so that growing copies less than twice what ends up held.
class Buffer {
 public:
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Room for `cap` bytes in all; returns how many bytes were copied to make it.
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
    if (s.empty()) return;
    std::memcpy(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  // Filling in place: the caller writes up to capacity() - size() bytes at end(), then says
  // how many.
  char* end() { return data_.get() + size_; }
  void appended(std::size_t n) { size_ += n; }
  void drop_front(std::size_t n) {
    if (n == 0) return;  // also an empty buffer, which has no storage (memmove forbids null)
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }
  void clear() { size_ = 0; }
  void release() {
    data_.reset();
    size_ = cap_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0, cap_ = 0;
};

// The anonymous temporary file that holds group output past the memory limits. One per sink,
// whatever the number of jobs: a file per job could run out of descriptors with many finished
// jobs waiting for a slow reader. Written at its end and read anywhere (pwrite and pread: no
// file position to keep); emptied whenever nothing in it is left to emit.
class SpillFile {
 public:
  SpillFile() = default;
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  ~SpillFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool is_open() const { return fd_ >= 0; }

  // 0, or the errno.
  int open(const std::string& dir) {
    // No name at all: nothing is left behind, whatever ends ctxrun (SIGKILL included).
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ >= 0) return 0;
    // File systems without O_TMPFILE say EOPNOTSUPP (or EISDIR, kernels before 3.11): a
    // named file then, unlinked at once. mkostemp makes it 0600.
    std::string path = dir + "/ctxrun-XXXXXX";
    fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd_ < 0) return errno;
    ::unlink(path.c_str());
    return 0;
  }

  // Appends all of `bytes` at `at`; 0, or the errno (and nothing is appended).
  int append(std::string_view bytes, std::uint64_t& at) {
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t n = retry_eintr(
          [&] { return ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done)); });
      if (n <= 0) return n == 0 ? ENOSPC : errno;  // end_ stays: what was written of `bytes` is not part of the file
      done += static_cast<std::size_t>(n);
    }
    at = end_;
    end_ += bytes.size();
    live_ += bytes.size();
    return 0;
  }

  // 0, or the errno.
  int read(std::uint64_t at, char* to, std::size_t n) const {
    while (n > 0) {
      const ssize_t r = retry_eintr([&] { return ::pread(fd_, to, n, static_cast<off_t>(at)); });
      if (r < 0) return errno;
      // Shorter than written: only a broken file system does that to a file no one else can open.
      if (r == 0) return EIO;
      to += r;
      at += static_cast<std::uint64_t>(r);
      n -= static_cast<std::size_t>(r);
    }
    return 0;
  }

  // Done with these bytes: their space goes back to the file system (where holes can be
  // punched), and all of it once nothing is left.
  void release(std::uint64_t at, std::uint64_t n) {
    live_ -= n;
    if (live_ == 0) {
      [[maybe_unused]] const int r = ::ftruncate(fd_, 0);  // failing costs only space: written over from 0
      end_ = 0;
    } else {
      [[maybe_unused]] const int r = ::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                                                 static_cast<off_t>(at), static_cast<off_t>(n));
    }
  }

 private:
  int fd_ = -1;
  std::uint64_t end_ = 0;   // where the next append goes
  std::uint64_t live_ = 0;  // bytes still to be read back
};

// The longest run of whole lines at the start of `v` that reaches `budget` bytes, ending at
// the first line end at or past it; all of v's whole lines when they do not reach it.
std::size_t line_cut(std::string_view v, std::uint64_t budget) {
  if (budget == 0 || v.empty()) return 0;
  if (budget <= v.size()) {
    if (const auto nl = v.find('\n', budget - 1); nl != std::string_view::npos) return nl + 1;
  }
  const auto last = v.rfind('\n');
  return last == std::string_view::npos ? 0 : last + 1;
}

std::string temporary_directory() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

}  // namespace

// Group mode: each job's output held per stream, in memory and past the limits in the spill
// file, until the job ends; then emitted whole, one finished job after another.
struct LineSink::Group {
  // One stream of one job: what the spill file holds of it, in order, then what memory holds.
  struct Part {
    struct Extent {
      std::uint64_t at, size;
    };
    std::vector<Extent> extents;  // whole lines: each ends with a newline
    Buffer mem;
    bool spilling = false;  // past a limit: `mem` is now only a write buffer for the file
    // How far emission has come: extents read into the stage, memory written.
    std::size_t extent = 0;
    std::uint64_t extent_read = 0;
    std::size_t mem_done = 0;
  };
  struct Held {
    Part out, err;
  };
  struct Block {  // a finished job's output, waiting to be emitted
    std::size_t job;
    Held held;
    bool started = false, on_err = false;
  };

  GroupLimits limits;
  std::vector<std::string> names;
  std::vector<Held> running;  // by job, from its first byte to close
  std::deque<Block> ready;    // in the order the jobs ended; the front one is being emitted
  std::uint64_t ready_bytes = 0;
  SpillFile file;
  bool can_spill = true;  // until the file cannot be made or written
  std::string dir;
  Buffer stage;  // read back from the file, not written yet: [stage_begin, stage.size())
  std::size_t stage_begin = 0;
  std::vector<std::string> warnings;
  std::size_t warned = 0;  // of them, already written
  GroupStats stats;

  Group(const std::vector<std::string>& job_names, GroupLimits l)
      : limits(l), names(job_names), running(job_names.size()) {
    limits.chunk = std::max<std::size_t>(limits.chunk, 1);
  }

  void hold(std::size_t job, Stream stream, std::string_view bytes) {
    Held& h = running[job];
    Part& p = stream == Stream::Out ? h.out : h.err;
    stats.held += bytes.size();
    const std::size_t want = p.mem.size() + bytes.size();
    if (!p.spilling && can_spill) {
      // The limits count memory taken (capacity), not bytes held: doubling can take twice as
      // much. A big job goes to the file; so does any stream holding a chunk once all jobs
      // together would pass the total (smaller ones are not worth a write of their own).
      const std::size_t more = want > p.mem.capacity() ? grown(p, want) - p.mem.capacity() : 0;
      if (h.out.mem.capacity() + h.err.mem.capacity() + more > limits.job ||
          (stats.in_memory + more > limits.total && want >= limits.chunk)) {
        p.spilling = true;
        if (flush(p)) free(p.mem);  // from now on a write buffer of about a chunk
      }
    }
    if (p.mem.size() + bytes.size() > p.mem.capacity()) grow(p.mem, grown(p, p.mem.size() + bytes.size()));
    p.mem.append(bytes);
    if (p.spilling && can_spill && p.mem.size() >= limits.chunk) flush(p);
  }

  // The job ended: its output waits its turn. A finished job holds no memory beyond the
  // limits: a big one's write buffers go to the file, and every one once past the total.
  void finish(std::size_t job) {
    Held& h = running[job];
    std::uint64_t bytes = 0;
    for (Part* p : {&h.out, &h.err}) {
      if (can_spill && p->mem.size() > 0 && (p->spilling || stats.in_memory > limits.total)) {
        p->spilling = true;
        if (flush(*p)) free(p->mem);
      }
      for (const auto& e : p->extents) bytes += e.size;
      bytes += p->mem.size();
    }
    if (bytes > 0) {
      ready_bytes += bytes;
      ready.push_back(Block{job, std::move(h)});
    } else {
      free(h.out.mem);
      free(h.err.mem);
    }
    running[job] = Held{};
  }

  // Drops every finished block, the one being written included: its lines read back from the
  // file but not written yet go too, or they would be written as the next block's.
  std::uint64_t discard() {
    const std::uint64_t bytes = ready_bytes;
    for (auto& b : ready)
      for (Part* p : {&b.held.out, &b.held.err}) {
        for (; p->extent < p->extents.size(); ++p->extent, p->extent_read = 0)
          file.release(p->extents[p->extent].at + p->extent_read, p->extents[p->extent].size - p->extent_read);
        free(p->mem);
      }
    ready.clear();
    ready_bytes = 0;
    free(stage);
    stage_begin = 0;
    return bytes;
  }

  // Writes the ready jobs' lines, oldest job first, until `budget` bytes are written or a
  // line crosses it. Returns the bytes written.
  std::uint64_t emit(OutputPort& port, std::uint64_t budget) {
    std::uint64_t written = 0;
    while (!ready.empty() && written < budget) {
      Block& b = ready.front();
      if (!b.started) {
        write_warnings(port);  // between two jobs' blocks, never inside one
        b.started = true;
      }
      Part& p = b.on_err ? b.held.err : b.held.out;
      written += emit_part(port, b.on_err ? Stream::Err : Stream::Out, b.job, p, budget - written);
      if (!done(p)) break;
      free(p.mem);
      if (!std::exchange(b.on_err, true)) continue;
      ready.pop_front();
    }
    if (ready.empty()) {
      write_warnings(port);
      free(stage);
      stage_begin = 0;
    }
    return written;
  }

 private:
  std::uint64_t emit_part(OutputPort& port, Stream stream, std::size_t job, Part& p, std::uint64_t budget) {
    std::uint64_t written = 0;
    const auto put = [&](std::string_view lines) {
      port.write(stream, lines);
      written += lines.size();
      ready_bytes -= lines.size();
    };
    while (written < budget) {
      const std::string_view staged = stage.view().substr(stage_begin);
      if (const std::size_t n = line_cut(staged, budget - written); n > 0) {
        put(staged.substr(0, n));
        stage_begin += n;
      } else if (p.extent < p.extents.size()) {
        read_more(job, p);
      } else if (!staged.empty()) {  // an extent that did not end a line: cannot happen, but lose nothing
        put(staged);
        stage_begin = stage.size();
      } else if (const std::string_view mem = p.mem.view().substr(p.mem_done); !mem.empty()) {
        std::size_t lines = line_cut(mem, budget - written);
        if (lines == 0) lines = mem.size();  // cannot happen either: memory holds whole lines
        put(mem.substr(0, lines));
        p.mem_done += lines;
      } else {
        break;
      }
    }
    return written;
  }

  bool done(const Part& p) const {
    return p.extent == p.extents.size() && stage_begin == stage.size() && p.mem_done == p.mem.size();
  }

  // The next piece of the part's current extent, after what is staged (a line's beginning).
  // Its space in the file is given back at once.
  void read_more(std::size_t job, Part& p) {
    const auto& e = p.extents[p.extent];
    const std::uint64_t at = e.at + p.extent_read;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(limits.chunk, e.size - p.extent_read));
    stage.drop_front(stage_begin);
    stage_begin = 0;
    if (stage.size() + n > stage.capacity()) grow(stage, std::max(stage.size() + n, 2 * stage.capacity()));
    if (const int error = file.read(at, stage.end(), n)) {
      lose(job, p, error);
      return;
    }
    stage.appended(n);
    file.release(at, n);
    p.extent_read += n;
    if (p.extent_read == e.size) {
      ++p.extent;
      p.extent_read = 0;
    }
  }

  // The file failed us: the rest of the part's extents is gone. Said once, with the count.
  void lose(std::size_t job, Part& p, int error) {
    std::uint64_t lost = stage.size() - stage_begin;
    for (; p.extent < p.extents.size(); ++p.extent, p.extent_read = 0) {
      const auto& e = p.extents[p.extent];
      lost += e.size - p.extent_read;
      file.release(e.at + p.extent_read, e.size - p.extent_read);
    }
    stage.clear();
    stage_begin = 0;
    ready_bytes -= lost;
    const auto text = fmt::format("lost {} bytes of job \"{}\"'s output: cannot read the temporary file ({})", lost,
                                  names[job], std::strerror(error));
    warnings.push_back(message_line(text));
  }

  // Moves the part's memory to the end of the file. False if it stays in memory: the file
  // could not be made or written, and from now on everything is held in memory.
  bool flush(Part& p) {
    if (!can_spill) return false;
    if (p.mem.size() == 0) return true;
    if (!file.is_open()) {
      dir = temporary_directory();
      if (const int error = file.open(dir))
        return fail(fmt::format("cannot create a temporary file in {}", dir), error);
    }
    Part::Extent e{0, p.mem.size()};
    if (const int error = file.append(p.mem.view(), e.at))
      return fail(fmt::format("cannot write to a temporary file in {}", dir), error);
    if (!p.extents.empty() && p.extents.back().at + p.extents.back().size == e.at) {
      p.extents.back().size += e.size;  // nothing else written between: one extent
    } else {
      p.extents.push_back(e);
    }
    stats.spilled += e.size;
    p.mem.clear();
    return true;
  }

  bool fail(const std::string& what, int error) {
    can_spill = false;
    warnings.push_back(
        message_line(fmt::format("{} ({}): group output is held in memory", what, std::strerror(error))));
    return false;
  }

  void write_warnings(OutputPort& port) {
    for (; warned < warnings.size(); ++warned) port.write(Stream::Err, warnings[warned]);
  }

  void grow(Buffer& b, std::size_t cap) {
    const std::size_t before = b.capacity();
    stats.regrown += b.reserve(cap);
    stats.in_memory += b.capacity() - before;
    stats.peak_in_memory = std::max(stats.peak_in_memory, stats.in_memory);
  }

  void free(Buffer& b) {
    stats.in_memory -= b.capacity();
    b.release();
  }

  // The capacity for `want` bytes in the part's buffer: doubling, up to what the part may
  // take before it goes to the file (unless it cannot go there any more).
  std::size_t grown(const Part& p, std::size_t want) const {
    const std::size_t ceiling = !can_spill ? SIZE_MAX : p.spilling ? limits.chunk : limits.job;
    return std::max(want, std::min(std::max(2 * p.mem.capacity(), std::size_t{4096}), ceiling));
  }
};

LineSink::~LineSink() = default;

LineSink::LineSink(OutputPort& port, SinkMode mode, const std::vector<std::string>& names, bool color,
                   std::size_t max_line, GroupLimits limits)
    : port_(port),
      max_line_(max_line),
      jobs_(names.size()),
      group_(mode == SinkMode::Group ? std::make_unique<Group>(names, limits) : nullptr) {
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
    group_->finish(job);
    if (!paced_) group_->emit(port_, UINT64_MAX);
  }
  jobs_[job].reset();
}

void LineSink::set_paced(bool paced) {
  paced_ = paced;
  if (!paced_ && group_) group_->emit(port_, UINT64_MAX);
}

std::size_t LineSink::emit_ready(std::size_t max_bytes) {
  if (!group_) return 0;
  group_->emit(port_, max_bytes);
  return group_->ready_bytes;
}

bool LineSink::has_ready() const { return group_ && !group_->ready.empty(); }

std::uint64_t LineSink::discard_ready() {
  if (!group_) return 0;
  return group_->discard();
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
