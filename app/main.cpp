// main.cpp — a subcommand or a run, and every error mapped to its exit status.
#include <cstdio>

#include "ctxrun/cli.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/exit_code.hpp"
#include "ctxrun/subcommands.hpp"
#include "run.hpp"

int main(int argc, char** argv) {
  try {
    // Only the first word can name a subcommand: `ctxrun -- remaining` runs a command.
    if (const auto* subcommand = ctxrun::subcommand_for(argc, argv)) return subcommand->main(argc - 1, argv + 1);
    const auto now = std::chrono::time_point_cast<ctxrun::Duration>(std::chrono::system_clock::now());
    return ctxrun::run(ctxrun::parse_command_line(argc, argv, now));
  } catch (const ctxrun::HelpRequested& h) {  // --help / --version
    (void)std::fputs(h.text.c_str(), stdout);
    return 0;
  } catch (const ctxrun::UsageError& e) {  // wraps CLI11's errors and our own checks
    (void)std::fputs(ctxrun::message_line(e.what()).c_str(), stderr);
    return static_cast<int>(ctxrun::ExitCode::Usage);  // 125, never CLI11's 100+
  } catch (const std::exception& e) {                  // a failed system call: ctxrun itself failed
    (void)std::fputs(ctxrun::message_line(e.what()).c_str(), stderr);
    return static_cast<int>(ctxrun::ExitCode::Usage);
  }
}
