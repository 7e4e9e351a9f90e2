// cli_test.cpp — parse_command_line on argv arrays, with a fixed `now`.
#include <csignal>
#include <initializer_list>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/cli.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/version.hpp"

using namespace std::chrono_literals;
using Catch::Contains;
using Strings = std::vector<std::string>;

namespace {

// 2026-11-23T15:04:05Z
const ctxrun::WallTime kNow{std::chrono::seconds(1'795'446'245)};

// argv as the program gets it: argv[0] = "ctxrun", then `args`.
struct Cli {
  Strings args;
  ctxrun::Options run() const {
    std::vector<const char*> argv{"ctxrun"};
    for (const auto& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    return ctxrun::parse_command_line(static_cast<int>(argv.size() - 1), argv.data(), kNow);
  }
  std::string usage_error() const {
    try {
      run();
    } catch (const ctxrun::UsageError& e) {
      return e.what();
    }
    return "<no UsageError>";
  }
  std::string help() const {
    try {
      run();
    } catch (const ctxrun::HelpRequested& h) {
      return h.text;
    }
    return "<no HelpRequested>";
  }
};

ctxrun::Options parse(std::initializer_list<std::string> args) { return Cli{args}.run(); }

}  // namespace

TEST_CASE("cli: one command after --", "[cli]") {
  const auto o = parse({"-t", "5s", "--", "make", "test"});
  CHECK(o.command == Strings{"make", "test"});
  CHECK(o.timeout.value == 5s);
  CHECK(o.timeout.text == "5s");
  CHECK(o.args == Strings{"ctxrun", "-t", "5s", "--", "make", "test"});
}

TEST_CASE("cli: one command without --", "[cli]") {
  const auto o = parse({"--timeout", "1m30s", "sleep", "100"});
  CHECK(o.command == Strings{"sleep", "100"});
  CHECK(o.timeout.value == 90s);
}

TEST_CASE("cli: -- forces a command that starts with a dash", "[cli]") {
  CHECK(parse({"--", "-weird", "x"}).command == Strings{"-weird", "x"});
}

TEST_CASE("cli: options after the command belong to the command", "[cli]") {
  const auto o = parse({"-t", "5s", "prog", "-t", "9", "--help", "-c", "x"});
  CHECK(o.timeout.value == 5s);
  CHECK(o.command == Strings{"prog", "-t", "9", "--help", "-c", "x"});
  CHECK(o.commands.empty());
}

TEST_CASE("cli: defaults when only a command is given", "[cli]") {
  const auto o = parse({"true"});
  CHECK_FALSE(o.timeout);
  CHECK_FALSE(o.deadline);
  CHECK_FALSE(o.job_timeout);
  CHECK(o.grace.value == 5s);
  CHECK_FALSE(o.grace);
  CHECK(o.signal == SIGTERM);
  CHECK(o.stop_on == ctxrun::StopOn::Failure);
  CHECK(o.jobs == 0);
  CHECK(o.retries == 0);
  CHECK(o.retry_backoff == 2.0);
  CHECK(o.output == ctxrun::OutputMode::Auto);
  CHECK(o.color == ctxrun::ColorMode::Auto);
  CHECK(o.status == ctxrun::Tristate::Auto);
  CHECK(o.foreground == ctxrun::Tristate::Auto);
  CHECK_FALSE(o.quiet);
  CHECK_FALSE(o.verbose);
  CHECK_FALSE(o.preserve_status);
  CHECK_FALSE(o.report.has_value());
  CHECK_FALSE(o.jobs_file.has_value());
}

TEST_CASE("cli: every valued option is read", "[cli]") {
  const auto o = parse({"--deadline",
                        "@1800000000",
                        "--job-timeout",
                        "2s",
                        "--retries",
                        "3",
                        "--retry-delay",
                        "100ms",
                        "--retry-backoff",
                        "1.5",
                        "-s",
                        "INT",
                        "-g",
                        "10s",
                        "--output",
                        "group",
                        "--color",
                        "never",
                        "--report",
                        "r.json",
                        "-j",
                        "4",
                        "--stop-on",
                        "first",
                        "--preserve-status",
                        "-q",
                        "-c",
                        "a",
                        "-c",
                        "b"});
  CHECK(o.deadline.value == ctxrun::WallTime(std::chrono::seconds(1'800'000'000)));
  CHECK(o.deadline.text == "@1800000000");
  CHECK(o.job_timeout.value == 2s);
  CHECK(o.retries == 3);
  CHECK(o.retry_delay == 100ms);
  CHECK(o.retry_backoff == 1.5);
  CHECK(o.signal == SIGINT);
  CHECK(o.grace.value == 10s);
  CHECK(o.grace.text == "10s");
  CHECK(o.output == ctxrun::OutputMode::Group);
  CHECK(o.color == ctxrun::ColorMode::Never);
  CHECK(o.report == std::optional<std::string>("r.json"));
  CHECK(o.jobs == 4);
  CHECK(o.stop_on == ctxrun::StopOn::First);
  CHECK(o.preserve_status);
  CHECK(o.quiet);
  CHECK(o.commands == Strings{"a", "b"});
}

TEST_CASE("cli: --deadline HH:MM resolves against now", "[cli]") {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  const auto o = parse({"-d", "16:00", "true"});
  CHECK(o.deadline.value - kNow == std::chrono::seconds(55 * 60 + 55));
}

TEST_CASE("cli: the last of a repeated single-valued option wins", "[cli]") {
  const auto o = parse({"-t", "1s", "-t", "2s", "true"});
  CHECK(o.timeout.value == 2s);
  CHECK(o.timeout.text == "2s");
}

TEST_CASE("cli: repeated -c, -n and -e keep their order", "[cli]") {
  const auto o = parse({"-c", "one", "-e", "A=1", "-c", "two", "-n", "a,b", "-n", "c", "-c", "three", "-e", "B=x=y",
                        "-e", "A=2", "-e", "EMPTY="});
  CHECK(o.commands == Strings{"one", "two", "three"});
  CHECK(o.names == Strings{"a", "b", "c"});
  CHECK(o.values ==
        std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "x=y"}, {"A", "2"}, {"EMPTY", ""}});
}

TEST_CASE("cli: -c with a value that looks like an option", "[cli]") {
  CHECK(parse({"-c", "ls -l"}).commands == Strings{"ls -l"});
}

TEST_CASE("cli: -f reads jobs from a file or stdin", "[cli]") {
  CHECK(parse({"-f", "jobs.txt"}).jobs_file == std::optional<std::string>("jobs.txt"));
  CHECK(parse({"-f", "-"}).jobs_file == std::optional<std::string>("-"));
}

TEST_CASE("cli: --keep-going means stop-on never", "[cli]") {
  CHECK(parse({"--keep-going", "-c", "a"}).stop_on == ctxrun::StopOn::Never);
  CHECK(parse({"--keep-going", "--stop-on", "never", "-c", "a"}).stop_on == ctxrun::StopOn::Never);
}

TEST_CASE("cli: --keep-going contradicting --stop-on is an error", "[cli]") {
  const auto message = Cli{{"--keep-going", "--stop-on", "success", "-c", "a"}}.usage_error();
  CHECK_THAT(message, Contains("--stop-on") && Contains("keep-going"));
}

TEST_CASE("cli: --stop-on takes each of its values", "[cli]") {
  auto [text, value] = GENERATE(table<std::string, ctxrun::StopOn>({
      {"failure", ctxrun::StopOn::Failure},
      {"success", ctxrun::StopOn::Success},
      {"first", ctxrun::StopOn::First},
      {"never", ctxrun::StopOn::Never},
  }));
  CHECK(parse({"--stop-on", text, "-c", "a"}).stop_on == value);
}

TEST_CASE("cli: --output and --color take each of their values", "[cli]") {
  CHECK(parse({"--output", "inherit", "x"}).output == ctxrun::OutputMode::Inherit);
  CHECK(parse({"--output", "prefix", "x"}).output == ctxrun::OutputMode::Prefix);
  CHECK(parse({"--output", "raw", "x"}).output == ctxrun::OutputMode::Raw);
  CHECK(parse({"--color", "always", "x"}).color == ctxrun::ColorMode::Always);
  CHECK(parse({"--color", "auto", "x"}).color == ctxrun::ColorMode::Auto);
}

TEST_CASE("cli: -k and --kill-after are --grace, as in timeout(1)", "[cli]") {
  const auto o = parse({"--kill-after", "3s", "true"});
  CHECK(o.grace.value == 3s);
  CHECK(parse({"-k", "2", "true"}).grace.value == 2s);  // timeout -k 2: a number alone is seconds
  CHECK(parse({"-k5s", "true"}).grace.value == 5s);
  CHECK(parse({"--grace", "250ms", "true"}).grace.value == 250ms);
}

TEST_CASE("cli: --status and --foreground are tristates", "[cli]") {
  CHECK(parse({"--status", "x"}).status == ctxrun::Tristate::On);
  CHECK(parse({"--no-status", "x"}).status == ctxrun::Tristate::Off);
  CHECK(parse({"--foreground", "x"}).foreground == ctxrun::Tristate::On);
  CHECK(parse({"--no-foreground", "x"}).foreground == ctxrun::Tristate::Off);
  CHECK(parse({"--status", "--no-status", "x"}).status == ctxrun::Tristate::Off);
}

TEST_CASE("cli: --timeout 0 disables the timeout but is given", "[cli]") {
  const auto o = parse({"-t", "0", "true"});
  CHECK(o.timeout.value == ctxrun::Duration::zero());
  CHECK(o.timeout.text == "0");
}

TEST_CASE("cli: a signal number or name with SIG works", "[cli]") {
  CHECK(parse({"-s", "9", "true"}).signal == SIGKILL);
  CHECK(parse({"--signal", "SIGHUP", "true"}).signal == SIGHUP);
}

TEST_CASE("cli: --retries takes up to a million and refuses more, never cutting it", "[cli]") {
  CHECK(parse({"--retries", "1000000", "-c", "a"}).retries == ctxrun::kMaxRetries);
  const auto text = GENERATE(as<std::string>{}, "1000001", "2147483648", "99999999", "99999999999999999999");
  CAPTURE(text);
  CHECK_THAT((Cli{{"--retries", text, "-c", "a"}}.usage_error()),
             Catch::StartsWith("--retries: invalid value \"" + text + "\": ") &&
                 (Contains("at most 1000000") || Contains("too large")));
}

TEST_CASE("cli: -v is verbose", "[cli]") { CHECK(parse({"-v", "true"}).verbose); }

TEST_CASE("cli: a bad value is a usage error naming the flag and the value", "[cli]") {
  auto [args, flag, value] = GENERATE(table<Strings, std::string, std::string>({
      {{"--timeout", "1x", "true"}, "--timeout", "1x"},
      {{"--timeout=-1s", "true"}, "--timeout", "-1s"},
      {{"-t", "abc", "true"}, "--timeout", "abc"},
      {{"--deadline", "garbage", "true"}, "--deadline", "garbage"},
      {{"--deadline", "2026-02-30T00:00:00Z", "true"}, "--deadline", "2026-02-30T00:00:00Z"},
      {{"--job-timeout", "5parsecs", "-c", "a"}, "--job-timeout", "5parsecs"},
      {{"--grace", "forever", "true"}, "--grace", "forever"},
      {{"--kill-after", "forever", "true"}, "--grace", "forever"},
      {{"--retry-delay", "1y", "-c", "a"}, "--retry-delay", "1y"},
      {{"--value", "1BAD=x", "true"}, "--value", "1BAD=x"},
      {{"-e", "NOEQUALS", "true"}, "--value", "NOEQUALS"},
      {{"-e", "CTXRUN_X=1", "true"}, "--value", "CTXRUN_X=1"},
      {{"-e", "=x", "true"}, "--value", "=x"},
      {{"--jobs", "0", "-c", "a"}, "--jobs", "0"},
      {{"--jobs", "x", "-c", "a"}, "--jobs", "x"},
      {{"-j", "2.5", "-c", "a"}, "--jobs", "2.5"},
      {{"-j", "99999999999999999999999", "-c", "a"}, "--jobs", "99999999999999999999999"},
      {{"--signal", "BOGUS", "true"}, "--signal", "BOGUS"},
      {{"--signal", "0", "true"}, "--signal", "0"},
      {{"--retries=-1", "-c", "a"}, "--retries", "-1"},
      {{"--retries", "many", "-c", "a"}, "--retries", "many"},
      {{"--retry-backoff", "0.5", "-c", "a"}, "--retry-backoff", "0.5"},
      {{"--retry-backoff", "fast", "-c", "a"}, "--retry-backoff", "fast"},
      {{"--retry-backoff", "nan", "-c", "a"}, "--retry-backoff", "nan"},
      {{"--stop-on", "sometimes", "-c", "a"}, "--stop-on", "sometimes"},
      {{"--output", "fancy", "-c", "a"}, "--output", "fancy"},
      {{"--color", "maybe", "true"}, "--color", "maybe"},
      {{"-c", "a", "-c", "b", "-n", "x,y,z"}, "--names", "z"},
      {{"-c", "a", "-c", "b", "-n", "x,x"}, "--names", "x"},
      {{"-c", "a", "-n", "a/b"}, "--names", "a/b"},
      {{"-c", "a", "-c", "b", "-n", "x,"}, "--names", ""},
      {{"-n", "a,b", "true"}, "--names", "b"},
  }));
  CAPTURE(args);
  const auto message = Cli{args}.usage_error();
  CHECK_THAT(message, Contains(flag) && Contains("\"" + value + "\""));
}

// An empty value ("$UNSET") is a value, and a bad one: taken as "not given", -t '' would run
// without the deadline the caller asked for.
TEST_CASE("cli: an empty value is refused for every option, naming it", "[cli][empty]") {
  auto [args, flag, reason] = GENERATE(table<Strings, std::string, std::string>({
      {{"-t", "", "true"}, "--timeout", "expected a duration"},
      {{"-d", "", "true"}, "--deadline", "expected a time"},
      {{"--job-timeout", "", "-c", "a"}, "--job-timeout", "expected a duration"},
      {{"-g", "", "true"}, "--grace", "expected a duration"},
      {{"--kill-after", "", "true"}, "--grace", "expected a duration"},
      {{"--retry-delay", "", "-c", "a"}, "--retry-delay", "expected a duration"},
      {{"-s", "", "true"}, "--signal", "expected a signal"},
      {{"-j", "", "-c", "a"}, "--jobs", "expected a whole number"},
      {{"--retries", "", "-c", "a"}, "--retries", "expected a whole number"},
      {{"--retry-backoff", "", "-c", "a"}, "--retry-backoff", "expected a number"},
      {{"--stop-on", "", "-c", "a"}, "--stop-on", "expected one of"},
      {{"--output", "", "-c", "a"}, "--output", "expected one of"},
      {{"--color", "", "true"}, "--color", "expected one of"},
      {{"--report", "", "true"}, "--report", "expected a file name"},
      {{"-f", ""}, "--jobs-file", "expected a file name"},
      {{"-e", "", "true"}, "--value", "expected KEY=VALUE"},
      {{"-n", "", "-c", "a"}, "--names", "a name cannot be empty"},
  }));
  CAPTURE(args);
  CHECK_THAT(Cli{args}.usage_error(), Catch::StartsWith(flag + ": invalid value \"\": " + reason));
}

TEST_CASE("cli: an empty value after a good one does not undo it: it is refused", "[cli][empty]") {
  CHECK_THAT((Cli{{"-t", "1s", "-t", "", "true"}}.usage_error()), Contains("--timeout: invalid value \"\""));
  CHECK_THAT((Cli{{"--report", "r.json", "--report", "", "true"}}.usage_error()), Contains("--report"));
}

TEST_CASE("cli: an option left out is not given, and one given is, with its text", "[cli][empty]") {
  const auto none = parse({"true"});
  CHECK_FALSE(none.timeout);
  CHECK_FALSE(none.deadline);
  CHECK_FALSE(none.job_timeout);
  CHECK_FALSE(none.grace);
  const auto some = parse({"-t", "0", "-g", "1s", "true"});
  CHECK(some.timeout);
  CHECK(some.timeout.text == "0");
  CHECK(some.grace);
  CHECK(some.grace.value == 1s);
}

TEST_CASE("cli: a negative duration given as a separate word is still named", "[cli]") {
  const auto message = Cli{{"--timeout", "-1s", "true"}}.usage_error();
  CHECK_THAT(message, Contains("--timeout") || Contains("-1s"));
  CHECK(message != "<no UsageError>");
}

TEST_CASE("cli: --retries -1 as a separate word is an error", "[cli]") {
  const auto message = Cli{{"--retries", "-1", "-c", "a"}}.usage_error();
  CHECK(message != "<no UsageError>");
  CHECK_THAT(message, Contains("--retries"));
}

TEST_CASE("cli: an unknown option is a usage error naming it", "[cli]") {
  const auto text = GENERATE(as<std::string>{}, "--bogus", "-Z", "--timeot");
  const auto message = Cli{{text, "true"}}.usage_error();
  CHECK_THAT(message, Contains(text));
}

TEST_CASE("cli: a misspelt long option gets the nearest one as a hint", "[cli]") {
  auto [word, hint] = GENERATE(table<std::string, std::string>({
      {"--tiemout", "--timeout"},  // two letters swapped: one edit
      {"--timout", "--timeout"},
      {"--tiemout=5s", "--timeout"},
      {"--deadlne", "--deadline"},
      {"--job-timout", "--job-timeout"},
      {"--verbos", "--verbose"},
      {"--colour", "--color"},
      {"--retrys", "--retries"},
      {"--gracee", "--grace"},
  }));
  CAPTURE(word);
  CHECK(Cli{{word, "true"}}.usage_error() == "unknown option \"" + word + "\" (did you mean " + hint + "?)");
}

TEST_CASE("cli: an unknown option far from every long option gets no hint", "[cli]") {
  const auto word = GENERATE(as<std::string>{}, "--bogus", "--xyz", "-x", "--", "--timeoutxyz");
  CAPTURE(word);
  const auto message = Cli{{word, "true"}}.usage_error();
  if (word == "--") {
    CHECK(message == "<no UsageError>");
  } else {
    CHECK_THAT(message, !Contains("did you mean"));
  }
}

TEST_CASE("cli: -t before -- says a duration is missing", "[cli]") {
  CHECK(Cli{{"-t", "--", "sleep", "1"}}.usage_error() == "--timeout: invalid value \"--\": expected a duration");
}

TEST_CASE("cli: a missing value is a usage error naming the option", "[cli]") {
  const auto args = GENERATE(Strings{"-t"}, Strings{"--timeout"}, Strings{"-c"}, Strings{"true", "-t"});
  CAPTURE(args);
  const auto message = Cli{args}.usage_error();
  if (args.front() == "true") {
    // After the command, `-t` is the command's: no error about it.
    CHECK(message == "<no UsageError>");
  } else {
    CHECK(message != "<no UsageError>");
    CHECK_THAT(message, Contains(args.front().substr(0, 2)));
  }
}

TEST_CASE("cli: no command at all is a usage error", "[cli]") {
  CHECK_THAT((Cli{{}}.usage_error()), Contains("no command"));
  CHECK_THAT((Cli{{"-t", "5s"}}.usage_error()), Contains("no command"));
  CHECK_THAT((Cli{{"--"}}.usage_error()), Contains("no command"));
}

TEST_CASE("cli: -c with a positional command is a usage error", "[cli]") {
  CHECK_THAT((Cli{{"-c", "a", "make"}}.usage_error()), Contains("make"));
  CHECK_THAT((Cli{{"-f", "jobs", "--", "make"}}.usage_error()), Contains("make"));
}

TEST_CASE("cli: an empty or blank -c command is refused, naming --command", "[cli]") {
  const auto command = GENERATE(as<std::string>{}, "", " ", "\t \n");
  const auto message = Cli{{"-c", "true", "-c", command}}.usage_error();
  CHECK_THAT(message, Catch::StartsWith("--command: invalid value ") && Contains("expected a command"));
}

TEST_CASE("cli: -c with -f is a usage error", "[cli]") {
  CHECK_THAT((Cli{{"-c", "a", "-f", "jobs"}}.usage_error()), Contains("-c") && Contains("-f"));
}

TEST_CASE("cli: -q with -v is a usage error", "[cli]") {
  CHECK_THAT((Cli{{"-q", "-v", "true"}}.usage_error()), Contains("--quiet") && Contains("--verbose"));
}

TEST_CASE("cli: one command takes one name", "[cli]") {
  CHECK(parse({"-n", "build", "make"}).names == Strings{"build"});
}

TEST_CASE("cli: fewer names than jobs is fine", "[cli]") {
  CHECK(parse({"-n", "x", "-c", "a", "-c", "b"}).names == Strings{"x"});
}

TEST_CASE("cli: --help gives the usage with the exit status table", "[cli]") {
  const auto text = GENERATE(as<std::string>{}, "--help", "-h");
  const auto help = Cli{{text}}.help();
  CHECK_THAT(help, Contains("Exit status") && Contains("124") && Contains("--timeout") && Contains("Usage"));
}

TEST_CASE("cli: --help wins over other errors before it", "[cli]") {
  CHECK_THAT((Cli{{"-c", "a", "--help"}}.help()), Contains("Exit status"));
}

TEST_CASE("cli: --version gives the version", "[cli]") {
  const auto text = GENERATE(as<std::string>{}, "--version", "-V");
  const auto version = Cli{{text}}.help();
  CHECK_THAT(version, Contains(ctxrun::kVersion) && Contains("ctxrun"));
}

TEST_CASE("cli: a usage error is one line", "[cli]") {
  const auto args = GENERATE(Strings{"--bogus", "x"}, Strings{"-t"}, Strings{"-t", "1x", "x"}, Strings{});
  const auto message = Cli{args}.usage_error();
  CAPTURE(args);
  CHECK(message.find('\n') == std::string::npos);
  CHECK_FALSE(message.empty());
}
