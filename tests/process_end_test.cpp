// process_end_test.cpp — raw wait statuses decoded, and what a shell would show.
#include <csignal>
#include <string>

#include <catch2/catch.hpp>

#include "ctxrun/process_end.hpp"

namespace {
// The Linux wait status encoding, spelled out so the test does not depend on <sys/wait.h>.
int exited_status(int code) { return (code & 0xff) << 8; }
int signaled_status(int sig, bool core = false) { return sig | (core ? 0x80 : 0); }
}  // namespace

TEST_CASE("process_end: an exit status decodes to Exited", "[process_end]") {
  const int code = GENERATE(0, 1, 3, 15, 124, 143, 255);
  CAPTURE(code);
  CHECK(ctxrun::from_wait_status(exited_status(code)) == ctxrun::ProcessEnd{ctxrun::Exited{code}});
}

TEST_CASE("process_end: a death by signal decodes to Signaled, with the core flag", "[process_end]") {
  CHECK(ctxrun::from_wait_status(signaled_status(SIGTERM)) == ctxrun::ProcessEnd{ctxrun::Signaled{SIGTERM, false}});
  CHECK(ctxrun::from_wait_status(signaled_status(SIGKILL)) == ctxrun::ProcessEnd{ctxrun::Signaled{SIGKILL, false}});
  CHECK(ctxrun::from_wait_status(signaled_status(SIGSEGV, true)) ==
        ctxrun::ProcessEnd{ctxrun::Signaled{SIGSEGV, true}});
}

TEST_CASE("process_end: exit 15 is not a death by SIGTERM", "[process_end]") {
  const auto exit15 = ctxrun::from_wait_status(exited_status(15));
  const auto term = ctxrun::from_wait_status(signaled_status(SIGTERM));
  CHECK_FALSE(exit15 == term);
  CHECK(ctxrun::shell_code(exit15) == 15);
  CHECK(ctxrun::shell_code(term) == 143);
}

TEST_CASE("process_end: shell_code is the code or 128+N", "[process_end]") {
  CHECK(ctxrun::shell_code(ctxrun::Exited{0}) == 0);
  CHECK(ctxrun::shell_code(ctxrun::Exited{3}) == 3);
  CHECK(ctxrun::shell_code(ctxrun::Exited{143}) == 143);
  CHECK(ctxrun::shell_code(ctxrun::Signaled{SIGINT}) == 130);
  CHECK(ctxrun::shell_code(ctxrun::Signaled{SIGKILL}) == 137);
  CHECK(ctxrun::shell_code(ctxrun::Signaled{SIGSEGV, true}) == 139);
}

TEST_CASE("process_end: only exit 0 succeeded", "[process_end]") {
  CHECK(ctxrun::succeeded(ctxrun::Exited{0}));
  CHECK_FALSE(ctxrun::succeeded(ctxrun::Exited{1}));
  CHECK_FALSE(ctxrun::succeeded(ctxrun::Exited{143}));
  CHECK_FALSE(ctxrun::succeeded(ctxrun::Signaled{SIGTERM}));
}

TEST_CASE("process_end: describe words exits and signals", "[process_end]") {
  CHECK(ctxrun::describe(ctxrun::ProcessEnd{ctxrun::Exited{1}}) == "exited with status 1");
  CHECK(ctxrun::describe(ctxrun::ProcessEnd{ctxrun::Exited{0}}) == "exited with status 0");
  CHECK(ctxrun::describe(ctxrun::ProcessEnd{ctxrun::Signaled{SIGTERM}}) == "was killed by SIGTERM");
  CHECK(ctxrun::describe(ctxrun::ProcessEnd{ctxrun::Signaled{SIGSEGV, true}}) == "was killed by SIGSEGV (core dumped)");
}
