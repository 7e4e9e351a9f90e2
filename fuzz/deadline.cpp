// deadline.cpp — parse_deadline on any text, in its RFC 3339, @unix and HH:MM forms.
#include <cstdlib>
#include <ctime>

#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // HH:MM is local time: UTC keeps the check exact (no DST gap) and the run reproducible.
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  require(deadline_problem(as_text(data, size), kFuzzNow));
  return 0;
}
