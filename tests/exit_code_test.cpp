// exit_code_test.cpp — the exit status table of exit_code.hpp, row by row.
#include <cerrno>
#include <csignal>
#include <optional>

#include <catch2/catch.hpp>

#include "ctxrun/exit_code.hpp"

using namespace std::chrono_literals;

TEST_CASE("exit_code: no cause (every job succeeded) is 0", "[exit_code]") {
  CHECK(ctxrun::exit_code_for(nullptr, false, std::nullopt) == 0);
  CHECK(ctxrun::exit_code_for(nullptr, true, 3) == 0);
}

TEST_CASE("exit_code: an exceeded deadline is 124", "[exit_code]") {
  const auto c = ctxrun::Cause::deadline("--timeout 1s", 1s);
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == 124);
  CHECK(ctxrun::exit_code_for(&c, false, 128 + SIGTERM) == 124);
  CHECK(static_cast<int>(ctxrun::ExitCode::DeadlineExceeded) == 124);
}

TEST_CASE("exit_code: --preserve-status gives the stopped job's own status", "[exit_code]") {
  const auto c = ctxrun::Cause::deadline("--timeout 1s", 1s);
  CHECK(ctxrun::exit_code_for(&c, true, 128 + SIGTERM) == 128 + SIGTERM);
  CHECK(ctxrun::exit_code_for(&c, true, 0) == 0);
  CHECK(ctxrun::exit_code_for(&c, true, 128 + SIGKILL) == 128 + SIGKILL);
  // Nothing to preserve (no job was running): 124 still.
  CHECK(ctxrun::exit_code_for(&c, true, std::nullopt) == 124);
}

// A command's own --job-timeout is a deadline like the run's: the table does not tell them apart.
TEST_CASE("exit_code: --preserve-status also gives the status for a command's own --job-timeout", "[exit_code]") {
  const auto c = ctxrun::Cause::deadline("--job-timeout 300ms", 300ms, "sleep");
  CHECK(ctxrun::exit_code_for(&c, true, 128 + SIGTERM) == 128 + SIGTERM);
  CHECK(ctxrun::exit_code_for(&c, false, 128 + SIGTERM) == 124);
  CHECK(ctxrun::exit_code_for(&c, true, std::nullopt) == 124);
}

TEST_CASE("exit_code: --preserve-status does not change other causes", "[exit_code]") {
  const auto c = ctxrun::Cause::job_failed("a", ctxrun::Exited{3}, 1s);
  CHECK(ctxrun::exit_code_for(&c, true, 128 + SIGTERM) == 3);
}

TEST_CASE("exit_code: a succeeded job ending the run is 0", "[exit_code]") {
  const auto c = ctxrun::Cause::job_succeeded("a", 1s);
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == 0);
}

TEST_CASE("exit_code: a failed job gives its status, 128+N for a signal", "[exit_code]") {
  auto [end, code] = GENERATE(table<ctxrun::ProcessEnd, int>({
      {ctxrun::Exited{1}, 1},
      {ctxrun::Exited{3}, 3},
      {ctxrun::Exited{124}, 124},
      {ctxrun::Exited{255}, 255},
      {ctxrun::Signaled{SIGTERM}, 143},
      {ctxrun::Signaled{SIGKILL}, 137},
      {ctxrun::Signaled{SIGSEGV, true}, 139},
  }));
  const auto c = ctxrun::Cause::job_failed("a", end, 1s);
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == code);
}

TEST_CASE("exit_code: a spawn failure is 126 or 127", "[exit_code]") {
  const auto not_found = ctxrun::Cause::spawn_failed("a", "nope: not found", 127);
  const auto not_runnable = ctxrun::Cause::spawn_failed("a", "x: Permission denied", 126);
  CHECK(ctxrun::exit_code_for(&not_found, false, std::nullopt) == 127);
  CHECK(ctxrun::exit_code_for(&not_runnable, false, std::nullopt) == 126);
}

TEST_CASE("exit_code: a received signal N is 128+N", "[exit_code]") {
  auto [sig, code] = GENERATE(table<int, int>({{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}, {SIGQUIT, 131},
                                                {SIGPIPE, 141}}));
  const auto c = ctxrun::Cause::received(sig);
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == code);
  CHECK(ctxrun::exit_code_for(&c, true, 7) == code);
}

TEST_CASE("exit_code: canceled-by-job and parent use the carried status, else 1", "[exit_code]") {
  const auto kind = GENERATE(ctxrun::CauseKind::CanceledByJob, ctxrun::CauseKind::Parent);
  ctxrun::Cause c;
  c.kind = kind;
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == 1);
  c.end = ctxrun::Exited{0};
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == 0);
  c.end = ctxrun::Signaled{SIGINT};
  CHECK(ctxrun::exit_code_for(&c, false, std::nullopt) == 130);
}

TEST_CASE("exit_code: the enum values are the documented numbers", "[exit_code]") {
  CHECK(static_cast<int>(ctxrun::ExitCode::Ok) == 0);
  CHECK(static_cast<int>(ctxrun::ExitCode::Usage) == 125);
  CHECK(static_cast<int>(ctxrun::ExitCode::CannotInvoke) == 126);
  CHECK(static_cast<int>(ctxrun::ExitCode::NotFound) == 127);
}

TEST_CASE("exit_code: spawn_error_code maps not-found errors to 127, others to 126", "[exit_code]") {
  auto [err, code] = GENERATE(table<int, int>({{ENOENT, 127}, {ENOTDIR, 127}, {EACCES, 126}, {ENOEXEC, 126},
                                                {EISDIR, 126}, {ETXTBSY, 126}}));
  CAPTURE(err);
  CHECK(ctxrun::spawn_error_code(err) == code);
}
