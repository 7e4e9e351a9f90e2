// e2e_mech_writer.cpp — ctxrun::Writer on real pipes: a reader that does not read does not block
// the loop, order across both streams, draining, a reader that goes away, the caller's description.
//
// The Writer writes to STDOUT_FILENO and STDERR_FILENO, so each test runs it in a forked child
// whose fd 1 and 2 are pipes the test reads (or not). The child tells the test where it is with
// `key=value` lines on a report pipe, and exits with 0 unless something went wrong there.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/writer.hpp"
#include "e2e_mech.hpp"

using namespace mech;
namespace asio = boost::asio;
using ctxrun::Stream;

namespace {

// Written in batches of 50 lines, as ctxrun's line sink writes: 4000 of them are ~3 MB, more
// than a pipe holds even once grown to 1 MiB.
constexpr int kBatches = 4000;

// Forks a child with `out` on its fd 1 and `err` on its fd 2 (-1: unchanged) that closes
// `theirs` (the test's ends) and exits with what `body()` returns.
template <class Body>
pid_t fork_with_stdio(int out, int err, const std::vector<int>& theirs, Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    for (int fd : theirs) ::close(fd);
    if (out >= 0) ::dup2(out, 1);
    if (err >= 0) ::dup2(err, 2);
    ::signal(SIGPIPE, SIG_IGN);  // as prepare_process does: EPIPE instead
    int rc = 99;
    try {
      rc = body();
    } catch (...) {
    }
    ::_exit(rc);
  }
  return pid;
}

// The N of `key=N` in a report line.
long value(const std::string& line, const std::string& key) {
  const auto at = line.find(key + "=");
  return at == std::string::npos ? -1 : std::atol(line.c_str() + at + key.size() + 1);
}

bool nonblocking(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

std::string batch(const char* stream, int i) {
  std::string text;
  for (int k = 0; k < 50; ++k) text += std::string(stream) + "-" + std::to_string(i) + "-" + std::to_string(k) + "\n";
  return text;
}

// Every batch, in order, as a reader gets them: all on stdout, or every third one on stderr.
std::string all_batches(bool every_third_err = false) {
  std::string text;
  for (int i = 0; i < kBatches; ++i) text += batch(every_third_err && i % 3 == 0 ? "err" : "out", i);
  return text;
}

}  // namespace

TEST_CASE("mech writer: a reader that does not read never blocks the loop, and later gets every line in order",
          "[mech][writer]") {
  KillOnExit cleanup;
  auto data = ctxrun::make_pipe(), report = ctxrun::make_pipe();
  // stdout and stderr on the same pipe: the order across the two streams shows there.
  const pid_t pid = fork_with_stdio(data.write.get(), data.write.get(), {data.read.get(), report.read.get()}, [&] {
    const int rep = report.write.get();
    asio::io_context io;
    ctxrun::Writer w(io, [](Stream) {});
    for (int i = 0; i < kBatches; ++i)
      w.write(i % 3 == 0 ? Stream::Err : Stream::Out, batch(i % 3 == 0 ? "err" : "out", i));
    // The reader is not reading: only a timer can complete now, if the loop is free to run it.
    asio::steady_timer timer(io, 50ms);
    bool fired = false;
    timer.async_wait([&](const boost::system::error_code&) { fired = true; });
    while (!fired) io.run_one();
    int drained = 0;
    w.when_drained(0, [&] { ++drained; });
    ::dprintf(rep, "timer pending=%zu drained=%d\n", w.pending(), drained);
    io.restart();
    io.run();  // until the queue is empty: the test reads now
    ::dprintf(rep, "done pending=%zu drained=%d nonblock=%d\n", w.pending(), drained, nonblocking(1) ? 1 : 0);
    return 0;
  });
  cleanup.pids.push_back(pid);
  report.write.reset();
  Lines rep(std::move(report.read)), out(std::move(data.read));

  const std::string timer = rep.wait_for("timer ");
  REQUIRE_FALSE(timer.empty());
  CHECK(value(timer, "pending") > 0);  // the pipe is full and the rest waits in the queue
  CHECK(value(timer, "drained") == 0);
  CHECK(::fcntl(data.write.get(), F_GETPIPE_SZ) == 1 << 20);  // a reader that fell behind: a bigger pipe

  const std::string expected = all_batches(true);
  CHECK(out.read_at_least(expected.size()));
  CHECK(out.text() == expected);
  const std::string done = rep.wait_for("done ");
  CHECK(value(done, "pending") == 0);
  CHECK(value(done, "drained") == 1);
  CHECK(value(done, "nonblock") == 0);
  CHECK_FALSE(nonblocking(data.write.get()));  // our descriptor shares that description
  data.write.reset();
  CHECK(exited_with(reap(pid), 0));
  CHECK(out.read_to_eof());
  CHECK(out.text() == expected);  // nothing more came
}

TEST_CASE("mech writer: the drained callback comes at the low mark, while the rest still waits", "[mech][writer]") {
  KillOnExit cleanup;
  auto data = ctxrun::make_pipe(), report = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(data.write.get(), -1, {data.read.get(), report.read.get()}, [&] {
    const int rep = report.write.get();
    asio::io_context io;
    ctxrun::Writer w(io, [](Stream) {});
    for (int i = 0; i < kBatches; ++i) w.write(Stream::Out, batch("out", i));
    std::size_t at_callback = 0;
    bool drained = false;
    w.when_drained(1 << 20, [&] {
      at_callback = w.pending();
      drained = true;
    });
    ::dprintf(rep, "queued pending=%zu\n", w.pending());
    while (!drained) io.run_one();
    ::dprintf(rep, "drained pending=%zu\n", at_callback);
    io.restart();
    io.run();
    return 0;
  });
  cleanup.pids.push_back(pid);
  report.write.reset();
  data.write.reset();
  Lines rep(std::move(report.read)), out(std::move(data.read));
  CHECK(value(rep.wait_for("queued "), "pending") > 1 << 20);
  CHECK(out.read_to_eof());
  const std::string drained = rep.wait_for("drained ");
  CHECK(value(drained, "pending") > 0);  // called on the way down, not once all is written
  CHECK(value(drained, "pending") <= 1 << 20);
  const std::string expected = all_batches();
  CHECK(out.text() == expected);
  CHECK(exited_with(reap(pid), 0));
}

TEST_CASE("mech writer: lines that alternate between the streams queue in small buffers", "[mech][writer]") {
  // Each switch of stream starts a chunk; a chunk's buffer is as big as what it holds.
  KillOnExit cleanup;
  auto data = ctxrun::make_pipe(), report = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(data.write.get(), data.write.get(), {data.read.get(), report.read.get()}, [&] {
    const auto vm_kib = [] {
      std::ifstream f("/proc/self/status");
      for (std::string line; std::getline(f, line);)
        if (line.rfind("VmSize:", 0) == 0) return std::atol(line.c_str() + 7);
      return -1L;
    };
    asio::io_context io;
    ctxrun::Writer w(io, [](Stream) {});
    const long before = vm_kib();
    const std::string long_line(99, 'o');
    for (int i = 0; w.pending() < (2 << 20); ++i)
      w.write(i % 2 ? Stream::Err : Stream::Out, i % 2 ? "err\n" : long_line + "\n");
    ::dprintf(report.write.get(), "queued pending=%zu grew_kib=%ld\n", w.pending(), vm_kib() - before);
    return 0;
  });
  cleanup.pids.push_back(pid);
  report.write.reset();
  data.write.reset();
  Lines rep(std::move(report.read));
  const std::string queued = rep.wait_for("queued ");
  CHECK(value(queued, "pending") >= 2 << 20);
  CHECK(value(queued, "grew_kib") < 64 * 1024);  // 256 KiB for each of ~40k chunks would be 10 GB
  CHECK(exited_with(reap(pid), 0));              // the pipe's read end stays open until here: no EPIPE
}

TEST_CASE("mech writer: the loop writes everything queued, and the caller's description stays blocking",
          "[mech][writer]") {
  KillOnExit cleanup;
  auto data = ctxrun::make_pipe(), report = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(data.write.get(), -1, {data.read.get(), report.read.get()}, [&] {
    const int rep = report.write.get();
    asio::io_context io;
    ctxrun::Writer w(io, [](Stream) {});
    for (int i = 0; i < kBatches; ++i) w.write(Stream::Out, batch("out", i));
    ::dprintf(rep, "queued pending=%zu\n", w.pending());
    bool drained = false;
    w.when_drained(0, [&] { drained = true; });
    if (!run_until(
            io, [&] { return drained; }, 20s))
      return 3;
    ::dprintf(rep, "flushed pending=%zu nonblock=%d idle=%d\n", w.pending(), nonblocking(1) ? 1 : 0, w.idle() ? 1 : 0);
    return 0;
  });
  cleanup.pids.push_back(pid);
  report.write.reset();
  data.write.reset();
  Lines rep(std::move(report.read)), out(std::move(data.read));
  CHECK(value(rep.wait_for("queued "), "pending") > 0);
  CHECK(out.read_to_eof());
  const std::string expected = all_batches();
  CHECK(out.text() == expected);
  const std::string flushed = rep.wait_for("flushed ");
  CHECK(value(flushed, "pending") == 0);
  CHECK(value(flushed, "nonblock") == 0);
  CHECK(value(flushed, "idle") == 1);
  CHECK(exited_with(reap(pid), 0));
}

TEST_CASE("mech writer: a reader that goes away is reported once for its stream, whose later writes are dropped",
          "[mech][writer]") {
  KillOnExit cleanup;
  auto out_pipe = ctxrun::make_pipe(), err_pipe = ctxrun::make_pipe(), report = ctxrun::make_pipe(),
       go = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(out_pipe.write.get(), err_pipe.write.get(),
                                    {out_pipe.read.get(), err_pipe.read.get(), report.read.get(), go.write.get()}, [&] {
                                      const int rep = report.write.get();
                                      asio::io_context io;
                                      std::vector<Stream> broken;
                                      // As ctxrun's does (a cause, a line on stderr), the callback writes: from inside
                                      // the write that found the reader gone.
                                      ctxrun::Writer w(io, [&](Stream s) {
                                        broken.push_back(s);
                                        w.write(Stream::Err, "reader gone\n");
                                      });
                                      w.write(Stream::Out, "first\n");
                                      io.poll();
                                      ::dprintf(rep, "wrote pending=%zu\n", w.pending());
                                      if (!readable(go.read.get(), 10s)) return 2;  // the test closed the reader
                                      w.write(Stream::Out, "second\n");
                                      io.poll();
                                      w.write(Stream::Out, "third\n");
                                      w.write(Stream::Err, "to stderr\n");
                                      io.poll();
                                      ::dprintf(rep, "after broken=%zu first=%d pending=%zu\n", broken.size(),
                                                broken.empty() ? 0 : static_cast<int>(broken.front()), w.pending());
                                      return 0;
                                    });
  cleanup.pids.push_back(pid);
  for (auto* fd : {&out_pipe.write, &err_pipe.write, &report.write, &go.read}) fd->reset();
  Lines rep(std::move(report.read)), out(std::move(out_pipe.read)), err(std::move(err_pipe.read));

  CHECK(value(rep.wait_for("wrote "), "pending") == 0);
  CHECK(out.wait_for("first") == "first");
  out.close();  // the reader goes away
  REQUIRE(::write(go.write.get(), "g", 1) == 1);
  const std::string after = rep.wait_for("after ");
  CHECK(value(after, "broken") == 1);
  CHECK(value(after, "first") == static_cast<int>(Stream::Out));
  CHECK(value(after, "pending") == 0);
  CHECK(err.read_to_eof());
  CHECK(err.text() == "reader gone\nto stderr\n");  // the other stream goes on, in order
  CHECK(exited_with(reap(pid), 0));
}

TEST_CASE("mech writer: a regular file is written at once, with nothing left pending", "[mech][writer]") {
  KillOnExit cleanup;
  char path[] = "/tmp/ctxrun-mech-writer-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  auto report = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(file, -1, {report.read.get()}, [&] {
    asio::io_context io;
    ctxrun::Writer w(io, [](Stream) {});
    for (int i = 0; i < kBatches; ++i) w.write(Stream::Out, batch("out", i));
    ::dprintf(report.write.get(), "wrote pending=%zu\n", w.pending());  // the loop never ran
    return 0;
  });
  cleanup.pids.push_back(pid);
  report.write.reset();
  Lines rep(std::move(report.read));
  CHECK(value(rep.wait_for("wrote "), "pending") == 0);
  CHECK(exited_with(reap(pid), 0));
  const std::string expected = all_batches();
  std::ifstream f(path);
  const std::string text((std::istreambuf_iterator<char>(f)), {});
  CHECK(text == expected);
  ::close(file);
  ::unlink(path);
}

TEST_CASE("mech writer: after giving up, a stalled stream takes nothing more, the other still writes",
          "[mech][writer]") {
  KillOnExit cleanup;
  auto out_pipe = ctxrun::make_pipe(), err_pipe = ctxrun::make_pipe(), report = ctxrun::make_pipe();
  const pid_t pid = fork_with_stdio(
      out_pipe.write.get(), err_pipe.write.get(), {out_pipe.read.get(), err_pipe.read.get(), report.read.get()}, [&] {
        asio::io_context io;
        ctxrun::Writer w(io, [](Stream) {});
        for (int i = 0; i < kBatches; ++i) w.write(Stream::Out, batch("out", i));  // far more than the pipe holds
        const std::size_t dropped = w.abandon();
        w.write(Stream::Out, "late\n");  // would come after a cut line: dropped whole
        w.write(Stream::Err, "summary\n");
        ::dprintf(report.write.get(), "gave up dropped=%zu total=%zu pending=%zu\n", dropped, w.dropped(), w.pending());
        return 0;
      });
  cleanup.pids.push_back(pid);
  for (auto* fd : {&out_pipe.write, &err_pipe.write, &report.write}) fd->reset();
  Lines rep(std::move(report.read)), out(std::move(out_pipe.read)), err(std::move(err_pipe.read));
  const std::string gave_up = rep.wait_for("gave up ");
  CHECK(value(gave_up, "dropped") > 0);
  CHECK(value(gave_up, "total") == value(gave_up, "dropped") + 5);
  CHECK(value(gave_up, "pending") == 0);
  CHECK(exited_with(reap(pid), 0));
  CHECK(out.read_to_eof());
  CHECK(out.text().find("late") == std::string::npos);
  CHECK(err.read_to_eof());
  CHECK(err.text() == "summary\n");
}
