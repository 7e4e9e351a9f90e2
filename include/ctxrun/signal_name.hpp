// signal_name.hpp — signal names and numbers, both ways.
#pragma once
#include <string>
#include <string_view>

namespace ctxrun {

/// `TERM`, `SIGTERM`, `sigterm`, `15`, `RTMIN+2`. Throws ParseError for 0 and unknown names.
int parse_signal(std::string_view text);

/// parse_signal for the first signal of the termination sequence: also refuses STOP, TSTP,
/// TTIN, TTOU and CONT, which stop or continue a job but cannot end it (and the SIGCONT sent
/// right after the first signal would undo a stop at once).
int parse_termination_signal(std::string_view text);

/// `SIGTERM`, `SIGRTMIN+2`, or `signal 99` for a number with no name.
std::string signal_name(int sig);

}  // namespace ctxrun
