// job_test.cpp — when a -c/-f command may skip the shell, and the outcome names.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/job.hpp"

using Words = std::vector<std::string>;

namespace {
Words via_shell(const std::string& command) { return {"sh", "-c", command}; }
}  // namespace

TEST_CASE("job: plain words are exec'd directly", "[job]") {
  auto [command, words] = GENERATE(table<std::string, Words>({
      {"make -j8 all", {"make", "-j8", "all"}},
      {"ls", {"ls"}},
      {"npm run lint", {"npm", "run", "lint"}},
      {"  spaced   out  ", {"spaced", "out"}},
      {"./build.sh --out=dist/x,y:z@1+2%", {"./build.sh", "--out=dist/x,y:z@1+2%"}},
      {"/usr/bin/env VAR=1", {"/usr/bin/env", "VAR=1"}},
  }));
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == words);
}

TEST_CASE("job: quoted words are unquoted as a shell would", "[job]") {
  auto [command, words] = GENERATE(table<std::string, Words>({
      {"grep 'a b' file", {"grep", "a b", "file"}},
      {"grep \"a b\" file", {"grep", "a b", "file"}},
      {"echo2 x'y z'w", {"echo2", "xy zw"}},
      {"printf2 ''", {"printf2", ""}},
      {"grep 'a$b'", {"grep", "a$b"}},
      {"grep '*'", {"grep", "*"}},
      {"cmd \"it's\"", {"cmd", "it's"}},
  }));
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == words);
}

TEST_CASE("job: shell syntax goes through sh -c", "[job]") {
  auto command = GENERATE(as<std::string>{}, "echo $HOME", "ls | wc", "a; b", "a && b", "a & b", "ls > out", "cat < in",
                          "ls *.c", "ls ?", "echo `date`", "a\\ b", "ls ~", "(cd x)", "ls\nls", "ls\tx", "grep \"$x\"",
                          "grep \"a\\b\"", "grep \"`x`\"", "ls 'unclosed", "ls # c", "ls {a,b}", "x[1]", "ls \"a!\"");
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == via_shell(command));
}

TEST_CASE("job: a builtin or keyword first word goes through sh -c", "[job]") {
  auto command = GENERATE(as<std::string>{}, "echo hi", "cd /tmp", "exit 3", "true", "false", "if", "while x",
                          "[ -f x ]", "test -f x", "printf x", "export A", "exec ls", "kill 1", ". ./env", ": noop",
                          "until x", "for x", "read x", "set -e", "wait", "ulimit -n", "chdir /", "chdir");
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == via_shell(command));
}

TEST_CASE("job: an assignment first word goes through sh -c", "[job]") {
  auto command = GENERATE(as<std::string>{}, "FOO=1 cmd", "FOO=1", "A=b=c make");
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == via_shell(command));
}

TEST_CASE("job: a quoted first word that names a program is exec'd unquoted", "[job]") {
  auto [command, words] = GENERATE(table<std::string, Words>({
      {"'ls' -l", {"ls", "-l"}},
      {"\"ls\" -l", {"ls", "-l"}},
      {"l's' -l", {"ls", "-l"}},
      {"'my prog' arg", {"my prog", "arg"}},
  }));
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == words);
}

TEST_CASE("job: a quoted builtin still goes through sh -c", "[job]") {
  // sh runs the builtin for 'echo' too: exec'ing /bin/echo could differ.
  auto command = GENERATE(as<std::string>{}, "'echo' hi", "\"cd\" /tmp", "e'ch'o hi");
  CAPTURE(command);
  CHECK(ctxrun::command_argv(command) == via_shell(command));
}

TEST_CASE("job: an empty or blank command goes through sh -c", "[job]") {
  auto command = GENERATE(as<std::string>{}, "", "   ");
  CHECK(ctxrun::command_argv(command) == via_shell(command));
}

TEST_CASE("job: a builtin name later in the line does not matter", "[job]") {
  CHECK(ctxrun::command_argv("xargs echo") == Words{"xargs", "echo"});
  CHECK(ctxrun::command_argv("env true") == Words{"env", "true"});
}

TEST_CASE("job: format_as spells every outcome as in the report", "[job]") {
  auto [outcome, name] = GENERATE(table<ctxrun::JobOutcome, std::string>({
      {ctxrun::JobOutcome::Pending, "pending"},
      {ctxrun::JobOutcome::Succeeded, "succeeded"},
      {ctxrun::JobOutcome::Failed, "failed"},
      {ctxrun::JobOutcome::TimedOut, "timed-out"},
      {ctxrun::JobOutcome::Terminated, "terminated"},
      {ctxrun::JobOutcome::Killed, "killed"},
      {ctxrun::JobOutcome::NotStarted, "not-started"},
  }));
  CHECK(ctxrun::format_as(outcome) == name);
}

TEST_CASE("job: an attempt's duration is its end minus its start", "[job]") {
  ctxrun::Attempt a;
  a.started = ctxrun::TimePoint(std::chrono::seconds(10));
  a.ended = ctxrun::TimePoint(std::chrono::milliseconds(12'500));
  CHECK(a.duration() == std::chrono::milliseconds(2'500));
}

TEST_CASE("job: one command is named after its program's last path component, never empty", "[job]") {
  auto [program, name] = GENERATE(table<std::string, std::string>({
      {"make", "make"},
      {"/usr/bin/make", "make"},
      {"./build.sh", "build.sh"},
      {"./", "."},
      {"/usr/bin/", "bin"},
      {"a//", "a"},
      {"/", "1"},
      {"///", "1"},
      {"", "1"},
  }));
  CAPTURE(program);
  CHECK(ctxrun::command_name(program) == name);
}

// Every builtin and keyword of dash, as `type` names them: none may be exec'd directly.
TEST_CASE("job: every dash builtin and keyword goes through sh -c", "[job]") {
  auto word = GENERATE(as<std::string>{}, ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue",
                       "echo", "eval", "exec", "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill",
                       "local", "printf", "pwd", "read", "readonly", "return", "set", "shift", "test", "times", "trap",
                       "true", "type", "ulimit", "umask", "unalias", "unset", "wait", "!", "{", "}", "case", "do",
                       "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while");
  CAPTURE(word);
  CHECK(ctxrun::command_argv(word + " x") == via_shell(word + " x"));
}
