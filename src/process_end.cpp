// process_end.cpp — the raw wait status, decoded once.
#include "ctxrun/process_end.hpp"

#include <sys/wait.h>

#include <fmt/format.h>

#include "ctxrun/signal_name.hpp"

namespace ctxrun {

ProcessEnd from_wait_status(int status) {
  if (WIFSIGNALED(status)) return Signaled{WTERMSIG(status), WCOREDUMP(status) != 0};
  return Exited{WEXITSTATUS(status)};
}

int shell_code(const ProcessEnd& end) {
  if (const auto* e = std::get_if<Exited>(&end)) return e->code;
  return 128 + std::get<Signaled>(end).signal;
}

bool succeeded(const ProcessEnd& end) {
  const auto* e = std::get_if<Exited>(&end);
  return e && e->code == 0;
}

std::string describe(const ProcessEnd& end) {
  if (const auto* e = std::get_if<Exited>(&end)) return fmt::format("exited with status {}", e->code);
  const auto& s = std::get<Signaled>(end);
  return fmt::format("was killed by {}{}", signal_name(s.signal), s.core_dumped ? " (core dumped)" : "");
}

}  // namespace ctxrun
