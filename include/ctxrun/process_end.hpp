// process_end.hpp — how a process ended, kept structured until the exit status is derived.
#pragma once
#include <string>
#include <variant>

namespace ctxrun {

struct Exited {
  int code;
  bool operator==(const Exited&) const = default;
};
struct Signaled {
  int signal;
  bool core_dumped = false;
  bool operator==(const Signaled&) const = default;
};

/// `Exited{code}` and `Signaled{sig}` stay distinct: "exit 15" is not "killed by SIGTERM".
using ProcessEnd = std::variant<Exited, Signaled>;

/// Decodes a raw waitpid(2) status (exited or signaled; stopped statuses are not ends).
ProcessEnd from_wait_status(int status);

/// What a shell would put in `$?`: the code, or 128+N for a death by signal N.
int shell_code(const ProcessEnd& end);

bool succeeded(const ProcessEnd& end);

/// `exited with status 1`, `was killed by SIGSEGV (core dumped)`.
std::string describe(const ProcessEnd& end);

}  // namespace ctxrun
