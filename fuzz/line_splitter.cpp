// line_splitter.cpp — LineSplitter on any bytes, any line limit, any chunking.
// The first byte is the limit (0: the default, 1 MiB), the second seeds the chunk sizes, the
// rest is the output of a job.
#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  if (size < 2) return 0;
  const std::size_t max_line = data[0] == 0 ? ctxrun::LineSplitter::kDefaultMaxLine : data[0];
  // Chunk sizes from 1 to 64 (reads are of any size, and the splitter works in 64-byte blocks).
  std::vector<std::size_t> chunks;
  for (std::uint32_t x = data[1] * 2654435761u + 1, i = 0; i < 8; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    chunks.push_back(1 + x % 64);
  }
  require(line_splitter_problem(as_text(data + 2, size - 2), max_line, chunks));
  return 0;
}
