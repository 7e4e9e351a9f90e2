// job.cpp — when a command can skip the shell, and the outcome names.
#include "ctxrun/job.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace ctxrun {
namespace {

// dash's builtins and reserved words: these must run in a shell to mean what they say
// (echo and printf, for instance, differ from /usr/bin's; chdir is cd and has no program).
// The list is every word dash's `type` calls a builtin or a keyword, and fc (a builtin of
// dash built with line editing).
constexpr std::array<std::string_view, 53> kShellWords = {
    ".",     ":",      "[",      "alias",  "bg",       "break",  "cd",   "chdir",   "command", "continue", "echo",
    "eval",  "exec",   "exit",   "export", "false",    "fc",     "fg",   "getopts", "hash",    "jobs",     "kill",
    "local", "printf", "pwd",    "read",   "readonly", "return", "set",  "shift",   "test",    "times",    "trap",
    "true",  "type",   "ulimit", "umask",  "unalias",  "unset",  "wait", "!",       "{",       "}",        "case",
    "do",    "done",   "elif",   "else",   "esac",     "fi",     "for",  "if",      "then",
};
constexpr std::array<std::string_view, 3> kMoreShellWords = {"in", "until", "while"};

bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_./,:=+@%-").find(c) != std::string_view::npos;
}

// Splits words made of plain characters, '…' and "…" (without $ ` \ !), the only syntax whose
// meaning does not depend on the shell's state. Anything else: nullopt.
std::optional<std::vector<std::string>> simple_words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (plain(c)) {
      word += c;
      in_word = true;
    } else if (c == '\'' || c == '"') {
      const auto close = s.find(c, i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      const auto inner = s.substr(i + 1, close - i - 1);
      if (c == '"' && inner.find_first_of("$`\\!") != std::string_view::npos) return std::nullopt;
      word += inner;
      in_word = true;
      i = close;
    } else {
      return std::nullopt;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace

std::vector<std::string> command_argv(const std::string& command) {
  auto words = simple_words(command);
  const auto shell_word = [](std::string_view w) {
    return std::find(kShellWords.begin(), kShellWords.end(), w) != kShellWords.end() ||
           std::find(kMoreShellWords.begin(), kMoreShellWords.end(), w) != kMoreShellWords.end();
  };
  // The first word must name a program: not a builtin (quoted or not, sh would run the
  // builtin), not an assignment. A quoted keyword ('if') is a program name to sh as well.
  if (words && !words->empty() && !shell_word(words->front()) && words->front().find('=') == std::string::npos) {
    return std::move(*words);
  }
  return {"sh", "-c", command};
}

std::string command_name(std::string_view program) {
  const auto end = program.find_last_not_of('/');
  if (end == std::string_view::npos) return "1";
  const auto slash = program.find_last_of('/', end);
  const std::size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
  return std::string(program.substr(begin, end + 1 - begin));
}

std::vector<std::string> exec_argv(const JobSpec& job) {
  return job.argv.empty() ? command_argv(job.command) : job.argv;
}

std::string_view format_as(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::Pending: return "pending";
    case JobOutcome::Succeeded: return "succeeded";
    case JobOutcome::Failed: return "failed";
    case JobOutcome::TimedOut: return "timed-out";
    case JobOutcome::Terminated: return "terminated";
    case JobOutcome::Killed: return "killed";
    case JobOutcome::NotStarted: return "not-started";
  }
  return "unknown";
}

AttemptResult result_of(const Attempt& a) {
  const bool ok = a.end && a.spawn_error.empty() && succeeded(*a.end) && a.stopped_why != StopWhy::Timeout;
  if (ok) return AttemptResult::Succeeded;
  return a.stopped_why == StopWhy::Canceled ? AttemptResult::Stopped : AttemptResult::Failed;
}

JobOutcome outcome_of(const Attempt& last) {
  switch (result_of(last)) {
    case AttemptResult::Succeeded: return JobOutcome::Succeeded;
    case AttemptResult::Stopped:
      return last.stopped_how == StopHow::Killed ? JobOutcome::Killed : JobOutcome::Terminated;
    case AttemptResult::Failed: break;
  }
  return last.stopped_why == StopWhy::Timeout ? JobOutcome::TimedOut : JobOutcome::Failed;
}

}  // namespace ctxrun
