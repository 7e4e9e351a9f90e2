// command_line.cpp — parse_command_line on any argv, given NUL-separated after "ctxrun".
#include <cstdlib>
#include <ctime>

#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("TZ", "UTC", 1);  // --deadline HH:MM: the same result on every machine
  ::tzset();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  require(command_line_problem(nul_separated(as_text(data, size)), kFuzzNow));
  return 0;
}
