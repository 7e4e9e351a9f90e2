// cli.cpp — CLI11 reads the words of a run's command line; options.cpp gives them meaning.
#include "ctxrun/cli.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli11.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/exit_code.hpp"
#include "ctxrun/subcommands.hpp"
#include "ctxrun/version.hpp"

namespace ctxrun {
namespace {

// What --help says after the options: the exit status table comes from exit_code.cpp, the
// one the exit decision uses.
std::string footer() {
  std::string out =
      "\nJobs run in their own process groups. When the context is done (deadline, first failure,\n"
      "a signal), every running job gets --signal, then SIGKILL after --grace, and the cause is\n"
      "printed on stderr. Nothing is left running when ctxrun exits.\n\nExit status:\n";
  for (const auto& row : exit_status_table()) {
    std::string_view meaning = row.meaning;
    for (std::string_view indent = row.status;; indent = "") {
      const auto nl = meaning.find('\n');
      out += fmt::format("  {:<9}{}\n", indent, meaning.substr(0, nl));
      if (nl == std::string_view::npos) break;
      meaning.remove_prefix(nl + 1);
    }
  }
  return out +
         "\nExamples:\n"
         "  ctxrun -t 30s -- make test\n"
         "  ctxrun -c 'npm run lint' -c 'npm test' -n lint,test\n"
         "  ctxrun -j 8 -f jobs.txt --job-timeout 1m --retries 2\n"
         "See ctxrun(1) for the environment, the report schema and the details.";
}

// CLI11's formatter with ctxrun's forms of usage, and its subcommands after the options.
class Help final : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App*, std::string) const override {
    return "\nUsage: ctxrun [OPTIONS] [--] COMMAND [ARG...]\n"
           "       ctxrun [OPTIONS] -c CMD [-c CMD...]\n"
           "       ctxrun [OPTIONS] -f FILE\n"
           "       ctxrun SUBCOMMAND [ARG...]\n";
  }
  std::string make_subcommands(const CLI::App*, CLI::AppFormatMode) const override {
    std::string out = "\nSubcommands (the first word only: ctxrun -- NAME runs a command NAME):\n";
    for (const auto& s : subcommands()) out += fmt::format("  {:<{}}{}\n", s.name, get_column_width() - 2, s.help);
    return out;
  }
};

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

// A valued option's text, held for CLI11 until the parse is over. Then it goes to its
// RawOptions field if the option was given at all: `-t ''` is given, with an empty value.
struct Slot {
  std::string text;
  const CLI::Option* option = nullptr;
  std::optional<std::string>* field = nullptr;
};

// The options, registered on `app`: valued ones through `slots`, the rest straight into `r`.
void define(CLI::App& app, std::deque<Slot>& slots, RawOptions& r) {
  // An option with one value: the last one given counts.
  const auto valued = [&](const char* names, std::optional<std::string>& field, const char* help, const char* type) {
    Slot& slot = slots.emplace_back();  // a deque: the text stays where CLI11 holds it
    slot.field = &field;
    slot.option =
        app.add_option(names, slot.text, help)->type_name(type)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  // A pair of flags setting one tristate: each one's callback runs as CLI11 reads it
  // (trigger_on_parse), so the last of the pair on the command line wins. The value is read
  // as CLI11 reads a bool flag's: `--status=false` means what `--no-status` does, and
  // `--status=maybe` is refused.
  const auto pair = [&](const char* on, const char* off, Tristate& state, const char* help_on, const char* help_off) {
    const auto flag = [&](const char* name, Tristate yes, Tristate no, const char* help) {
      const auto set = [&state, yes, no](const CLI::results_t& results) {
        bool value = false;
        if (results.empty() || !CLI::detail::lexical_cast(results.back(), value)) return false;
        state = value ? yes : no;
        return true;
      };
      app.add_option(name, set, help)
          ->expected(0)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
          ->trigger_on_parse();
    };
    flag(on, Tristate::On, Tristate::Off, help_on);
    flag(off, Tristate::Off, Tristate::On, help_off);
  };
  valued("-t,--timeout", r.timeout, "Deadline relative to now (300ms, 1.5s, 2h45m, 90); 0: none", "DUR");
  valued("-d,--deadline", r.deadline, "Absolute deadline: RFC 3339, @UNIXSECONDS, or HH:MM[:SS]", "TIME");
  app.add_option("-e,--value", r.values, "KEY=VALUE given to every job as an environment variable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("-c,--command", r.commands, "A job, run as sh -c CMD (repeatable)")
      ->type_name("CMD")
      ->allow_extra_args(false);
  app.add_option("-n,--names", r.names, "Names for the jobs, in order: a,b,c (default 1, 2, ...)")
      ->type_name("NAMES")
      ->allow_extra_args(false);
  valued("-f,--jobs-file", r.jobs_file, "Jobs one a line ('-': stdin); blank and # lines skipped", "FILE");
  valued("-j,--jobs", r.jobs, "At most N jobs at once (default: every -c job; cores for -f)", "N");
  valued("--stop-on", r.stop_on, "failure (default), success, first, or never", "WHEN");
  app.add_flag("--keep-going", r.keep_going, "Same as --stop-on never");
  valued("--job-timeout", r.job_timeout, "Each job attempt's own deadline", "DUR");
  valued("--retries", r.retries, "Run a failed job up to N more times", "N");
  valued("--retry-delay", r.retry_delay, "Delay before the first retry (default 0s)", "DUR");
  valued("--retry-backoff", r.retry_backoff, "Factor by which each further delay grows (default 2)", "F");
  valued("-s,--signal", r.signal, "First signal of the termination sequence (default TERM)", "SIG");
  valued("-g,-k,--grace,--kill-after", r.grace, "Time from the first signal to SIGKILL (default 5s)", "DUR");
  app.add_flag("--preserve-status", r.preserve_status, "On deadline, exit with the job's own status");
  pair("--foreground", "--no-foreground", r.foreground,
       "One command: give it the terminal (default: when stdin is one)", "One command: never give it the terminal");
  valued("--output", r.output, "inherit, prefix, group, or raw (see ctxrun(1))", "MODE");
  valued("--color", r.color, "auto (default), always, or never", "WHEN");
  pair("--status", "--no-status", r.status, "Live status line on stderr (default: several jobs, on a TTY)",
       "No status line");
  valued("--report", r.report, "Write a JSON report of the run to FILE", "FILE");
  app.add_flag("-q,--quiet", r.quiet, "No cause line when everything succeeded");
  app.add_flag("-v,--verbose", r.verbose, "Print each start, end and signal sent");
}

}  // namespace

RawOptions read_command_line(int argc, const char* const* argv) {
  CLI::App app{"ctxrun runs commands under a context: a deadline, a cancellation tree and values.", "ctxrun"};
  app.formatter(std::make_shared<Help>());
  app.prefix_command();
  app.footer(footer());
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.set_version_flag("-V,--version", std::string("ctxrun ") + kVersion);
  app.get_formatter()->column_width(34);

  RawOptions r;
  std::deque<Slot> slots;
  define(app, slots, r);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    throw HelpRequested{app.help()};
  } catch (const CLI::CallForVersion& e) {
    throw HelpRequested{std::string(e.what()) + "\n"};
  } catch (const CLI::ParseError& e) {
    throw from_cli11(e);
  }

  for (int i = 0; i < argc; ++i) r.args.emplace_back(argv[i]);
  r.command = app.remaining();
  if (!r.command.empty() && r.command.front() == "--") {
    r.command.erase(r.command.begin());
  } else if (!r.command.empty() && r.command.front().size() > 1 && r.command.front().front() == '-') {
    // In prefix mode CLI11 hands an unknown option over as the command; a typo must not run.
    if (const auto option = meant(app, r.command.front()))
      throw UsageError(fmt::format("unknown option {:?} (did you mean {}?)", r.command.front(), *option));
    throw UsageError(
        fmt::format("unknown option {:?} (put -- before a command that starts with '-')", r.command.front()));
  }
  for (const auto& slot : slots)
    if (slot.option->count() > 0) *slot.field = slot.text;
  return r;
}

Options parse_command_line(int argc, const char* const* argv, WallTime now) {
  return validate(read_command_line(argc, argv), now);
}

}  // namespace ctxrun
