// output_test.cpp — LineSink and Console over a fake port that records every write.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/output.hpp"
#include "ctxrun/text.hpp"

namespace {

struct Write {
  ctxrun::Stream stream;
  std::string bytes;
  bool operator==(const Write&) const = default;
};

struct FakePort final : ctxrun::OutputPort {
  std::vector<Write> writes;
  void write(ctxrun::Stream stream, std::string_view bytes) override { writes.push_back({stream, std::string(bytes)}); }
  std::string all() const {
    std::string s;
    for (const auto& w : writes) s += w.bytes;
    return s;
  }
};

constexpr auto kOut = ctxrun::Stream::Out;
constexpr auto kErr = ctxrun::Stream::Err;
const std::string kBar = " \xe2\x94\x82 ";     // " │ "
const std::string kDashed = " \xe2\x94\x86 ";  // " ┆ "

// A job's output as it arrives: pieces of any size, lines of many lengths (some longer than
// the sink's max_line of 300, some empty), the last one without a newline.
struct Arrival {
  ctxrun::Stream stream;
  std::string bytes;
};
std::vector<Arrival> arrivals(std::size_t bytes, unsigned seed) {
  std::string out, err;
  for (unsigned i = 0; out.size() + err.size() < bytes; ++i) {
    const unsigned n = (i * 7919 + seed * 104729) % 701;
    std::string line(n, static_cast<char>('a' + (i + seed) % 26));
    (i % 5 == 3 ? err : out) += line + "\n";
  }
  out += "no newline";
  std::vector<Arrival> a;
  std::size_t o = 0, e = 0;
  for (unsigned i = 0; o < out.size() || e < err.size(); ++i) {
    const std::size_t n = 1 + (i * 2654435761u + seed) % 9000;
    std::string& src = i % 3 == 2 && e < err.size() ? err : o < out.size() ? out : err;
    std::size_t& at = &src == &err ? e : o;
    a.push_back({&src == &err ? kErr : kOut, src.substr(at, n)});
    at = std::min(src.size(), at + n);
  }
  return a;
}

constexpr std::size_t kMaxLine = 300;

// What prefix mode makes of a job's arrivals, stream by stream: group mode must write the
// same lines, its stdout block then its stderr block.
std::pair<std::string, std::string> prefixed(const std::vector<std::string>& names, std::size_t job,
                                             const std::vector<Arrival>& input) {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, names, false, kMaxLine);
  sink.open(job);
  for (const auto& a : input) sink.data(job, a.stream, a.bytes);
  sink.close(job);
  std::pair<std::string, std::string> r;
  for (const auto& w : port.writes) (w.stream == kOut ? r.first : r.second) += w.bytes;
  return r;
}

// The index of the first difference, or npos: megabytes are not for printing.
std::size_t mismatch_at(const std::string& a, const std::string& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (a[i] != b[i]) return i;
  return a.size() == b.size() ? std::string::npos : std::min(a.size(), b.size());
}

// The writes of one job's block, from `at` on: stdout writes, then stderr writes (a job with
// output on both, or the next block would be taken for its own).
std::pair<std::string, std::string> block_at(const std::vector<Write>& writes, std::size_t& at) {
  std::pair<std::string, std::string> r;
  for (; at < writes.size() && writes[at].stream == kOut; ++at) r.first += writes[at].bytes;
  for (; at < writes.size() && writes[at].stream == kErr; ++at) r.second += writes[at].bytes;
  return r;
}

// Sets an environment variable for the life of the guard.
class EnvGuard {
 public:
  EnvGuard(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~EnvGuard() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

constexpr ctxrun::GroupLimits kSmallLimits{.job = 64 << 10, .total = 256 << 10, .chunk = 16 << 10};

}  // namespace

namespace Catch {
template <>
struct StringMaker<Write> {
  static std::string convert(const Write& w) {
    return std::string(w.stream == ctxrun::Stream::Out ? "out:" : "err:") + StringMaker<std::string>::convert(w.bytes);
  }
};
}  // namespace Catch

TEST_CASE("output: prefix mode pads names to the widest", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"a", "long"}, false);
  sink.open(0);
  sink.open(1);
  sink.data(0, kOut, "hello\n");
  sink.data(1, kErr, "oops\n");
  CHECK(port.writes == std::vector<Write>{{kOut, "a   " + kBar + "hello\n"}, {kErr, "long" + kBar + "oops\n"}});
}

TEST_CASE("output: one port write per data call, whatever the number of lines", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false);
  sink.open(0);
  sink.data(0, kOut, "x\ny\nz\n");
  REQUIRE(port.writes.size() == 1);
  CHECK(port.writes[0].bytes == "j" + kBar + "x\n" + "j" + kBar + "y\n" + "j" + kBar + "z\n");
}

TEST_CASE("output: a partial line is held and nothing is written until its end", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false);
  sink.open(0);
  sink.data(0, kOut, "par");
  sink.data(0, kOut, "tial");
  CHECK(port.writes.empty());
  sink.data(0, kOut, " line\nnext");
  CHECK(port.writes == std::vector<Write>{{kOut, "j" + kBar + "partial line\n"}});
}

TEST_CASE("output: a partial last line is flushed at close with a newline", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false);
  sink.open(0);
  sink.data(0, kOut, "done\nno newline");
  port.writes.clear();
  sink.close(0);
  CHECK(port.writes == std::vector<Write>{{kOut, "j" + kBar + "no newline\n"}});
  sink.close(0);  // nothing more
  CHECK(port.writes.size() == 1);
}

TEST_CASE("output: close flushes both streams' partial lines", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false);
  sink.open(0);
  sink.data(0, kOut, "out");
  sink.data(0, kErr, "err");
  sink.close(0);
  CHECK(port.writes == std::vector<Write>{{kOut, "j" + kBar + "out\n"}, {kErr, "j" + kBar + "err\n"}});
  sink.close(0);  // closing twice is harmless
  CHECK(port.writes.size() == 2);
}

TEST_CASE("output: stdout and stderr of one job are split separately", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false);
  sink.open(0);
  sink.data(0, kOut, "o1 ");
  sink.data(0, kErr, "e1\n");
  sink.data(0, kOut, "o2\n");
  CHECK(port.writes == std::vector<Write>{{kErr, "j" + kBar + "e1\n"}, {kOut, "j" + kBar + "o1 o2\n"}});
}

TEST_CASE("output: pieces of an overlong line use the dashed bar", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"j"}, false, 4);
  sink.open(0);
  sink.data(0, kOut, "abcdefghij\nok\n");
  REQUIRE(port.writes.size() == 1);
  CHECK(port.writes[0].bytes ==
        "j" + kBar + "abcd\n" + "j" + kDashed + "efgh\n" + "j" + kDashed + "ij\n" + "j" + kBar + "ok\n");
}

TEST_CASE("output: raw mode writes the lines alone", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Raw, {"a", "bb"}, true, 4);
  sink.open(0);
  sink.data(0, kOut, "hello\nx\n");
  sink.data(0, kErr, "tail");
  sink.close(0);
  CHECK(port.writes == std::vector<Write>{{kOut, "hell\no\nx\n"}, {kErr, "tail\n"}});
}

TEST_CASE("output: group mode holds a job's output until close, stdout block then stderr block", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, {"a", "b"}, false);
  sink.open(0);
  sink.open(1);
  sink.data(0, kErr, "e1\n");
  sink.data(1, kOut, "b1\n");
  sink.data(0, kOut, "o1\n");
  sink.data(0, kErr, "e2\n");
  sink.data(0, kOut, "o2 partial");
  CHECK(port.writes.empty());
  sink.close(0);
  CHECK(port.writes == std::vector<Write>{{kOut, "a" + kBar + "o1\n" + "a" + kBar + "o2 partial\n"},
                                          {kErr, "a" + kBar + "e1\n" + "a" + kBar + "e2\n"}});
  port.writes.clear();
  sink.close(1);
  CHECK(port.writes == std::vector<Write>{{kOut, "b" + kBar + "b1\n"}});
}

TEST_CASE("output: group mode copies what it holds a bounded number of times, however long the job", "[output]") {
  // Growing by doubling copies less than twice what is finally held; zero-filling or growing by
  // a fixed step would go over the held output again at every batch (quadratic in the output).
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, {"j"}, false);
  sink.open(0);
  const std::string line(99, 'y');
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += line + "\n";
  constexpr int kBatches = 3000;  // about 3 MiB, in batches of 1000 bytes
  for (int i = 0; i < kBatches; ++i) sink.data(0, kOut, batch);
  const auto stats = sink.stats();
  const std::uint64_t expected = std::uint64_t{kBatches} * 10 * ("j" + kBar + line + "\n").size();
  CHECK(stats.held == expected);
  CHECK(stats.regrown < 2 * stats.held);
  CHECK(stats.peak_in_memory <= 2 * expected);
  sink.close(0);
  CHECK(sink.stats().in_memory == 0);
  REQUIRE(port.writes.size() == 1);
  CHECK(port.writes[0].bytes.size() == expected);
}

TEST_CASE("output: a job past the memory limit comes out of the temporary file whole and in order", "[output]") {
  const std::vector<std::string> names = {"big", "small"};
  const auto big = arrivals(1 << 20, 1), small = arrivals(3000, 2);
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.open(0);
  sink.open(1);
  for (std::size_t i = 0; i < big.size(); ++i) {
    sink.data(0, big[i].stream, big[i].bytes);
    if (i < small.size()) sink.data(1, small[i].stream, small[i].bytes);
  }
  CHECK(sink.stats().spilled > 0);
  CHECK(port.writes.empty());
  sink.close(0);
  sink.close(1);
  CHECK(std::none_of(port.writes.begin(), port.writes.end(),
                     [](const Write& w) { return w.bytes.rfind("ctxrun: ", 0) == 0; }));  // no warning
  std::size_t at = 0;
  const auto first = block_at(port.writes, at), second = block_at(port.writes, at);
  CHECK(at == port.writes.size());
  const auto want_big = prefixed(names, 0, big), want_small = prefixed(names, 1, small);
  CHECK(mismatch_at(first.first, want_big.first) == std::string::npos);
  CHECK(mismatch_at(first.second, want_big.second) == std::string::npos);
  CHECK(second == want_small);
  CHECK(sink.stats().in_memory == 0);
}

TEST_CASE("output: group mode's memory stays within its limits", "[output]") {
  // Eight jobs of 200 KiB each, all running at once, under a total of 256 KiB: the total
  // sends them to the file as they pass a chunk.
  std::vector<std::string> names;
  std::vector<std::vector<Arrival>> input;
  for (unsigned j = 0; j < 8; ++j) {
    names.push_back("job" + std::to_string(j));
    input.push_back(arrivals(200 << 10, j));
  }
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  std::size_t longest = 0;
  for (std::size_t j = 0; j < names.size(); ++j) {
    sink.open(j);
    longest = std::max(longest, input[j].size());
  }
  for (std::size_t i = 0; i < longest; ++i)
    for (std::size_t j = 0; j < names.size(); ++j)
      if (i < input[j].size()) sink.data(j, input[j][i].stream, input[j][i].bytes);
  for (std::size_t j = 0; j < names.size(); ++j) sink.close(j);
  const auto stats = sink.stats();
  CHECK(stats.held > 8 * (200 << 10));
  CHECK(stats.spilled > 0);
  // About the total, plus under 2 chunks per stream of each running job.
  CHECK(stats.peak_in_memory <= kSmallLimits.total + 8 * 2 * 2 * kSmallLimits.chunk);
  CHECK(stats.in_memory == 0);
  std::size_t at = 0;
  for (std::size_t j = 0; j < names.size(); ++j) {
    INFO("job " << j);
    const auto got = block_at(port.writes, at);
    const auto want = prefixed(names, j, input[j]);
    CHECK(mismatch_at(got.first, want.first) == std::string::npos);
    CHECK(mismatch_at(got.second, want.second) == std::string::npos);
  }
  CHECK(at == port.writes.size());
}

TEST_CASE("output: one big job holds at most the job limit in memory", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, {"j"}, false, kMaxLine, kSmallLimits);
  sink.open(0);
  const auto input = arrivals(4 << 20, 3);
  for (const auto& a : input) sink.data(0, a.stream, a.bytes);
  CHECK(sink.stats().peak_in_memory <= kSmallLimits.job + 2 * 2 * kSmallLimits.chunk);
  sink.close(0);
  CHECK(sink.stats().peak_in_memory <= kSmallLimits.job + 2 * 2 * kSmallLimits.chunk);
  CHECK(port.all().size() == sink.stats().held);
}

TEST_CASE("output: without a usable temporary directory group output stays in memory, with a warning", "[output]") {
  const char* dir = GENERATE("/nonexistent-ctxrun-test-dir", "/dev/null");
  EnvGuard tmpdir("TMPDIR", dir);
  const std::vector<std::string> names = {"a", "b"};
  const auto input = arrivals(512 << 10, 4);
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.open(0);
  for (const auto& a : input) sink.data(0, a.stream, a.bytes);
  sink.open(1);
  sink.data(1, kOut, "after\n");
  sink.close(0);
  sink.close(1);
  CHECK(sink.stats().spilled == 0);
  // The warning once, on stderr, before the block, as one line; then the blocks, whole.
  REQUIRE_FALSE(port.writes.empty());
  CHECK(port.writes[0].stream == kErr);
  CHECK_THAT(port.writes[0].bytes,
             Catch::Matchers::StartsWith(std::string("ctxrun: cannot create a temporary file in ") + dir));
  CHECK(port.writes[0].bytes.find('\n') == port.writes[0].bytes.size() - 1);
  std::size_t at = 1;
  const auto got = block_at(port.writes, at);
  const auto want = prefixed(names, 0, input);
  CHECK(mismatch_at(got.first, want.first) == std::string::npos);
  CHECK(mismatch_at(got.second, want.second) == std::string::npos);
  CHECK(block_at(port.writes, at) == std::pair<std::string, std::string>{"b" + kBar + "after\n", ""});
  CHECK(at == port.writes.size());
}

TEST_CASE("output: paced, group mode writes only when asked, at most the bytes asked plus one line", "[output]") {
  const std::size_t ask = GENERATE(1, 100, 5000, 70000);
  INFO("emit_ready(" << ask << ")");
  const std::vector<std::string> names = {"big", "small"};
  const auto big = arrivals(512 << 10, 5), small = arrivals(2000, 6);  // big goes to the file
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.set_paced(true);
  for (const auto* input : {&big, &small}) {
    const std::size_t job = input == &big ? 0 : 1;
    sink.open(job);
    for (const auto& a : *input) sink.data(job, a.stream, a.bytes);
    sink.close(job);
  }
  CHECK(port.writes.empty());
  REQUIRE(sink.has_ready());
  const std::size_t longest_line = std::string("small").size() + kBar.size() + kMaxLine + 1;
  std::size_t waiting = sink.emit_ready(0);
  CHECK(port.writes.empty());
  CHECK(waiting == sink.stats().held);
  while (sink.has_ready()) {
    const std::size_t before = port.writes.size();
    const std::size_t left = sink.emit_ready(ask);
    std::size_t wrote = 0;
    for (std::size_t i = before; i < port.writes.size(); ++i) {
      wrote += port.writes[i].bytes.size();
      REQUIRE(port.writes[i].bytes.back() == '\n');
    }
    REQUIRE(wrote <= ask + longest_line - 1);
    REQUIRE(wrote >= std::min(ask, waiting));  // and it moves on
    REQUIRE(left == waiting - wrote);
    waiting = left;
  }
  CHECK(waiting == 0);
  std::size_t at = 0;
  const auto first = block_at(port.writes, at), second = block_at(port.writes, at);
  CHECK(at == port.writes.size());
  const auto want_big = prefixed(names, 0, big);
  CHECK(mismatch_at(first.first, want_big.first) == std::string::npos);
  CHECK(mismatch_at(first.second, want_big.second) == std::string::npos);
  CHECK(second == prefixed(names, 1, small));
  CHECK(sink.stats().in_memory == 0);
}

TEST_CASE("output: paced, jobs that end while another's block is being written come after it, in order", "[output]") {
  const std::vector<std::string> names = {"a", "b", "c"};
  const auto a = arrivals(300 << 10, 7), b = arrivals(100 << 10, 8), c = arrivals(5000, 9);
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.set_paced(true);
  for (std::size_t j = 0; j < 3; ++j) sink.open(j);
  for (const auto& x : a) sink.data(0, x.stream, x.bytes);
  for (const auto& x : c) sink.data(2, x.stream, x.bytes);
  sink.close(0);
  sink.emit_ready(20000);  // a's block is under way
  REQUIRE_FALSE(port.writes.empty());
  for (const auto& x : b) sink.data(1, x.stream, x.bytes);
  sink.close(2);  // c ends before b
  sink.emit_ready(20000);
  sink.close(1);
  while (sink.has_ready()) sink.emit_ready(20000);
  std::size_t at = 0;
  const auto first = block_at(port.writes, at), second = block_at(port.writes, at), third = block_at(port.writes, at);
  CHECK(at == port.writes.size());
  const auto want_a = prefixed(names, 0, a), want_b = prefixed(names, 1, b);
  CHECK(mismatch_at(first.first, want_a.first) == std::string::npos);
  CHECK(mismatch_at(first.second, want_a.second) == std::string::npos);
  CHECK(second == prefixed(names, 2, c));
  CHECK(mismatch_at(third.first, want_b.first) == std::string::npos);
  CHECK(mismatch_at(third.second, want_b.second) == std::string::npos);
}

TEST_CASE("output: paced, a job read back from the file after another was written whole", "[output]") {
  // Once nothing is ready, the read-back buffer is given back; the next block read from the
  // file starts from a buffer with no storage at all.
  const std::vector<std::string> names = {"a", "b"};
  const auto a = arrivals(300 << 10, 10), b = arrivals(300 << 10, 11);  // both go to the file
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.set_paced(true);
  for (const auto* input : {&a, &b}) {
    const std::size_t job = input == &a ? 0 : 1;
    sink.open(job);
    for (const auto& x : *input) sink.data(job, x.stream, x.bytes);
    sink.close(job);
    while (sink.has_ready()) sink.emit_ready(20000);
  }
  std::size_t at = 0;
  const auto first = block_at(port.writes, at), second = block_at(port.writes, at);
  CHECK(at == port.writes.size());
  const auto want_a = prefixed(names, 0, a), want_b = prefixed(names, 1, b);
  CHECK(mismatch_at(first.first, want_a.first) == std::string::npos);
  CHECK(mismatch_at(second.first, want_b.first) == std::string::npos);
  CHECK(mismatch_at(second.second, want_b.second) == std::string::npos);
}

TEST_CASE("output: paced, discarding a block half written leaves nothing of it for the next", "[output]") {
  const std::vector<std::string> names = {"a", "b"};
  const auto a = arrivals(300 << 10, 12), b = arrivals(2000, 13);  // a goes to the file
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, names, false, kMaxLine, kSmallLimits);
  sink.set_paced(true);
  sink.open(0);
  for (const auto& x : a) sink.data(0, x.stream, x.bytes);
  sink.close(0);
  sink.emit_ready(20000);  // under way, with lines read back from the file and not written yet
  REQUIRE(sink.has_ready());
  CHECK(sink.discard_ready() > 0);
  CHECK_FALSE(sink.has_ready());
  const std::size_t before = port.writes.size();
  sink.open(1);
  for (const auto& x : b) sink.data(1, x.stream, x.bytes);
  sink.close(1);
  while (sink.has_ready()) sink.emit_ready(20000);
  const std::vector<Write> after(port.writes.begin() + static_cast<long>(before), port.writes.end());
  std::size_t at = 0;
  CHECK(block_at(after, at) == prefixed(names, 1, b));
  CHECK(at == after.size());
}

TEST_CASE("output: small jobs come out the same in every mode, paced or not", "[output]") {
  const auto mode = GENERATE(ctxrun::SinkMode::Prefix, ctxrun::SinkMode::Raw, ctxrun::SinkMode::Group);
  const std::vector<std::string> names = {"a", "bb"};
  const auto run = [&](bool paced) {
    FakePort port;
    ctxrun::LineSink sink(port, mode, names, true, 5);
    sink.set_paced(paced);
    sink.open(0);
    sink.open(1);
    const std::string chunks[] = {"ab", "cdefghij", "k\nl", "\n\n", "mnopqrstuvwxyz", "12\n3"};
    for (const auto& c : chunks) {
      sink.data(0, kOut, c);
      sink.data(1, kErr, c);
      sink.data(0, kErr, c);
    }
    sink.close(1);
    sink.close(0);
    if (mode == ctxrun::SinkMode::Group && paced) {
      CHECK(port.writes.empty());
    } else {
      CHECK_FALSE(sink.has_ready());
      CHECK(sink.emit_ready(100) == 0);
    }
    while (sink.has_ready()) sink.emit_ready(std::size_t(-1));
    return port.writes;
  };
  const auto unpaced = run(false);
  CHECK(run(true) == unpaced);
  if (mode == ctxrun::SinkMode::Group) {  // one write per stream per job, as ever
    const std::string bb = "\x1b[" + std::to_string(ctxrun::palette_color(1)) + "mbb\x1b[0m" + kBar;
    REQUIRE(unpaced.size() == 3);
    CHECK(unpaced[0].stream == kErr);
    CHECK(unpaced[0].bytes.substr(0, bb.size()) == bb);
    CHECK(unpaced[1].stream == kOut);
    CHECK(unpaced[2].stream == kErr);
  }
}

TEST_CASE("output: leaving paced mode writes what was waiting", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, {"a"}, false);
  sink.set_paced(true);
  sink.open(0);
  sink.data(0, kOut, "x\n");
  sink.close(0);
  CHECK(port.writes.empty());
  sink.set_paced(false);
  CHECK(port.writes == std::vector<Write>{{kOut, "a" + kBar + "x\n"}});
  CHECK_FALSE(sink.has_ready());
}

TEST_CASE("output: group mode writes nothing for a silent job", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Group, {"a"}, false);
  sink.open(0);
  sink.close(0);
  CHECK(port.writes.empty());
}

TEST_CASE("output: a job can be reopened for its next attempt", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"a"}, false);
  sink.open(0);
  sink.data(0, kOut, "first");
  sink.close(0);
  sink.open(0);
  sink.data(0, kOut, "second\n");
  CHECK(port.writes == std::vector<Write>{{kOut, "a" + kBar + "first\n"}, {kOut, "a" + kBar + "second\n"}});
}

TEST_CASE("output: color wraps the padded name in its palette color", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"a", "bbb"}, true);
  sink.open(0);
  sink.open(1);
  sink.data(0, kOut, "x\n");
  sink.data(1, kOut, "y\n");
  REQUIRE(port.writes.size() == 2);
  CHECK(port.writes[0].bytes == "\x1b[" + std::to_string(ctxrun::palette_color(0)) + "ma  \x1b[0m" + kBar + "x\n");
  CHECK(port.writes[1].bytes == "\x1b[" + std::to_string(ctxrun::palette_color(1)) + "mbbb\x1b[0m" + kBar + "y\n");
}

TEST_CASE("output: names are padded by display width, not bytes", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Prefix, {"\xc3\xa9t\xc3\xa9", "abcd"}, false);
  sink.open(0);
  sink.data(0, kOut, "x\n");
  CHECK(port.writes == std::vector<Write>{{kOut, "\xc3\xa9t\xc3\xa9 " + kBar + "x\n"}});
}

TEST_CASE("output: NUL bytes and invalid UTF-8 pass through", "[output]") {
  FakePort port;
  ctxrun::LineSink sink(port, ctxrun::SinkMode::Raw, {"a"}, false);
  sink.open(0);
  const std::string line = std::string("a\0b\xff", 4) + "\n";
  sink.data(0, kOut, line);
  CHECK(port.writes == std::vector<Write>{{kOut, line}});
}

TEST_CASE("output: every write from the sink ends with a newline", "[output]") {
  FakePort port;
  const auto mode = GENERATE(ctxrun::SinkMode::Prefix, ctxrun::SinkMode::Raw, ctxrun::SinkMode::Group);
  ctxrun::LineSink sink(port, mode, {"a", "b"}, false, 5);
  sink.open(0);
  sink.open(1);
  const std::string chunks[] = {"ab", "cdefghij", "k\nl", "\n\n", "mnopqrstuvwxyz", "12\n3"};
  for (const auto& c : chunks) {
    sink.data(0, kOut, c);
    sink.data(1, kErr, c);
  }
  sink.close(0);
  sink.close(1);
  REQUIRE_FALSE(port.writes.empty());
  for (const auto& w : port.writes) {
    REQUIRE_FALSE(w.bytes.empty());
    CHECK(w.bytes.back() == '\n');
  }
}

TEST_CASE("output: Console clears the status line before writing to a terminal stream", "[output]") {
  FakePort port;
  ctxrun::Console console(port, true, true);
  console.status("[0/2] 2 running");
  CHECK(port.writes == std::vector<Write>{{kErr, "\r[0/2] 2 running\x1b[K"}});
  port.writes.clear();
  console.write(kOut, "line\n");
  CHECK(port.writes == std::vector<Write>{{kErr, "\r\x1b[K"}, {kOut, "line\n"}});
  port.writes.clear();
  console.write(kOut, "again\n");  // nothing shown: nothing to clear
  CHECK(port.writes == std::vector<Write>{{kOut, "again\n"}});
}

TEST_CASE("output: Console clears before its own messages on stderr", "[output]") {
  FakePort port;
  ctxrun::Console console(port, false, true);
  console.status("s");
  port.writes.clear();
  console.message("ctxrun: done\n");
  CHECK(port.writes == std::vector<Write>{{kErr, "\r\x1b[K"}, {kErr, "ctxrun: done\n"}});
}

TEST_CASE("output: Console does not clear for a stream that is not a terminal", "[output]") {
  FakePort port;
  ctxrun::Console console(port, false, true);  // stdout piped, stderr a terminal
  console.status("s");
  port.writes.clear();
  console.write(kOut, "piped\n");
  CHECK(port.writes == std::vector<Write>{{kOut, "piped\n"}});
  port.writes.clear();
  console.clear_status();  // still shown: there is something to clear
  CHECK(port.writes == std::vector<Write>{{kErr, "\r\x1b[K"}});
}

TEST_CASE("output: Console ignores the status line when stderr is not a terminal", "[output]") {
  FakePort port;
  ctxrun::Console console(port, true, false);
  console.status("s");
  CHECK(port.writes.empty());
  console.clear_status();  // nothing shown: nothing to clear
  CHECK(port.writes.empty());
  console.write(kErr, "x\n");
  CHECK(port.writes == std::vector<Write>{{kErr, "x\n"}});
}

TEST_CASE("output: Console overprints a status line with a new one", "[output]") {
  FakePort port;
  ctxrun::Console console(port, true, true);
  console.status("one");
  console.status("two");
  CHECK(port.writes == std::vector<Write>{{kErr, "\rone\x1b[K"}, {kErr, "\rtwo\x1b[K"}});
  console.clear_status();
  console.clear_status();
  CHECK(port.writes.size() == 3);
  CHECK(port.writes.back() == Write{kErr, "\r\x1b[K"});
}
