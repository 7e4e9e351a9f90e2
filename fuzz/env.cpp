// env.cpp — the CTXRUN_* variables an enclosing ctxrun hands down, whatever their values.
// The input is NUL-separated: CTXRUN_DEADLINE, CTXRUN_BUDGET, CTXRUN_RUN_ID, CTXRUN_PATH,
// CTXRUN_LINEAGE, then a KEY for -e KEY=VALUE. A missing field is an unset variable.
#include "invariants.hpp"
#include "target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ctxrun::fuzz;
  static const char* const kNames[] = {"CTXRUN_DEADLINE", "CTXRUN_BUDGET", "CTXRUN_RUN_ID", "CTXRUN_PATH",
                                       "CTXRUN_LINEAGE"};
  const auto fields = nul_separated(as_text(data, size));
  Environment env;
  for (std::size_t i = 0; i < fields.size() && i < std::size(kNames); ++i) env[kNames[i]] = fields[i];
  require(env_problem(env, fields.size() > std::size(kNames) ? fields[std::size(kNames)] : std::string()));
  return 0;
}
