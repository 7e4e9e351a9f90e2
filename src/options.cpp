// options.cpp — from the words of the command line to typed Options; every error names the
// flag and the value.
#include "ctxrun/options.hpp"

#include <charconv>
#include <limits>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/signal_name.hpp"

namespace ctxrun {
namespace {

template <class Parse>
auto parsed(const char* flag, const std::string& text, Parse parse) {
  try {
    return parse(text);
  } catch (const ParseError& e) {
    throw bad_value(flag, text, e.what());
  }
}

long long integer(const char* flag, const std::string& text, long long min,
                  long long max = std::numeric_limits<long long>::max()) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) throw bad_value(flag, text, "too large");
  if (ec != std::errc() || end != text.data() + text.size()) throw bad_value(flag, text, "expected a whole number");
  if (v < min) throw bad_value(flag, text, fmt::format("must be at least {}", min));
  if (v > max) throw bad_value(flag, text, fmt::format("must be at most {}", max));
  return v;
}

double backoff(const std::string& text) {
  double f = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
  if (ec != std::errc() || end != text.data() + text.size())
    throw bad_value("--retry-backoff", text, "expected a number, as in 2 or 1.5");
  if (!(f >= 1.0 && f <= 1000.0)) throw bad_value("--retry-backoff", text, "must be between 1 and 1000");
  return f;
}

const std::string& file_name(const char* flag, const std::string& text, const char* expected) {
  if (text.empty()) throw bad_value(flag, text, expected);
  return text;
}

template <class Enum>
Enum choice(const char* flag, const std::string& text, std::initializer_list<std::pair<const char*, Enum>> table) {
  std::string names;
  for (const auto& [name, value] : table) {
    if (text == name) return value;
    names += names.empty() ? name : fmt::format(", {}", name);
  }
  throw bad_value(flag, text, fmt::format("expected one of {}", names));
}

Given<Duration> duration(const char* flag, const std::string& text) {
  return {parsed(flag, text, parse_duration), text, true};
}

std::vector<std::pair<std::string, std::string>> key_values(const std::vector<std::string>& given) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& kv : given) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw bad_value("--value", kv, "expected KEY=VALUE");
    const std::string key = kv.substr(0, eq);
    if (!valid_value_key(key))
      throw bad_value("--value", kv, "KEY must be a variable name ([A-Za-z_][A-Za-z0-9_]*, not CTXRUN_*)");
    values.emplace_back(key, kv.substr(eq + 1));
  }
  return values;
}

// -n a,b -n c: the names add up, split on commas.
std::vector<std::string> split_names(const std::vector<std::string>& given) {
  std::vector<std::string> names;
  for (const auto& n : given) {
    for (std::size_t start = 0;;) {
      const auto comma = n.find(',', start);
      names.push_back(n.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  std::set<std::string_view> seen;
  for (const auto& n : names) {
    if (n.empty()) throw bad_value("--names", n, "a name cannot be empty");
    for (unsigned char c : n)
      if (c < 0x20 || c == 0x7f || c == '/')
        throw bad_value("--names", n, "a name cannot contain '/' or control characters");
    if (!seen.insert(n).second) throw bad_value("--names", n, "two jobs cannot have the same name");
  }
  return names;
}

// Which jobs: one command, -c or -f, never two of them, and names for no more jobs than there are.
void check_jobs(const Options& o) {
  const bool has_jobs = !o.commands.empty() || o.jobs_file;
  if (!o.commands.empty() && o.jobs_file)
    throw UsageError("-c and -f cannot be used together: put every job in the file, or use -c for each");
  if (has_jobs && !o.command.empty())
    throw UsageError(
        fmt::format("unexpected {:?}: a command cannot follow -c or -f (quote it as another -c)", o.command.front()));
  if (!has_jobs && o.command.empty())
    throw UsageError("no command given (ctxrun [OPTIONS] [--] COMMAND [ARG...], -c CMD, or -f FILE; see --help)");
  if (!o.commands.empty() && o.names.size() > o.commands.size())
    throw bad_value("--names", o.names[o.commands.size()],
                    fmt::format("more names than the {} -c jobs", o.commands.size()));
  if (!o.command.empty() && o.names.size() > 1) throw bad_value("--names", o.names[1], "one command has one name");
}

}  // namespace

Options validate(const RawOptions& r, WallTime now) {
  Options o;
  o.args = r.args;
  o.command = r.command;
  if (r.timeout) o.timeout = duration("--timeout", *r.timeout);
  if (r.deadline) {
    const auto deadline = [&](const std::string& t) { return parse_deadline(t, now); };
    o.deadline = {parsed("--deadline", *r.deadline, deadline), *r.deadline, true};
  }
  if (r.job_timeout) o.job_timeout = duration("--job-timeout", *r.job_timeout);
  if (r.grace) o.grace = duration("--grace", *r.grace);
  if (r.retry_delay) o.retry_delay = parsed("--retry-delay", *r.retry_delay, parse_duration);
  if (r.signal) o.signal = parsed("--signal", *r.signal, parse_termination_signal);
  if (r.jobs) o.jobs = static_cast<std::size_t>(integer("--jobs", *r.jobs, 1));
  if (r.retries) o.retries = static_cast<int>(integer("--retries", *r.retries, 0, kMaxRetries));
  if (r.retry_backoff) o.retry_backoff = backoff(*r.retry_backoff);
  o.values = key_values(r.values);
  if (r.stop_on)
    o.stop_on = choice<StopOn>("--stop-on", *r.stop_on,
                               {{"failure", StopOn::Failure},
                                {"success", StopOn::Success},
                                {"first", StopOn::First},
                                {"never", StopOn::Never}});
  if (r.keep_going) {
    if (r.stop_on && o.stop_on != StopOn::Never) throw bad_value("--stop-on", *r.stop_on, "contradicts --keep-going");
    o.stop_on = StopOn::Never;
  }
  if (r.output)
    o.output = choice<OutputMode>("--output", *r.output,
                                  {{"inherit", OutputMode::Inherit},
                                   {"prefix", OutputMode::Prefix},
                                   {"group", OutputMode::Group},
                                   {"raw", OutputMode::Raw}});
  if (r.color)
    o.color = choice<ColorMode>(
        "--color", *r.color, {{"auto", ColorMode::Auto}, {"always", ColorMode::Always}, {"never", ColorMode::Never}});
  o.foreground = r.foreground;
  o.status = r.status;
  if (r.report) o.report = file_name("--report", *r.report, "expected a file name");
  if (r.jobs_file)
    o.jobs_file = file_name("--jobs-file", *r.jobs_file, "expected a file name, or - for standard input");
  o.preserve_status = r.preserve_status;
  o.quiet = r.quiet;
  o.verbose = r.verbose;
  if (o.quiet && o.verbose) throw UsageError("--quiet and --verbose cannot be used together");

  // sh -c '' succeeds having run nothing: a blank job is a mistake (an unset variable), as a
  // blank line is no job in a jobs file.
  for (const auto& c : r.commands)
    if (c.find_first_not_of(" \t\n\r\v\f") == std::string::npos) throw bad_value("--command", c, "expected a command");
  o.commands = r.commands;
  o.names = split_names(r.names);
  check_jobs(o);
  return o;
}

}  // namespace ctxrun
