// cli.cpp — CLI11 reads the words; our parsers give them meaning and name the flag on error.
#include "ctxrun/cli.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/signal_name.hpp"
#include "ctxrun/version.hpp"

namespace ctxrun {
namespace {

constexpr const char* kFooter = R"(
Jobs run in their own process groups. When the context is done (deadline, first failure,
a signal), every running job gets --signal, then SIGKILL after --grace, and the cause is
printed on stderr. Nothing is left running when ctxrun exits.

Exit status:
  0        every job succeeded (or --stop-on success/first and the winner succeeded)
  124      a deadline was exceeded (--timeout, --deadline, --job-timeout, or inherited)
  125      ctxrun itself failed: bad usage or value, unreadable jobs file, unwritable
           report, an inherited CTXRUN_* variable that does not parse
  126      one command: found but not executable
  127      one command: not found
  128+N    ctxrun was stopped by signal N (it dies by that signal after cleanup)
  other    the status of the job whose failure ended the run (128+N if killed by signal N)

Examples:
  ctxrun -t 30s -- make test
  ctxrun -c 'npm run lint' -c 'npm test' -n lint,test
  ctxrun -j 8 -f jobs.txt --job-timeout 1m --retries 2
See ctxrun(1) for the environment, the report schema and the details.)";

// CLI11's formatter with ctxrun's three forms of usage.
class Help final : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "\nUsage: ctxrun [OPTIONS] [--] COMMAND [ARG...]\n"
           "       ctxrun [OPTIONS] -c CMD [-c CMD...]\n"
           "       ctxrun [OPTIONS] -f FILE\n";
  }
};

// One line naming the flag, from whatever CLI11 complains about.
UsageError from_cli11(const CLI::ParseError& e) {
  std::string what = e.what();
  if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
  return UsageError(what);
}

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

// A valued option as CLI11 saw it: its last value, and whether it was given at all. `-t ''`
// is given, with an empty value that its parser refuses; it is never the same as no -t.
struct Valued {
  std::string text;
  const CLI::Option* option = nullptr;
  bool given() const { return option->count() > 0; }
};

template <class T>
Given<T> given(T value, const Valued& v) {
  return {std::move(value), v.text, true};
}

// Registered flags, as strings; validated after CLI11 is done.
struct Raw {
  Valued timeout, deadline, job_timeout, retry_delay, retry_backoff, grace, signal;
  Valued jobs, retries, stop_on, output, color, report, jobs_file;
  std::vector<std::string> values, commands, names;
  bool keep_going = false, preserve_status = false, quiet = false, verbose = false;
  bool foreground = false, no_foreground = false, status = false, no_status = false;
};

void validate_names(const std::vector<std::string>& names) {
  std::set<std::string_view> seen;
  for (const auto& n : names) {
    if (n.empty()) throw bad_value("--names", n, "a name cannot be empty");
    for (unsigned char c : n)
      if (c < 0x20 || c == 0x7f || c == '/')
        throw bad_value("--names", n, "a name cannot contain '/' or control characters");
    if (!seen.insert(n).second) throw bad_value("--names", n, "two jobs cannot have the same name");
  }
}

// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`: the optimal string
// alignment distance, so a swapped pair (`tiemout`) costs one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// The long option a misspelt `--word[=value]` was meant to be: the one nearest to it, if it is
// within two edits and no other is as near.
std::optional<std::string> meant(const CLI::App& app, std::string_view word) {
  if (word.size() < 3 || word.substr(0, 2) != "--") return std::nullopt;
  word.remove_prefix(2);
  word = word.substr(0, word.find('='));
  std::optional<std::string> best;
  std::size_t best_distance = 3;
  bool tie = false;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) {
      const std::size_t d = edit_distance(word, name);
      if (d < best_distance) {
        best = "--" + name;
        best_distance = d;
        tie = false;
      } else if (d == best_distance) {
        tie = true;
      }
    }
  }
  return tie ? std::nullopt : best;
}

}  // namespace

Options parse_command_line(int argc, const char* const* argv, WallTime now) {
  CLI::App app{"ctxrun runs commands under a context: a deadline, a cancellation tree and values.", "ctxrun"};
  app.formatter(std::make_shared<Help>());
  app.prefix_command();
  app.footer(kFooter);
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.set_version_flag("-V,--version", std::string("ctxrun ") + kVersion);
  app.get_formatter()->column_width(34);

  Raw r;
  // An option with one value: the last one given counts.
  const auto valued = [&](const char* names, Valued& v, const char* help, const char* type) {
    v.option = app.add_option(names, v.text, help)
                   ->type_name(type)
                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  valued("-t,--timeout", r.timeout, "Deadline relative to now (300ms, 1.5s, 2h45m, 90); 0: none", "DUR");
  valued("-d,--deadline", r.deadline, "Absolute deadline: RFC 3339, @UNIXSECONDS, or HH:MM[:SS]", "TIME");
  app.add_option("-e,--value", r.values, "KEY=VALUE given to every job as an environment variable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("-c,--command", r.commands, "A job, run as sh -c CMD (repeatable)")->type_name("CMD")->allow_extra_args(false);
  app.add_option("-n,--names", r.names, "Names for the jobs, in order: a,b,c (default 1, 2, ...)")
      ->type_name("NAMES")
      ->allow_extra_args(false);
  valued("-f,--jobs-file", r.jobs_file, "Jobs one a line ('-': stdin); blank and # lines skipped", "FILE");
  valued("-j,--jobs", r.jobs, "At most N jobs at once (default: every -c job; cores for -f)", "N");
  valued("--stop-on", r.stop_on, "failure (default), success, first, or never", "WHEN");
  app.add_flag("-k,--keep-going", r.keep_going, "Same as --stop-on never");
  valued("--job-timeout", r.job_timeout, "Each job attempt's own deadline", "DUR");
  valued("--retries", r.retries, "Run a failed job up to N more times", "N");
  valued("--retry-delay", r.retry_delay, "Delay before the first retry (default 0s)", "DUR");
  valued("--retry-backoff", r.retry_backoff, "Factor by which each further delay grows (default 2)", "F");
  valued("-s,--signal", r.signal, "First signal of the termination sequence (default TERM)", "SIG");
  valued("-g,--grace,--kill-after", r.grace, "Time from the first signal to SIGKILL (default 5s)", "DUR");
  app.add_flag("--preserve-status", r.preserve_status, "On deadline, exit with the job's own status");
  app.add_flag("--foreground", r.foreground, "One command: give it the terminal (default: when stdin is one)");
  app.add_flag("--no-foreground", r.no_foreground, "One command: never give it the terminal");
  valued("--output", r.output, "inherit, prefix, group, or raw (see ctxrun(1))", "MODE");
  valued("--color", r.color, "auto (default), always, or never", "WHEN");
  app.add_flag("--status", r.status, "Live status line on stderr (default: several jobs, on a TTY)");
  app.add_flag("--no-status", r.no_status, "No status line");
  valued("--report", r.report, "Write a JSON report of the run to FILE", "FILE");
  app.add_flag("-q,--quiet", r.quiet, "No cause line when everything succeeded");
  app.add_flag("-v,--verbose", r.verbose, "Print each start, end and signal sent");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    throw HelpRequested{app.help()};
  } catch (const CLI::CallForVersion& e) {
    throw HelpRequested{std::string(e.what()) + "\n"};
  } catch (const CLI::ParseError& e) {
    throw from_cli11(e);
  }

  Options o;
  for (int i = 0; i < argc; ++i) o.args.emplace_back(argv[i]);
  o.command = app.remaining();
  if (!o.command.empty() && o.command.front() == "--") {
    o.command.erase(o.command.begin());
  } else if (!o.command.empty() && o.command.front().size() > 1 && o.command.front().front() == '-') {
    // In prefix mode CLI11 hands an unknown option over as the command; a typo must not run.
    if (const auto option = meant(app, o.command.front()))
      throw UsageError(fmt::format("unknown option {:?} (did you mean {}?)", o.command.front(), *option));
    throw UsageError(fmt::format("unknown option {:?} (put -- before a command that starts with '-')",
                                 o.command.front()));
  }

  const auto duration = [](const char* flag, const Valued& v) {
    return given(parsed(flag, v.text, parse_duration), v);
  };
  if (r.timeout.given()) o.timeout = duration("--timeout", r.timeout);
  if (r.deadline.given()) {
    const auto deadline = [&](const std::string& t) { return parse_deadline(t, now); };
    o.deadline = given(parsed("--deadline", r.deadline.text, deadline), r.deadline);
  }
  if (r.job_timeout.given()) o.job_timeout = duration("--job-timeout", r.job_timeout);
  if (r.grace.given()) o.grace = duration("--grace", r.grace);
  if (r.retry_delay.given()) o.retry_delay = parsed("--retry-delay", r.retry_delay.text, parse_duration);
  if (r.signal.given()) o.signal = parsed("--signal", r.signal.text, parse_termination_signal);
  if (r.jobs.given()) o.jobs = static_cast<std::size_t>(integer("--jobs", r.jobs.text, 1));
  if (r.retries.given()) o.retries = static_cast<int>(integer("--retries", r.retries.text, 0, kMaxRetries));
  if (r.retry_backoff.given()) {
    const std::string& text = r.retry_backoff.text;
    double f = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
    if (ec != std::errc() || end != text.data() + text.size())
      throw bad_value("--retry-backoff", text, "expected a number, as in 2 or 1.5");
    if (!(f >= 1.0 && f <= 1000.0)) throw bad_value("--retry-backoff", text, "must be between 1 and 1000");
    o.retry_backoff = f;
  }
  for (const auto& kv : r.values) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw bad_value("--value", kv, "expected KEY=VALUE");
    const std::string key = kv.substr(0, eq);
    if (!valid_value_key(key))
      throw bad_value("--value", kv, "KEY must be a variable name ([A-Za-z_][A-Za-z0-9_]*, not CTXRUN_*)");
    o.values.emplace_back(key, kv.substr(eq + 1));
  }
  if (r.stop_on.given())
    o.stop_on = choice<StopOn>("--stop-on", r.stop_on.text,
                       {{"failure", StopOn::Failure}, {"success", StopOn::Success}, {"first", StopOn::First},
                        {"never", StopOn::Never}});
  if (r.keep_going) {
    if (r.stop_on.given() && o.stop_on != StopOn::Never)
      throw bad_value("--stop-on", r.stop_on.text, "contradicts --keep-going");
    o.stop_on = StopOn::Never;
  }
  if (r.output.given())
    o.output = choice<OutputMode>("--output", r.output.text,
                      {{"inherit", OutputMode::Inherit}, {"prefix", OutputMode::Prefix},
                       {"group", OutputMode::Group}, {"raw", OutputMode::Raw}});
  if (r.color.given())
    o.color = choice<ColorMode>("--color", r.color.text,
                     {{"auto", ColorMode::Auto}, {"always", ColorMode::Always}, {"never", ColorMode::Never}});
  // The last of a pair wins, as for every other repeated option.
  const int options_end = argc - static_cast<int>(app.remaining().size());  // the command's words are its own
  const auto tristate = [&](const char* on, const char* off) {
    const auto last = [&](const char* flag) {
      for (int i = options_end - 1; i > 0; --i)
        if (std::string_view(argv[i]) == flag) return i;
      return 0;
    };
    const int i_on = last(on), i_off = last(off);
    return i_on == 0 && i_off == 0 ? Tristate::Auto : i_on > i_off ? Tristate::On : Tristate::Off;
  };
  o.foreground = tristate("--foreground", "--no-foreground");
  o.status = tristate("--status", "--no-status");
  if (r.report.given()) o.report = file_name("--report", r.report.text, "expected a file name");
  if (r.jobs_file.given())
    o.jobs_file = file_name("--jobs-file", r.jobs_file.text, "expected a file name, or - for standard input");
  o.preserve_status = r.preserve_status;
  o.quiet = r.quiet;
  o.verbose = r.verbose;
  if (o.quiet && o.verbose) throw UsageError("--quiet and --verbose cannot be used together");

  // sh -c '' succeeds having run nothing: a blank job is a mistake (an unset variable), as a
  // blank line is no job in a jobs file.
  for (const auto& c : r.commands)
    if (c.find_first_not_of(" \t\n\r\v\f") == std::string::npos) throw bad_value("--command", c, "expected a command");
  o.commands = r.commands;
  for (const auto& n : r.names) {
    for (std::size_t start = 0;;) {
      const auto comma = n.find(',', start);
      o.names.push_back(n.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  validate_names(o.names);

  const bool has_jobs = !o.commands.empty() || o.jobs_file;
  if (!o.commands.empty() && o.jobs_file)
    throw UsageError("-c and -f cannot be used together: put every job in the file, or use -c for each");
  if (has_jobs && !o.command.empty())
    throw UsageError(fmt::format("unexpected {:?}: a command cannot follow -c or -f (quote it as another -c)",
                                 o.command.front()));
  if (!has_jobs && o.command.empty())
    throw UsageError("no command given (ctxrun [OPTIONS] [--] COMMAND [ARG...], -c CMD, or -f FILE; see --help)");
  if (!o.commands.empty() && o.names.size() > o.commands.size())
    throw bad_value("--names", o.names[o.commands.size()], fmt::format("more names than the {} -c jobs", o.commands.size()));
  if (!o.command.empty() && o.names.size() > 1)
    throw bad_value("--names", o.names[1], "one command has one name");
  return o;
}

}  // namespace ctxrun
