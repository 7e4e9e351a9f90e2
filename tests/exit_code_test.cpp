// exit_code_test.cpp — the exit status table of exit_code.hpp, row by row.
#include <cerrno>
#include <csignal>
#include <optional>
#include <string_view>
#include <vector>

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
  auto [sig, code] = GENERATE(
      table<int, int>({{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}, {SIGQUIT, 131}, {SIGPIPE, 141}}));
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
  auto [err, code] = GENERATE(
      table<int, int>({{ENOENT, 127}, {ENOTDIR, 127}, {EACCES, 126}, {ENOEXEC, 126}, {EISDIR, 126}, {ETXTBSY, 126}}));
  CAPTURE(err);
  CHECK(ctxrun::spawn_error_code(err) == code);
}

namespace {

// The decision for a run that ended by `ended_by` (nullptr: it ran its course).
ctxrun::Exit exit_of(const ctxrun::Cause* ended_by, const ctxrun::Cause* first_failure = nullptr, bool single = false,
                     std::optional<int> preserved = std::nullopt) {
  ctxrun::RunEnd end;
  end.ended_by = ended_by;
  end.first_failure = first_failure;
  end.single = single;
  end.preserve_status = preserved.has_value();
  end.preserved = preserved;
  return ctxrun::exit_for(end);
}

}  // namespace

TEST_CASE("exit_for: what ended the run counts, else the first failure, else 0", "[exit_code]") {
  const auto deadline = ctxrun::Cause::deadline("--timeout 1s", 1s);
  const auto failed = ctxrun::Cause::job_failed("a", ctxrun::Exited{3}, 1s);
  CHECK(exit_of(nullptr).status == 0);
  CHECK(exit_of(nullptr).signal == 0);
  CHECK(exit_of(nullptr, &failed).status == 3);  // --stop-on never: it ran its course
  CHECK(exit_of(&deadline, &failed).status == 124);
  CHECK(exit_of(&deadline, &failed).signal == 0);
}

TEST_CASE("exit_for: a signal that ended the run is ctxrun's death, with 128+N in the report", "[exit_code]") {
  const auto received = ctxrun::Cause::received(SIGINT);
  const auto failed = ctxrun::Cause::job_failed("a", ctxrun::Exited{3}, 1s);
  const auto e = exit_of(&received, &failed);
  CHECK(e.status == 128 + SIGINT);
  CHECK(e.signal == SIGINT);
}

TEST_CASE("exit_for: one command killed by a signal nobody here sent: ctxrun dies by it too", "[exit_code]") {
  const auto killed = ctxrun::Cause::job_failed("cmd", ctxrun::Signaled{SIGSEGV}, 1s);
  const bool single = GENERATE(false, true);
  const auto e = exit_of(&killed, nullptr, single);
  CHECK(e.status == 128 + SIGSEGV);
  CHECK(e.signal == (single ? SIGSEGV : 0));  // several jobs: the status says it
}

TEST_CASE("exit_for: --preserve-status gives the stopped command's own status", "[exit_code]") {
  const auto deadline = ctxrun::Cause::deadline("--timeout 1s", 1s);
  const auto e = exit_of(&deadline, nullptr, true, 143);
  CHECK(e.status == 143);
  CHECK(e.signal == 0);
}

TEST_CASE("exit_code: the table --help prints names every fixed status once, in order", "[exit_code]") {
  std::vector<std::string_view> statuses;
  for (const auto& row : ctxrun::exit_status_table()) {
    statuses.push_back(row.status);
    CHECK_FALSE(row.meaning.empty());
  }
  CHECK(statuses == std::vector<std::string_view>{"0", "124", "125", "126", "127", "128+N", "other"});
  CHECK(static_cast<int>(ctxrun::ExitCode::Usage) == 125);
  CHECK(static_cast<int>(ctxrun::ExitCode::CannotInvoke) == 126);
  CHECK(static_cast<int>(ctxrun::ExitCode::NotFound) == 127);
}
