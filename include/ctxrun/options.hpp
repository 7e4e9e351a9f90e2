// options.hpp — a run's options: the words as the parser read them, and their typed meaning.
#pragma once
#include <csignal>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ctxrun/duration.hpp"
#include "ctxrun/scheduler.hpp"
#include "ctxrun/terminal.hpp"

namespace ctxrun {

/// The most --retries takes: far more than any real use, and a bound that keeps the
/// attempt count and the backoff's exponent in range. A larger value is refused, not cut.
inline constexpr int kMaxRetries = 1'000'000;

enum class OutputMode { Auto, Inherit, Prefix, Group, Raw };

/// A flag's value together with the text the user wrote (for messages: `--timeout 5s`).
template <class T>
struct Given {
  T value{};
  std::string text;    ///< as written; never empty when given (an empty value is refused)
  bool given = false;  ///< on the command line; otherwise `value` is the default
  explicit operator bool() const { return given; }
};

struct Options {
  Given<Duration> timeout;  ///< 0 = none
  Given<WallTime> deadline;
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> commands;     ///< -c
  std::vector<std::string> names;        ///< -n, split on commas
  std::optional<std::string> jobs_file;  ///< -f ('-' = stdin)
  std::size_t jobs = 0;                  ///< -j; 0 = the default
  StopOn stop_on = StopOn::Failure;
  Given<Duration> job_timeout;  ///< 0 = none
  int retries = 0;
  Duration retry_delay{0};
  double retry_backoff = 2.0;
  int signal = SIGTERM;
  Given<Duration> grace{std::chrono::seconds(5), "", false};
  bool preserve_status = false;
  Tristate foreground = Tristate::Auto;
  OutputMode output = OutputMode::Auto;
  ColorMode color = ColorMode::Auto;
  Tristate status = Tristate::Auto;
  std::optional<std::string> report;
  bool quiet = false;
  bool verbose = false;
  std::vector<std::string> command;  ///< one command: its argv
  std::vector<std::string> args;     ///< the whole command line, for the report
};

/// The command line as the parser read it, before any value is given a meaning. A valued
/// option left out is nullopt; one given with an empty value (`-t "$UNSET"`) is "", which
/// validation refuses: it is never the same as leaving the option out.
struct RawOptions {
  std::optional<std::string> timeout, deadline, job_timeout, retry_delay, retry_backoff, grace, signal;
  std::optional<std::string> jobs, retries, stop_on, output, color, report, jobs_file;  ///< the last given
  std::vector<std::string> values, commands, names;                                     ///< every one given, in order
  bool keep_going = false, preserve_status = false, quiet = false, verbose = false;
  Tristate foreground = Tristate::Auto, status = Tristate::Auto;  ///< the last of each pair given
  std::vector<std::string> command;  ///< the words after the options, without a leading `--`
  std::vector<std::string> args;     ///< the whole command line
};

/// Gives the words their meaning: throws UsageError, one line naming the flag and the value,
/// for a value that does not parse or options that do not go together. `now` resolves
/// --deadline.
Options validate(const RawOptions& raw, WallTime now);

}  // namespace ctxrun
