// signal_name.cpp — a fixed table, so names do not depend on the C library's locale.
#include "ctxrun/signal_name.hpp"

#include <cctype>
#include <csignal>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "ctxrun/error.hpp"

namespace ctxrun {
namespace {

struct Named {
  std::string_view name;
  int sig;
};
constexpr Named kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGABRT},      {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int> small_number(std::string_view s) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

int parse_signal(std::string_view text) {
  if (text.empty()) throw ParseError("expected a signal: a name like TERM or INT, or a number");
  if (auto n = small_number(text)) {
    if (*n >= 1 && *n <= SIGRTMAX) return *n;
    throw ParseError(fmt::format("no signal has number {}", *n));
  }
  std::string name = upper(text);
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  for (const auto& s : kSignals)
    if (s.name == name) return s.sig;
  // RTMIN, RTMIN+n, RTMAX, RTMAX-n
  for (auto [base, value, sign] : {std::tuple{"RTMIN", SIGRTMIN, 1}, std::tuple{"RTMAX", SIGRTMAX, -1}}) {
    const std::string_view b = base;
    if (name.rfind(b, 0) != 0) continue;
    std::string_view rest = std::string_view(name).substr(b.size());
    if (rest.empty()) return value;
    if (rest.front() == (sign > 0 ? '+' : '-')) {
      auto n = small_number(rest.substr(1));
      if (n && *n <= SIGRTMAX - SIGRTMIN) return value + sign * *n;
    }
  }
  throw ParseError("unknown signal (use a name like TERM or INT, or a number)");
}

int parse_termination_signal(std::string_view text) {
  const int sig = parse_signal(text);
  if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT)
    throw ParseError(fmt::format("{} cannot end a job; use one such as TERM, INT, HUP or KILL", signal_name(sig)));
  return sig;
}

std::string signal_name(int sig) {
  for (const auto& s : kSignals)
    if (s.sig == sig) return fmt::format("SIG{}", s.name);
  if (sig == SIGRTMIN) return "SIGRTMIN";
  if (sig > SIGRTMIN && sig <= SIGRTMAX) return fmt::format("SIGRTMIN+{}", sig - SIGRTMIN);
  return fmt::format("signal {}", sig);
}

}  // namespace ctxrun
