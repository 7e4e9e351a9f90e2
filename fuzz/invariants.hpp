// invariants.hpp — what must hold for any input to ctxrun's parsers of outside input.
// The fuzz targets check these on every input they make up; tests/fuzz_regressions_test.cpp
// checks them on the inputs that once broke them. Each check returns an empty string when
// everything holds, else one sentence naming the broken invariant and the values involved.
#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ctxrun/cli.hpp"
#include "ctxrun/duration.hpp"
#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/job.hpp"
#include "ctxrun/jobs_file.hpp"
#include "ctxrun/line_splitter.hpp"
#include "ctxrun/signal_name.hpp"

namespace ctxrun::fuzz {

// ---- durations -----------------------------------------------------------------------------

/// How far format_duration(d) may be from d, d >= 0: three digits below a second, tenths
/// below a minute, whole seconds below an hour, then only the two largest units (`1h5m`,
/// `3d2h`), each after rounding to the second.
inline Duration format_tolerance(Duration d) {
  using namespace std::chrono_literals;
  const std::int64_t ns = d.count();
  if (ns < 999'500'000) return Duration(ns / 200 + 1);
  if (ns < 59'950'000'000) return 50ms;
  // Rounded to the second without adding to ns, which may be the largest int64.
  const std::int64_t s = ns / 1'000'000'000 + (ns % 1'000'000'000 >= 500'000'000 ? 1 : 0);
  if (s < 3600) return 500ms;
  if (s < 86400) return 59s + 500ms;
  return 59min + 59s + 500ms;
}

/// For any d >= 0: format_duration says "0s" only for zero, and what it says reads back
/// within format_tolerance; format_seconds (CTXRUN_BUDGET's form) reads back exactly.
inline std::string formatted_duration_problem(Duration d) {
  if (d < Duration::zero()) return fmt::format("negative duration {}ns", d.count());
  const std::string shown = format_duration(d);
  if ((shown == "0s") != (d == Duration::zero())) return fmt::format("format_duration({}ns) = {:?}", d.count(), shown);
  Duration back{};
  try {
    back = parse_duration(shown);
  } catch (const ParseError& e) {
    return fmt::format("format_duration({}ns) = {:?}, which does not parse: {}", d.count(), shown, e.what());
  }
  const Duration off = back > d ? back - d : d - back;
  if (off > format_tolerance(d))
    return fmt::format("format_duration({}ns) = {:?} reads back as {}ns, {}ns off (at most {}ns)", d.count(), shown,
                       back.count(), off.count(), format_tolerance(d).count());
  const std::string seconds = format_seconds(d);
  try {
    if (parse_duration(seconds) != d)
      return fmt::format("format_seconds({}ns) = {:?} reads back as {}ns", d.count(), seconds,
                         parse_duration(seconds).count());
  } catch (const ParseError& e) {
    return fmt::format("format_seconds({}ns) = {:?}, which does not parse: {}", d.count(), seconds, e.what());
  }
  return {};
}

/// parse_duration: never negative, never "none" for a text with a non-zero digit, and its
/// value survives both formatters.
inline std::string duration_problem(std::string_view text) {
  Duration d{};
  try {
    d = parse_duration(text);
  } catch (const ParseError&) {
    return {};
  }
  if (d < Duration::zero()) return fmt::format("parse_duration({:?}) = {}ns, negative", text, d.count());
  const bool nonzero_digit = std::any_of(text.begin(), text.end(), [](char c) { return c >= '1' && c <= '9'; });
  if (nonzero_digit && d == Duration::zero()) return fmt::format("parse_duration({:?}) = 0, \"none\"", text);
  if (auto problem = formatted_duration_problem(d); !problem.empty())
    return fmt::format("parse_duration({:?}): {}", text, problem);
  return {};
}

// ---- deadlines -----------------------------------------------------------------------------

/// A fixed "now" for the HH:MM form: 2025-12-01T12:00:00Z.
inline const WallTime kFuzzNow{std::chrono::seconds(1'764'590'400)};

namespace detail {

inline bool digit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds from up to 9 fraction digits (more are dropped, as the parser does).
inline std::int64_t fraction_ns(std::string_view digits) {
  std::int64_t ns = 0;
  for (std::size_t i = 0; i < 9; ++i) ns = ns * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  return ns;
}

inline std::string strip_leading_zeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return std::string(s.empty() ? "0" : s);
}

// RFC 3339 fields of a text parse_deadline accepted as RFC 3339.
inline std::string rfc3339_problem(std::string_view text, WallTime w, WallTime now) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM), lengths fixed up to the fraction.
  std::size_t zone = 19;
  std::string_view frac;
  if (zone < text.size() && text[zone] == '.') {
    const std::size_t start = ++zone;
    while (zone < text.size() && digit(text[zone])) ++zone;
    frac = text.substr(start, zone - start);
  }
  if (zone >= text.size()) return fmt::format("parse_deadline({:?}) accepted a time without a zone", text);
  const auto sub_second = w - floor<seconds>(w);
  if (sub_second != nanoseconds(fraction_ns(frac)))
    return fmt::format("parse_deadline({:?}) has {}ns past the second", text, sub_second.count());
  if (text[zone] == 'Z' || text[zone] == 'z') {
    // In UTC the printed fields are the given ones.
    std::string given(text.substr(0, 19));
    given[10] = 'T';
    const std::string shown = format_rfc3339(w);
    if (shown.compare(0, 19, given) != 0) return fmt::format("parse_deadline({:?}) prints as {:?}", text, shown);
    return {};
  }
  // An offset moves the instant by exactly that much from the same fields in UTC.
  const int sign = text[zone] == '-' ? -1 : 1;
  const int offset_min = sign * (((text[zone + 1] - '0') * 10 + (text[zone + 2] - '0')) * 60 +
                                 (text[zone + 4] - '0') * 10 + (text[zone + 5] - '0'));
  WallTime utc{};
  try {
    utc = parse_deadline(std::string(text.substr(0, zone)) + "Z", now);
  } catch (const ParseError&) {
    return {};  // the same fields in UTC may fall outside the range an offset brought them into
  }
  if (utc - w != minutes(offset_min))
    return fmt::format("parse_deadline({:?}) is {}ns from the same time in UTC, not {} minutes", text,
                       (utc - w).count(), offset_min);
  return {};
}

}  // namespace detail

/// parse_deadline: each form means what it says, and format_rfc3339 (the report's form) and
/// format_unix (CTXRUN_DEADLINE's form) read back. The HH:MM check compares local fields, so
/// it holds in a zone without a DST gap at that time (the fuzz target runs in UTC).
inline std::string deadline_problem(std::string_view text, WallTime now) {
  using namespace std::chrono;
  WallTime w{};
  try {
    w = parse_deadline(text, now);
  } catch (const ParseError&) {
    return {};
  }
  // Nanoseconds since 1970 in 64 bits span 1677 to 2262: an RFC 3339 time outside is held at
  // the end of the clock on its side (far future stays far, past stays past), never wrapped.
  if ((w == WallTime::max() || w == WallTime::min()) && text.front() != '@' && text.size() >= 4) {
    const int year = std::atoi(std::string(text.substr(0, 4)).c_str());
    if (w == WallTime::max() ? year >= 2262 : year <= 1677) return {};
    return fmt::format("parse_deadline({:?}) is held at the {} end of the clock", text,
                       w == WallTime::max() ? "far" : "near");
  }
  // The report's form, to the millisecond.
  const std::string shown = format_rfc3339(w);
  try {
    const WallTime back = parse_deadline(shown, now);
    if (back != floor<milliseconds>(w))
      return fmt::format("parse_deadline({:?}) = {:?}, which reads back {}ns off", text, shown, (back - w).count());
  } catch (const ParseError& e) {
    return fmt::format("parse_deadline({:?}) = {:?}, which does not parse: {}", text, shown, e.what());
  }
  if (text.front() == '@') {
    // Unix seconds: exactly the digits given, up to the 9th decimal, and format_unix gives
    // them back.
    const std::string unix_text = format_unix(w);
    const std::string_view digits = text.substr(1);
    const auto dot = digits.find('.');
    std::string frac(dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1, 9));
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    const std::string expected = detail::strip_leading_zeros(digits.substr(0, dot)) + (frac.empty() ? "" : "." + frac);
    if (unix_text != expected) return fmt::format("parse_deadline({:?}) is {:?} in Unix seconds", text, unix_text);
    try {
      if (parse_deadline("@" + unix_text, now) != w)
        return fmt::format("format_unix of parse_deadline({:?}) = {:?} reads back differently", text, unix_text);
    } catch (const ParseError& e) {
      return fmt::format("format_unix of parse_deadline({:?}) = {:?}, which does not parse: {}", text, unix_text,
                         e.what());
    }
    return {};
  }
  if (text.size() >= 5 && text[2] == ':') {
    // HH:MM[:SS]: the next such local time, strictly after now, at most a day (and a DST
    // hour) ahead, on a whole second.
    if (w <= now || w - now > hours(25))
      return fmt::format("parse_deadline({:?}) is {}s from now", text, duration_cast<seconds>(w - now).count());
    if (w != floor<seconds>(w)) return fmt::format("parse_deadline({:?}) is not on a whole second", text);
    const std::time_t t = system_clock::to_time_t(time_point_cast<system_clock::duration>(w));
    std::tm tm{};
    localtime_r(&t, &tm);
    const int h = (text[0] - '0') * 10 + (text[1] - '0'), mi = (text[3] - '0') * 10 + (text[4] - '0');
    const int sec = text.size() > 5 ? (text[6] - '0') * 10 + (text[7] - '0') : 0;
    if (tm.tm_hour != h || tm.tm_min != mi || tm.tm_sec != sec)
      return fmt::format("parse_deadline({:?}) is {:02}:{:02}:{:02} local time", text, tm.tm_hour, tm.tm_min,
                         tm.tm_sec);
    return {};
  }
  return detail::rfc3339_problem(text, w, now);
}

// ---- signals -------------------------------------------------------------------------------

/// signal_name of any int: `SIG…`, which parse_signal reads back, or `signal N`.
inline std::string signal_name_problem(int sig) {
  const std::string name = signal_name(sig);
  if (name.rfind("SIG", 0) != 0) {
    if (name != fmt::format("signal {}", sig)) return fmt::format("signal_name({}) = {:?}", sig, name);
    return {};
  }
  for (const std::string& text : {name, name.substr(3)}) {
    try {
      if (parse_signal(text) != sig)
        return fmt::format("signal_name({}) = {:?}, which parses as {}", sig, text, parse_signal(text));
    } catch (const ParseError& e) {
      return fmt::format("signal_name({}) = {:?}, which does not parse: {}", sig, text, e.what());
    }
  }
  return {};
}

/// parse_signal: a real signal number, whatever the case or the `SIG` prefix, that its number
/// and its name read back to.
inline std::string signal_problem(std::string_view text) {
  int sig = 0;
  try {
    sig = parse_signal(text);
  } catch (const ParseError&) {
    return {};
  }
  if (sig < 1 || sig > SIGRTMAX) return fmt::format("parse_signal({:?}) = {}", text, sig);
  std::string lower(text);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  try {
    if (parse_signal(lower) != sig || parse_signal(std::to_string(sig)) != sig)
      return fmt::format("parse_signal({:?}) = {}, but {:?} or {:?} differs", text, sig, lower, std::to_string(sig));
  } catch (const ParseError& e) {
    return fmt::format("parse_signal({:?}) = {}, but its lowercase or number fails: {}", text, sig, e.what());
  }
  if (auto problem = signal_name_problem(sig); !problem.empty())
    return fmt::format("parse_signal({:?}): {}", text, problem);
  return {};
}

// ---- jobs file and commands ----------------------------------------------------------------

namespace detail {

// What sh does not treat specially outside quotes (and command_argv may exec directly).
inline bool plain_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_./,:=+@%-").find(c) != std::string_view::npos;
}

// dash's builtins and reserved words: sh would not exec a program by these names.
inline bool shell_word(std::string_view w) {
  static constexpr std::array<std::string_view, 56> kWords = {
      ".",    ":",     "[",     "alias",  "bg",     "break",  "cd",       "chdir",   "command", "continue",
      "echo", "eval",  "exec",  "exit",   "export", "false",  "fc",       "fg",      "getopts", "hash",
      "jobs", "kill",  "local", "printf", "pwd",    "read",   "readonly", "return",  "set",     "shift",
      "test", "times", "trap",  "true",   "type",   "ulimit", "umask",    "unalias", "unset",   "wait",
      "!",    "{",     "}",     "case",   "do",     "done",   "elif",     "else",    "esac",    "fi",
      "for",  "if",    "then",  "in",     "until",  "while"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

// A word sh reads back as itself, or nullopt if it has no such simple spelling.
inline std::optional<std::string> quoted(const std::string& word) {
  if (word.find('\'') == std::string::npos) return "'" + word + "'";
  if (word.find_first_of("\"$`\\!") == std::string::npos) return "\"" + word + "\"";
  return std::nullopt;
}

}  // namespace detail

/// command_argv: either `sh -c` with the command as given, or words sh would make of it, the
/// first naming a program (no builtin, no assignment); quoting the words again gives the
/// same words.
inline std::string command_argv_problem(const std::string& command) {
  const std::vector<std::string> argv = command_argv(command);
  if (argv.empty()) return fmt::format("command_argv({:?}) is empty", command);
  if (argv.size() == 3 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == command) return {};
  if (detail::shell_word(argv[0]) || argv[0].find('=') != std::string::npos)
    return fmt::format("command_argv({:?}) execs {:?}, which sh would not", command, argv[0]);
  std::size_t total = 0;
  for (const auto& w : argv) total += w.size();
  if (total > command.size()) return fmt::format("command_argv({:?}) has more bytes than the command", command);
  if (command.find_first_of("'\"") == std::string::npos) {
    // No quotes: the words are the runs of plain bytes between spaces, nothing else.
    std::vector<std::string> words;
    for (std::size_t at = 0; at < command.size();) {
      const auto end = std::min(command.find(' ', at), command.size());
      if (end > at) words.emplace_back(command.substr(at, end - at));
      at = end + 1;
    }
    for (char c : command)
      if (c != ' ' && !detail::plain_byte(c))
        return fmt::format("command_argv({:?}) execs directly despite {:?}", command, std::string(1, c));
    if (words != argv) return fmt::format("command_argv({:?}) = {}", command, fmt::join(argv, " | "));
  }
  std::string again;
  for (const auto& w : argv) {
    auto q = detail::quoted(w);
    if (!q) return {};
    again += (again.empty() ? "" : " ") + *q;
  }
  if (command_argv(again) != argv)
    return fmt::format("command_argv({:?}) = [{}], but quoted again as {:?} it differs", command, fmt::join(argv, ", "),
                       again);
  return {};
}

/// parse_jobs_file: every line that is not blank and not a comment, with its number and
/// without one trailing CR (nor a byte-order mark at the start of the file), in order; a NUL
/// anywhere is an error naming its line. Each job's command passes command_argv_problem.
inline std::string jobs_file_problem(std::string_view text) {
  std::vector<JobLine> expected;
  std::optional<int> nul_line;
  int number = 0;
  std::string_view rest = text;
  if (rest.substr(0, 3) == "\xef\xbb\xbf") rest.remove_prefix(3);
  while (!rest.empty()) {
    ++number;
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (!nul_line && line.find('\0') != std::string_view::npos) nul_line = number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] != '#') expected.push_back({number, std::string(line)});
  }
  std::vector<JobLine> jobs;
  try {
    jobs = parse_jobs_file(text);
  } catch (const ParseError& e) {
    if (!nul_line) return fmt::format("parse_jobs_file refused a file without NUL: {}", e.what());
    if (std::string_view(e.what()).rfind(fmt::format("line {}: ", *nul_line), 0) != 0)
      return fmt::format("parse_jobs_file: {:?} does not name line {}, the first with a NUL", e.what(), *nul_line);
    return {};
  }
  if (nul_line) return fmt::format("parse_jobs_file accepted a NUL on line {}", *nul_line);
  if (jobs.size() != expected.size())
    return fmt::format("parse_jobs_file: {} jobs, not {}", jobs.size(), expected.size());
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].line != expected[i].line || jobs[i].command != expected[i].command)
      return fmt::format("parse_jobs_file: job {} is line {} {:?}, not line {} {:?}", i + 1, jobs[i].line,
                         jobs[i].command, expected[i].line, expected[i].command);
  for (const auto& job : jobs)
    if (auto problem = command_argv_problem(job.command); !problem.empty()) return problem;
  return {};
}

// ---- CTXRUN_* ------------------------------------------------------------------------------

using Environment = std::map<std::string, std::string, std::less<>>;

/// read_inherited: refuses with one line naming a variable that is set, or reads every
/// variable as given; what it read, handed down by job_variables, reads back the same.
/// Also checks valid_value_key and environment_without on `key`.
inline std::string env_problem(const Environment& env, const std::string& key) {
  const auto getter = [](const Environment& e) {
    return [&e](const char* name) -> const char* {
      const auto it = e.find(std::string_view(name));
      return it == e.end() ? nullptr : it->second.c_str();
    };
  };
  const auto given = [&](const char* name) {
    const auto it = env.find(std::string_view(name));
    return it == env.end() ? std::string() : it->second;
  };
  Inherited in;
  try {
    in = read_inherited(getter(env));
  } catch (const UsageError& e) {
    const std::string_view what = e.what();
    if (what.find('\n') != std::string_view::npos) return fmt::format("read_inherited: {:?} is not one line", what);
    const auto colon = what.find(':');
    const std::string name(what.substr(0, colon));
    if (colon == std::string_view::npos || name.rfind("CTXRUN_", 0) != 0 || given(name.c_str()).empty())
      return fmt::format("read_inherited: {:?} does not name a variable that is set", what);
    return {};
  }
  if (in.deadline.has_value() == given("CTXRUN_DEADLINE").empty() ||
      in.budget.has_value() == given("CTXRUN_BUDGET").empty() || in.run_id != given("CTXRUN_RUN_ID") ||
      in.path != given("CTXRUN_PATH") || in.lineage != given("CTXRUN_LINEAGE"))
    return "read_inherited: what it read differs from what was set";
  if (in.deadline && *in.deadline < WallTime{}) return "read_inherited: a deadline before 1970";
  if (in.budget && *in.budget < Duration::zero()) return "read_inherited: a negative budget";

  // Down to a job and back up: the job sees the same deadline, budget, run id and lineage.
  JobContext job;
  job.deadline = in.deadline;
  job.budget = in.budget.value_or(Duration::zero());
  job.run_id = in.run_id;
  job.path = in.path;
  job.lineage = in.lineage;
  job.job = "job";
  Environment down;
  for (auto& [name, value] : job_variables(job)) down[name] = value;
  Inherited back;
  try {
    back = read_inherited(getter(down));
  } catch (const UsageError& e) {
    return fmt::format("read_inherited refuses what job_variables handed down: {}", e.what());
  }
  const auto budget = in.deadline ? std::optional<Duration>(job.budget) : std::nullopt;
  if (back.deadline != in.deadline || back.budget != budget || back.run_id != in.run_id || back.lineage != in.lineage ||
      back.path != (in.path.empty() ? "job" : in.path + "/job"))
    return fmt::format("job_variables then read_inherited: CTXRUN_DEADLINE {:?}, CTXRUN_BUDGET {:?} changed",
                       given("CTXRUN_DEADLINE"), given("CTXRUN_BUDGET"));

  // -e KEY=VALUE: a variable name, never one of the protocol's.
  const bool name_like = !key.empty() && !detail::digit(key[0]) && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || detail::digit(c) || c == '_';
  });
  if (valid_value_key(key) != (name_like && key.rfind("CTXRUN_", 0) != 0))
    return fmt::format("valid_value_key({:?}) = {}", key, valid_value_key(key));
  // A job's environment: the base without every variable the job gets anew, in order.
  std::map<std::string, std::string, std::less<>> values;
  if (valid_value_key(key)) values[key] = "v";
  const auto drop = job_variable_names(values);
  std::vector<std::string> base_text;
  for (const auto& [name, value] : env) base_text.push_back(name + "=" + value);
  base_text.push_back(key);  // an entry without '=' is its own name
  std::vector<const char*> base;
  for (const auto& e : base_text) base.push_back(e.c_str());
  base.push_back(nullptr);
  std::vector<std::string> kept;
  for (const auto& e : base_text)
    if (std::find(drop.begin(), drop.end(), e.substr(0, e.find('='))) == drop.end()) kept.push_back(e);
  if (environment_without(base.data(), drop) != kept) return "environment_without kept the wrong entries";
  return {};
}

// ---- job output ----------------------------------------------------------------------------

struct OwnedPiece {
  std::string text;
  bool continued, newline;
  bool operator==(const OwnedPiece&) const = default;
};

/// The pieces LineSplitter makes of `bytes` fed in chunks of the given sizes (cycled; 0 means
/// one chunk for everything).
inline std::vector<OwnedPiece> split(std::string_view bytes, std::size_t max_line,
                                     const std::vector<std::size_t>& chunks) {
  LineSplitter splitter(max_line);
  std::vector<OwnedPiece> out;
  const auto keep = [&](const Piece& p) { out.push_back({std::string(p.text), p.continued, p.newline}); };
  for (std::size_t at = 0, i = 0; at < bytes.size(); ++i) {
    const std::size_t size = chunks.empty() || chunks[i % chunks.size()] == 0 ? bytes.size()
                                                                              : chunks[i % chunks.size()];
    const auto chunk = bytes.substr(at, size);
    splitter.feed(chunk, keep);
    at += chunk.size();
  }
  splitter.finish(keep);
  const std::size_t finished = out.size();
  splitter.finish(keep);  // a second finish has nothing left to give
  if (out.size() != finished) out.push_back({"(still holding after finish)", false, false});
  return out;
}

/// LineSplitter: the pieces, with a newline after those that had one, are the input; no
/// piece is longer than the limit, and one without a newline is full-size unless it is the
/// last; `continued` marks exactly the pieces after a split; and the chunking changes nothing.
inline std::string line_splitter_problem(std::string_view bytes, std::size_t max_line,
                                         const std::vector<std::size_t>& chunks) {
  const std::size_t limit = max_line ? max_line : 1;
  const auto pieces = split(bytes, max_line, chunks);
  std::string joined;
  bool after_split = false;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const auto& p = pieces[i];
    if (p.text.find('\n') != std::string::npos) return fmt::format("piece {} holds a newline", i);
    if (p.text.size() > limit) return fmt::format("piece {} has {} bytes, over the limit {}", i, p.text.size(), limit);
    if (!p.newline && i + 1 < pieces.size() && p.text.size() != limit)
      return fmt::format("piece {} was split at {} bytes, not at the limit {}", i, p.text.size(), limit);
    if (!p.newline && p.text.empty()) return fmt::format("piece {} is empty and ends no line", i);
    if (p.continued != after_split) return fmt::format("piece {}: continued = {}", i, p.continued);
    after_split = !p.newline;
    joined += p.text;
    if (p.newline) joined += '\n';
  }
  if (joined != bytes) return fmt::format("the pieces make {:?}, not the input", joined);
  if (split(bytes, max_line, {}) != pieces) return "fed whole, the input splits differently";
  if (split(bytes, max_line, {1}) != pieces) return "fed byte by byte, the input splits differently";
  return {};
}

// ---- the command line ----------------------------------------------------------------------

/// parse_command_line: HelpRequested with some text, a UsageError of one line, or Options
/// that make sense: one kind of job, values as parsed, every name usable.
inline std::string command_line_problem(const std::vector<std::string>& words, WallTime now) {
  std::vector<const char*> argv{"ctxrun"};
  for (const auto& w : words) argv.push_back(w.c_str());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(argv.size() - 1);
  Options o;
  try {
    o = parse_command_line(argc, argv.data(), now);
  } catch (const HelpRequested& h) {
    return h.text.empty() ? "HelpRequested without text" : "";
  } catch (const UsageError& e) {
    const std::string_view what = e.what();
    if (what.empty()) return "an empty UsageError";
    if (what.find('\n') != std::string_view::npos) return fmt::format("UsageError {:?} is not one line", what);
    return {};
  }
  if (o.args != std::vector<std::string>(argv.begin(), argv.end() - 1)) return "Options::args is not the command line";
  const int kinds = !o.command.empty() + !o.commands.empty() + o.jobs_file.has_value();
  if (kinds != 1) return fmt::format("{} kinds of job at once (command, -c, -f)", kinds);
  if (!o.commands.empty() && o.names.size() > o.commands.size()) return "more names than -c jobs";
  if (!o.command.empty() && o.names.size() > 1) return "more than one name for one command";
  for (std::size_t i = 0; i < o.names.size(); ++i) {
    const auto& n = o.names[i];
    if (n.empty() || std::any_of(n.begin(), n.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return u == '/' || u < 0x20 || u == 0x7f;
        }))
      return fmt::format("unusable name {:?}", n);
    if (std::find(o.names.begin(), o.names.begin() + static_cast<std::ptrdiff_t>(i), n) !=
        o.names.begin() + static_cast<std::ptrdiff_t>(i))
      return fmt::format("name {:?} twice", n);
  }
  for (const auto& [k, v] : o.values)
    if (!valid_value_key(k)) return fmt::format("value key {:?}", k);
  if (o.signal < 1 || o.signal > SIGRTMAX) return fmt::format("signal {}", o.signal);
  if (o.retries < 0 || o.retries > 1'000'000) return fmt::format("{} retries", o.retries);
  if (!(o.retry_backoff >= 1.0 && o.retry_backoff <= 1000.0)) return fmt::format("retry backoff {}", o.retry_backoff);
  if (o.quiet && o.verbose) return "--quiet and --verbose both";
  for (const auto* given : {&o.timeout, &o.job_timeout, &o.grace})
    if (*given && given->value != parse_duration(given->text))
      return fmt::format("{:?} became {}ns", given->text, given->value.count());
  if (o.retry_delay < Duration::zero()) return "a negative --retry-delay";
  if (o.deadline && o.deadline.value != parse_deadline(o.deadline.text, now))
    return fmt::format("--deadline {:?} changed", o.deadline.text);
  return {};
}

}  // namespace ctxrun::fuzz
