// duration.cpp — parse_duration on any text; format_duration and format_seconds read back.
#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  require(duration_problem(as_text(data, size)));
  // Every non-negative value formats, not only those a short text reaches: the first eight
  // bytes as a count of nanoseconds.
  if (size >= 8) {
    std::uint64_t ns = 0;
    for (std::size_t i = 0; i < 8; ++i) ns = ns << 8 | data[i];
    require(formatted_duration_problem(ctxrun::Duration(static_cast<std::int64_t>(ns >> 1))));
  }
  return 0;
}
