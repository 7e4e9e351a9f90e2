// e2e_pty.cpp — terminal behaviour under a real pty: script(1) runs sh, which runs ctxrun
// in the terminal's foreground process group, exactly as in an interactive shell without
// job control (a script run from a terminal).
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace test;
using Catch::Matchers::Contains;

namespace {

// `script` runs `command` on a new pty; our pipe feeds its keyboard, its screen comes back.
Process terminal(const std::string& command) {
  Options o;
  o.close_input = false;
  o.env = {"TERM=xterm"};
  return Process({"/usr/bin/script", "-qfec", command, "/dev/null"}, o);
}

// What a terminal would show: \r returns to column 0, ESC[K erases to the end of the line,
// other escape sequences (colors) are dropped.
std::vector<std::string> screen(const std::string& bytes) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t col = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r') {
      col = 0;
    } else if (c == '\n') {
      lines.push_back(line);
      line.clear();
      col = 0;
    } else if (c == '\x1b' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < bytes.size() && !(bytes[j] >= 0x40 && bytes[j] <= 0x7e)) ++j;
      if (j < bytes.size() && bytes[j] == 'K') line.resize(std::min(line.size(), col));
      i = j;
    } else {
      if (col < line.size()) {
        line[col] = c;
      } else {
        line += c;
      }
      ++col;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string state_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  return close == std::string::npos ? "" : stat.substr(close + 2, 1);
}

}  // namespace

TEST_CASE("pty: one command gets the terminal, reads from it, and gives it back", "[e2e][pty]") {
  auto p = terminal(quote({ctxrun_bin(), "-t", "30s", "--", child_bin(), "tty"}) + "; " + quote({child_bin(), "tty"}));
  CHECK_THAT(p.wait_for_line("tty "), Contains("tty yes foreground yes"));  // the job's group owns it
  p.wait_for_line("ready");
  p.write("hello\n");
  p.wait_for_line("read hello");
  // ctxrun has ended: the shell's group owns the terminal again.
  CHECK_THAT(p.wait_for_line("tty "), Contains("tty yes foreground yes"));
  p.wait_for_line("ready");
  p.write("bye\n");
  p.wait_for_line("read bye");
  auto r = p.wait();
  CHECK(r.code == 0);
  CHECK(r.survivors.empty());
}

TEST_CASE("pty: Ctrl-C reaches the command, and ctxrun dies by SIGINT", "[e2e][pty][signals]") {
  auto p = terminal(quote({ctxrun_bin(), "-t", "30s", "--", child_bin(), "sleep", "3600"}) + "; echo status=$?");
  p.wait_for_line("ready");
  p.write("\x03");
  CHECK_THAT(p.wait_for_line("status="), Contains("status=" + std::to_string(128 + SIGINT)));
  auto r = p.wait();
  CHECK_THAT(r.out, Contains("was killed by SIGINT"));
  CHECK(r.survivors.empty());
}

TEST_CASE("pty: a deadline on an interactive command gives the terminal back", "[e2e][pty][deadline]") {
  auto p = terminal(quote({ctxrun_bin(), "-t", "300ms", "--", child_bin(), "tty"}) + "; echo status=$?; " +
                    quote({child_bin(), "tty"}));
  CHECK_THAT(p.wait_for_line("status="), Contains("status=124"));
  CHECK_THAT(p.wait_for_line("tty "), Contains("tty yes foreground yes"));
  p.wait_for_line("ready");
  p.write("x\n");
  auto r = p.wait();
  CHECK(r.code == 0);
  CHECK(r.survivors.empty());
}

TEST_CASE("pty: Ctrl-Z stops the command and ctxrun and SIGCONT resumes both", "[e2e][pty][signals]") {
  auto p = terminal(quote({ctxrun_bin(), "-t", "30s", "--", child_bin(), "sleep", "3600"}) + "; echo status=$?");
  const pid_t job = pid_in(p.wait_for_line("ready"));
  pid_t ctxrun = 0;
  for (pid_t s : survivors(p.token())) {
    std::ifstream f("/proc/" + std::to_string(s) + "/comm");
    std::string comm;
    std::getline(f, comm);
    if (comm == "ctxrun" && ::getpgid(s) != s) ctxrun = s;  // not the watchdog (own group)
  }
  REQUIRE(ctxrun > 0);
  p.write("\x1a");  // Ctrl-Z
  CHECK(eventually([&] { return state_of(job) == "T" && state_of(ctxrun) == "T"; }));
  ::kill(ctxrun, SIGCONT);  // what `fg` does
  CHECK(eventually([&] { return state_of(job) == "S" && state_of(ctxrun) == "S"; }));
  ::kill(ctxrun, SIGTERM);
  CHECK_THAT(p.wait_for_line("status="), Contains("status=" + std::to_string(128 + SIGTERM)));
  auto r = p.wait();
  CHECK(r.survivors.empty());
}

TEST_CASE("pty: the status line overprints and never tears a job's line", "[e2e][pty][status]") {
  auto p = terminal(quote({ctxrun_bin(), "-c", quote(child({"slow-lines", "6", "120"})), "-c",
                           quote(child({"slow-lines", "6", "100"})), "-t", "1h"}) +
                    "; echo status=$?");
  CHECK_THAT(p.wait_for_line("status="), Contains("status=0"));
  auto r = p.wait();
  CHECK_THAT(r.out, Contains("\r\x1b[K"));    // overprinted, then erased
  CHECK_THAT(r.out, Contains(" running, "));  // [n/2] k running, …
  CHECK_THAT(r.out, Contains(" left"));       // time left before the deadline
  const std::regex job_line("^[12] │ line [1-6]$");
  int job_lines = 0;
  for (const auto& l : screen(r.out)) {
    if (l.find("│") == std::string::npos) continue;
    CHECK(std::regex_match(l, job_line));  // nothing of the status line left on it
    ++job_lines;
  }
  CHECK(job_lines == 12);
  for (const auto& l : screen(r.out)) CHECK(l.find(" running") == std::string::npos);  // erased at the end
  CHECK(r.survivors.empty());
}

TEST_CASE("pty: run in the background, a command reading the terminal stops ctxrun and fg resumes it",
          "[e2e][pty][signals]") {
  // An interactive bash with job control: `ctxrun … &` is in a background process group.
  auto p = terminal("bash --norc --noprofile -i");
  p.write(quote({ctxrun_bin(), "-t", "30s", "--", child_bin(), "tty"}) + " &\n");
  CHECK_THAT(p.wait_for_text("tty yes"), Contains("tty yes foreground no"));
  p.wait_for_text("ready");
  // The job's read stops it (SIGTTIN); ctxrun stops with it, so bash sees a stopped job.
  bool stopped = false;
  for (int i = 0; i < 100 && !stopped; ++i) {  // a bounded poll: `jobs` until bash reports it
    p.write("jobs\n");
    const auto line = p.wait_for_text("[1]+ ", 2s);  // bash: [1]+  Running/Stopped   command
    stopped = line.find("Stopped") != std::string::npos;
    if (line.empty()) break;
  }
  REQUIRE(stopped);
  p.write("fg\n");
  p.write("hello\n");  // buffered by the terminal until the job, lent it, reads
  p.wait_for_text("read hello");
  p.write("echo status=$?\n");
  CHECK_THAT(p.wait_for_text("status=0"), Contains("status=0"));
  p.write("exit\n");
  auto r = p.wait();
  CHECK(r.survivors.empty());
}
