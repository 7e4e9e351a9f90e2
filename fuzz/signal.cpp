// signal.cpp — parse_signal on any text, signal_name on any number; both read back.
#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  require(signal_problem(as_text(data, size)));
  // The first four bytes as an int: negative, zero, unnamed and real-time numbers alike.
  if (size >= 4) {
    std::uint32_t u = 0;
    for (std::size_t i = 0; i < 4; ++i) u = u << 8 | data[i];
    require(signal_name_problem(static_cast<int>(u)));
  }
  return 0;
}
