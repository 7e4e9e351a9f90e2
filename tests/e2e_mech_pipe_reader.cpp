// e2e_mech_pipe_reader.cpp — ctxrun::PipeReader on real pipes: order across many reads, one
// EOF, pause and resume (with no new edge to announce waiting data), a full pipe and then quiet,
// and nothing more once it has ended.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/pipe_reader.hpp"
#include "e2e_mech.hpp"

using namespace mech;
namespace asio = boost::asio;

namespace {

// What a reader delivered.
struct Got {
  std::string data;
  int calls = 0;
  int eofs = 0;
  ctxrun::PipeReader::Data on_data() {
    return [this](std::string_view bytes) {
      data.append(bytes);
      ++calls;
    };
  }
  ctxrun::PipeReader::Eof on_eof() {
    return [this] { ++eofs; };
  }
};

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    REQUIRE(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

TEST_CASE("mech pipe_reader: a job's output arrives in order across many reads, and EOF comes once",
          "[mech][pipe_reader]") {
  const std::size_t size = GENERATE(4096u, 256u * 1024);  // small, and ctxrun's own buffer
  CAPTURE(size);
  asio::io_context io;
  std::vector<char> buffer(size);
  auto pipe = ctxrun::make_pipe();
  const auto argv = test::child({"lines", "50000"});
  auto r = ctxrun::spawn(request(argv, pipe.write.get()));
  pipe.write.reset();
  REQUIRE(std::holds_alternative<ctxrun::Spawned>(r));
  const pid_t pid = std::get<ctxrun::Spawned>(r).pid;
  KillOnExit cleanup;
  cleanup.pids.push_back(pid);

  Got got;
  auto reader = ctxrun::PipeReader::make(io, std::move(pipe.read), buffer, got.on_data(), got.on_eof());
  CHECK(run_until(io, [&] { return got.eofs > 0; }));
  std::string expected;
  for (int i = 1; i <= 50000; ++i) expected += "line-" + std::to_string(i) + "\n";
  CHECK(got.data == expected);
  CHECK(got.calls > 1);
  CHECK_FALSE(reader->open());
  io.restart();
  io.poll();
  CHECK(got.eofs == 1);
  CHECK(exited_with(reap(pid), 0));
}

TEST_CASE("mech pipe_reader: pause holds waiting data back, and resume delivers it with no new write",
          "[mech][pipe_reader]") {
  asio::io_context io;
  std::vector<char> buffer(4096);
  auto pipe = ctxrun::make_pipe();
  Got got;
  auto reader = ctxrun::PipeReader::make(io, std::move(pipe.read), buffer, got.on_data(), got.on_eof());

  SECTION("paused before the data came") {
    reader->pause();
    write_all(pipe.write.get(), "waiting\n");
    io.run_for(200ms);  // the readiness comes and goes: nothing may be read
    CHECK(got.calls == 0);
  }
  SECTION("paused by the data handler, more data behind") {
    write_all(pipe.write.get(), "first\n");
    REQUIRE(run_until(io, [&] { return got.calls == 1; }));
    reader->pause();
    write_all(pipe.write.get(), "waiting\n");
    io.restart();
    io.run_for(200ms);
    CHECK(got.calls == 1);
  }
  // The edge that announced the data is spent: resume alone must read it.
  const std::size_t before = got.data.size();
  reader->resume();
  CHECK(run_until(io, [&] { return got.data.size() >= before + 8; }));
  CHECK(got.data.substr(before) == "waiting\n");
  pipe.write.reset();
  CHECK(run_until(io, [&] { return got.eofs == 1; }));
}

TEST_CASE("mech pipe_reader: a full pipe whose writer then goes quiet is read to the end", "[mech][pipe_reader]") {
  asio::io_context io;
  Got got;

  SECTION("300 KiB already waiting, read in small buffers over several loop turns") {
    auto pipe = ctxrun::make_pipe();
    REQUIRE(::fcntl(pipe.write.get(), F_SETPIPE_SZ, 1 << 20) >= 300 * 1024);
    std::string bytes;
    for (int i = 0; bytes.size() < 300 * 1024; ++i) bytes += "chunk-" + std::to_string(i) + "\n";
    write_all(pipe.write.get(), bytes);  // then nothing more, and the write end stays open
    std::vector<char> buffer(16 * 1024);
    auto reader = ctxrun::PipeReader::make(io, std::move(pipe.read), buffer, got.on_data(), got.on_eof());
    CHECK(run_until(io, [&] { return got.data.size() >= bytes.size(); }));
    CHECK(got.data == bytes);
    CHECK(got.eofs == 0);
  }
  SECTION("a process that writes 300 KiB into a 64 KiB pipe, then sleeps") {
    const std::string script = test::quote(test::child({"long", std::to_string(300 * 1024)})) + " && exec " +
                               test::quote(test::child({"sleep", "3600"}));
    Job job({"/bin/sh", "-c", script});
    std::vector<char> buffer(256 * 1024);
    auto reader = ctxrun::PipeReader::make(io, job.out.take(), buffer, got.on_data(), got.on_eof());
    const std::string head(300 * 1024, 'x');
    CHECK(run_until(io, [&] { return got.data.find("\nready ") != std::string::npos && got.data.back() == '\n'; }));
    CHECK(got.data == head + "\nready " + std::to_string(job.pid()) + "\n");
    CHECK(got.eofs == 0);
    job.kill();
    CHECK(run_until(io, [&] { return got.eofs == 1; }));
  }
}

TEST_CASE("mech pipe_reader: finish takes what the pipe holds, paused or not, and ends it though a writer holds it",
          "[mech][pipe_reader]") {
  asio::io_context io;
  Got got;
  auto pipe = ctxrun::make_pipe();
  write_all(pipe.write.get(), "one\ntwo\n");  // and the write end stays open, as an escapee's would
  std::vector<char> buffer(4096);
  auto reader = ctxrun::PipeReader::make(io, std::move(pipe.read), buffer, got.on_data(), got.on_eof());
  reader->pause();
  io.poll();
  REQUIRE(got.data.empty());
  reader->finish(1 << 20);
  CHECK(got.data == "one\ntwo\n");
  CHECK(got.eofs == 1);
  CHECK_FALSE(reader->open());
  io.restart();
  io.poll();
  CHECK(got.eofs == 1);
  CHECK(got.data == "one\ntwo\n");
}

TEST_CASE("mech pipe_reader: finish reads at most its limit from a writer that never stops", "[mech][pipe_reader]") {
  asio::io_context io;
  Got got;
  Job job(test::child({"long", "100000000"}));  // far more than the limit, written as fast as it can
  std::vector<char> buffer(64 * 1024);
  auto reader = ctxrun::PipeReader::make(io, job.out.take(), buffer, got.on_data(), got.on_eof());
  reader->finish(256 * 1024);
  CHECK(got.data.size() <= 256 * 1024);
  CHECK(got.eofs == 1);
  job.kill();
}

TEST_CASE("mech pipe_reader: after its end no callback comes, even with a completion already due",
          "[mech][pipe_reader]") {
  asio::io_context io;
  Got got;
  auto pipe = ctxrun::make_pipe();
  std::vector<char> buffer(4096);
  auto reader = ctxrun::PipeReader::make(io, std::move(pipe.read), buffer, got.on_data(), got.on_eof());
  write_all(pipe.write.get(), "late\n");  // readable now: the wait completes on the next turn
  std::weak_ptr<ctxrun::PipeReader> weak = reader;
  reader->finish(0);  // reads nothing, and ends it
  REQUIRE(got.eofs == 1);
  reader.reset();  // the owner lets go; the pending wait still holds it
  io.run();
  CHECK(got.calls == 0);
  CHECK(got.eofs == 1);
  CHECK(weak.expired());  // and once the wait is done, nothing holds it
}
