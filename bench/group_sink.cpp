// group_sink.cpp — LineSink alone, no processes and no I/O but its own temporary file: how fast
// group mode holds and emits a job's output, and how much memory it takes doing so.
//
// Built on demand, not by CMake nor in CI; from the repository's root (one line):
//   c++ -std=c++20 -O2 -DFMT_HEADER_ONLY -Iinclude bench/group_sink.cpp src/output.cpp src/line_splitter.cpp
//   src/terminal.cpp src/error.cpp -o build/group_sink build/group_sink [MIB=256] [group|prefix|raw] [JOBS=1]
//
// MIB of 100-byte lines go through the sink in 64 KiB batches (the loop's reads), spread over
// JOBS jobs that write in turn. Group mode is paced as the loop paces it: emit_ready() in
// slices of 1 MiB once the jobs have ended.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ctxrun/output.hpp"

namespace {

struct NullPort final : ctxrun::OutputPort {
  std::uint64_t bytes = 0, writes = 0;
  std::string messages;  // the sink's own lines (`ctxrun: ...`): the jobs here write to stdout only
  void write(ctxrun::Stream s, std::string_view b) override {
    bytes += b.size();
    ++writes;
    if (s == ctxrun::Stream::Err) messages += b;
  }
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 256;
  const std::string mode_name = argc > 2 ? argv[2] : "group";
  const std::size_t jobs = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1;
  const auto mode = mode_name == "prefix" ? ctxrun::SinkMode::Prefix
                    : mode_name == "raw"  ? ctxrun::SinkMode::Raw
                                          : ctxrun::SinkMode::Group;
  if (jobs == 0 || (mode == ctxrun::SinkMode::Group && mode_name != "group")) {
    std::fprintf(stderr, "usage: group_sink [MIB] [group|prefix|raw] [JOBS]\n");
    return 2;
  }

  std::string batch;
  while (batch.size() + 100 <= 64 * 1024) batch += std::string(99, 'y') + "\n";
  std::vector<std::string> names;
  for (std::size_t j = 0; j < jobs; ++j) names.push_back("job" + std::to_string(j));

  NullPort port;
  ctxrun::LineSink sink(port, mode, names, false);
  sink.set_paced(true);
  for (std::size_t j = 0; j < jobs; ++j) sink.open(j);

  const auto start = std::chrono::steady_clock::now();
  std::size_t job = 0;
  for (std::uint64_t done = 0; done < mib << 20; done += batch.size()) {
    sink.data(job, ctxrun::Stream::Out, batch);
    job = (job + 1) % jobs;
  }
  for (std::size_t j = 0; j < jobs; ++j) sink.close(j);
  const double held = seconds_since(start);
  while (sink.has_ready()) sink.emit_ready(1 << 20);
  const double total = seconds_since(start);

  const auto stats = sink.stats();
  std::printf("%llu MiB in, %s, %zu job(s): %.3f s (%.0f MB/s of output); held in %.3f s, emitted in %.3f s\n",
              static_cast<unsigned long long>(mib), mode_name.c_str(), jobs, total, port.bytes / total / 1e6, held,
              total - held);
  std::printf("out %llu bytes in %llu writes; in memory at most %.1f MiB; %.1f MiB through the temporary file\n",
              static_cast<unsigned long long>(port.bytes), static_cast<unsigned long long>(port.writes),
              stats.peak_in_memory / 1048576.0, stats.spilled / 1048576.0);
  std::fputs(port.messages.c_str(), stdout);
  return 0;
}
