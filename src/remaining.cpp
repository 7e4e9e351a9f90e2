// remaining.cpp — `ctxrun remaining`: the inherited deadline as a number a script can pass on.
#include "ctxrun/remaining.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli11.hpp"
#include "ctxrun/cli.hpp"
#include "ctxrun/error.hpp"

namespace ctxrun {
namespace {

constexpr const char* kFooter = R"text(
Exit status:
  0        the time left is on standard output
  1        no deadline in this context: nothing on standard output
  124      the deadline has passed: nothing on standard output (never a 0, which means
           no limit to curl and timeout)
  125      bad usage, or an inherited CTXRUN_DEADLINE or CTXRUN_BUDGET that does not parse

Example, inside a job of ctxrun -t:
  curl --max-time "$(ctxrun remaining)" https://example.com/
See SUBCOMMANDS in ctxrun(1).)text";

class Help final : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "\nUsage: ctxrun remaining [--unit s|ms|go]\n";
  }
};

// Whole seconds, then up to three decimals without trailing zeros: `4.25`, `5`, `0.001`.
std::string seconds_text(long long ms) {
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 == 0) return text;
  text += fmt::format(".{:03}", ms % 1000);
  while (text.back() == '0') text.pop_back();
  return text;
}

// As Go's time.Duration.String() writes it, which parse_duration reads back: `250ms`, `4.25s`,
// `1m0s`, `2h0m30s`.
std::string go_text(long long ms) {
  if (ms == 0) return "0s";
  if (ms < 1000) return fmt::format("{}ms", ms);
  const long long hours = ms / 3'600'000, minutes = ms / 60'000 % 60;
  std::string text;
  if (hours > 0) text += fmt::format("{}h", hours);
  if (hours > 0 || minutes > 0) text += fmt::format("{}m", minutes);
  return text + seconds_text(ms % 60'000) + "s";
}

// Only the variables of the deadline: `remaining` starts no run, so the run id and the
// lineage (which a run at the deepest level refuses to extend) are none of its business.
const char* deadline_variable(const char* name) {
  const std::string_view n = name;
  return n == "CTXRUN_DEADLINE" || n == "CTXRUN_BUDGET" ? std::getenv(name) : nullptr;
}

}  // namespace

std::string format_remaining(Duration left, TimeUnit unit) {
  // Cut down, never rounded up: a script must not be handed more time than there is.
  using std::chrono::milliseconds;
  const long long ms = left > Duration::zero() ? std::chrono::duration_cast<milliseconds>(left).count() : 0;
  switch (unit) {
    case TimeUnit::Seconds: return seconds_text(ms);
    case TimeUnit::Milliseconds: return std::to_string(ms);
    case TimeUnit::Go: return go_text(ms);
  }
  return seconds_text(ms);
}

RemainingAnswer remaining_answer(const std::optional<InheritedDeadline>& deadline, TimeUnit unit) {
  if (!deadline) return {1, "", message_line("no deadline in this context")};
  if (deadline->left < std::chrono::milliseconds(1))
    return {124, "", message_line(fmt::format("deadline exceeded (inherited {})", deadline->source))};
  return {0, format_remaining(deadline->left, unit) + "\n", ""};
}

TimeUnit read_remaining_options(int argc, const char* const* argv) {
  CLI::App app{"Print the time left in the context ctxrun gives its jobs (CTXRUN_DEADLINE, CTXRUN_BUDGET).",
               "ctxrun remaining"};
  app.formatter(std::make_shared<Help>());
  app.footer(kFooter);
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.get_formatter()->column_width(34);
  std::string unit;
  const CLI::Option* option = app.add_option("--unit", unit, "s (default, as in 4.25), ms (4250) or go (4.25s, 1m30s)")
                                  ->type_name("UNIT")
                                  ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    throw HelpRequested{app.help()};
  } catch (const CLI::ParseError& e) {
    throw from_cli11(e);
  }
  if (option->count() == 0 || unit == "s") return TimeUnit::Seconds;
  if (unit == "ms") return TimeUnit::Milliseconds;
  if (unit == "go") return TimeUnit::Go;
  throw bad_value("--unit", unit, "expected one of s, ms, go");
}

int remaining_main(int argc, const char* const* argv) {
  const TimeUnit unit = read_remaining_options(argc, argv);
  const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const auto answer = remaining_answer(inherited_deadline(read_inherited(deadline_variable), now), unit);
  (void)std::fputs(answer.err.c_str(), stderr);  // a note only: the answer is on stdout
  // A time that cannot be written is no answer: ctxrun failed (125), not "no deadline".
  if (std::fputs(answer.out.c_str(), stdout) == EOF || std::fflush(stdout) != 0)
    throw UsageError(fmt::format("standard output: {}", std::strerror(errno)));
  return answer.status;
}

}  // namespace ctxrun
