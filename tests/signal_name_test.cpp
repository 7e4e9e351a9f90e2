// signal_name_test.cpp — signal names and numbers, both ways.
#include <csignal>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/error.hpp"
#include "ctxrun/signal_name.hpp"

TEST_CASE("signal_name: parses names with or without SIG, in any case, and numbers", "[signal]") {
  auto [text, sig] = GENERATE(table<std::string, int>({
      {"TERM", SIGTERM},
      {"SIGTERM", SIGTERM},
      {"sigterm", SIGTERM},
      {"term", SIGTERM},
      {"15", SIGTERM},
      {"INT", SIGINT},
      {"SIGINT", SIGINT},
      {"KILL", SIGKILL},
      {"9", SIGKILL},
      {"HUP", SIGHUP},
      {"QUIT", SIGQUIT},
      {"USR1", SIGUSR1},
      {"IOT", SIGABRT},
      {"CLD", SIGCHLD},
      {"1", 1},
  }));
  CAPTURE(text);
  CHECK(ctxrun::parse_signal(text) == sig);
}

TEST_CASE("signal_name: parses real-time signals relative to RTMIN and RTMAX", "[signal]") {
  CHECK(ctxrun::parse_signal("RTMIN") == SIGRTMIN);
  CHECK(ctxrun::parse_signal("RTMIN+1") == SIGRTMIN + 1);
  CHECK(ctxrun::parse_signal("SIGRTMIN+2") == SIGRTMIN + 2);
  CHECK(ctxrun::parse_signal("rtmin+3") == SIGRTMIN + 3);
  CHECK(ctxrun::parse_signal("RTMAX") == SIGRTMAX);
  CHECK(ctxrun::parse_signal("RTMAX-1") == SIGRTMAX - 1);
  CHECK(ctxrun::parse_signal(std::to_string(SIGRTMAX)) == SIGRTMAX);
}

TEST_CASE("signal_name: rejects zero, out-of-range numbers and unknown names", "[signal]") {
  auto text = GENERATE(as<std::string>{}, "0", "999", "1000", "-1", "BOGUS", "SIG", "", "SIGSIGTERM", "RTMIN-1",
                       "RTMAX+1", "RTMIN+99", "TERM ", "15x");
  CAPTURE(text);
  CHECK_THROWS_AS(ctxrun::parse_signal(text), ctxrun::ParseError);
}

TEST_CASE("signal_name: a number beyond the last signal is rejected", "[signal]") {
  CHECK_THROWS_AS(ctxrun::parse_signal(std::to_string(SIGRTMAX + 1)), ctxrun::ParseError);
  CHECK_THROWS_WITH(ctxrun::parse_signal("999"), Catch::Contains("999"));
}

TEST_CASE("signal_name: names numbers with SIG and the canonical name", "[signal]") {
  auto [sig, name] = GENERATE(table<int, std::string>({
      {SIGTERM, "SIGTERM"},
      {SIGINT, "SIGINT"},
      {SIGKILL, "SIGKILL"},
      {SIGHUP, "SIGHUP"},
      {SIGSEGV, "SIGSEGV"},
      {SIGABRT, "SIGABRT"},
      {SIGCHLD, "SIGCHLD"},
      {SIGPIPE, "SIGPIPE"},
  }));
  CHECK(ctxrun::signal_name(sig) == name);
}

TEST_CASE("signal_name: real-time signals are named from RTMIN", "[signal]") {
  CHECK(ctxrun::signal_name(SIGRTMIN) == "SIGRTMIN");
  CHECK(ctxrun::signal_name(SIGRTMIN + 2) == "SIGRTMIN+2");
}

TEST_CASE("signal_name: a number with no name is written as a number", "[signal]") {
  CHECK(ctxrun::signal_name(99) == "signal 99");
  CHECK(ctxrun::signal_name(0) == "signal 0");
}

TEST_CASE("signal_name: every parsed name formats back to a name that parses to it", "[signal]") {
  auto text = GENERATE(as<std::string>{}, "HUP", "INT", "QUIT", "TERM", "KILL", "USR2", "WINCH", "RTMIN+4", "RTMAX");
  const int sig = ctxrun::parse_signal(text);
  CHECK(ctxrun::parse_signal(ctxrun::signal_name(sig)) == sig);
}

TEST_CASE("signal_name: the first signal of the termination sequence must be able to end a job", "[signal]") {
  auto [text, sig] = GENERATE(table<std::string, int>(
      {{"TERM", SIGTERM}, {"INT", SIGINT}, {"KILL", SIGKILL}, {"HUP", SIGHUP}, {"USR1", SIGUSR1}, {"9", SIGKILL}}));
  CAPTURE(text);
  CHECK(ctxrun::parse_termination_signal(text) == sig);
}

TEST_CASE("signal_name: job-control signals are refused as the first signal, in every spelling", "[signal]") {
  auto [text, name] = GENERATE(table<std::string, std::string>({{"STOP", "SIGSTOP"},
                                                                {"sigstop", "SIGSTOP"},
                                                                {std::to_string(SIGSTOP), "SIGSTOP"},
                                                                {"TSTP", "SIGTSTP"},
                                                                {"TTIN", "SIGTTIN"},
                                                                {"TTOU", "SIGTTOU"},
                                                                {"CONT", "SIGCONT"},
                                                                {"SIGCONT", "SIGCONT"},
                                                                {std::to_string(SIGCONT), "SIGCONT"}}));
  CAPTURE(text);
  CHECK_THROWS_AS(ctxrun::parse_termination_signal(text), ctxrun::ParseError);
  CHECK_THROWS_WITH(ctxrun::parse_termination_signal(text), Catch::StartsWith(name + " cannot end a job"));
  CHECK(ctxrun::parse_signal(text) > 0);  // still a signal, just not one that ends a job
}
