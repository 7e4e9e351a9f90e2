// jobs_file.cpp — parse_jobs_file on any file, and command_argv on each job it finds.
#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  require(jobs_file_problem(as_text(data, size)));
  return 0;
}
