// harness.hpp — runs the real ctxrun binary for the end-to-end tests.
//
// Every run gets TEST_TOKEN=<unique> in its environment; every process it starts inherits
// it, so "no survivor" means: no living process whose environment holds the token.
// Nothing sleeps: a test waits for a line (`ready <pid>`) or polls a condition with a bound,
// and every wait has a limit, so a hang fails the test instead of blocking CI.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace test {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

std::string ctxrun_bin();
std::string child_bin();
/// {"/path/testchild", args...}
std::vector<std::string> child(std::vector<std::string> args);

struct Result {
  int wait_status = 0;
  std::optional<int> code;    ///< exit status, if it exited
  std::optional<int> signal;  ///< the signal it died of, if it did
  std::string out, err;
  Ms elapsed{};
  bool timed_out = false;        ///< the harness limit ran out: it was SIGKILLed
  std::vector<pid_t> survivors;  ///< processes of the run still alive when it ended
  /// The shell's view: the code, or 128+N for a death by signal N.
  int status() const { return code ? *code : 128 + signal.value_or(0); }
};

struct Options {
  std::vector<std::string> env{};    ///< extra KEY=VALUE
  std::vector<std::string> unset{};  ///< variables removed from the environment
  std::string input{};               ///< written to stdin, which then stays open until close_stdin()
  bool close_input = true;           ///< close stdin after writing `input`
  Ms limit = 30s;
  /// stdout is a reader that stalls: a pipe (or a socket) nobody reads until the process exits.
  enum class Out { Read, StalledPipe, StalledSocket } out = Out::Read;
};

/// A running ctxrun (or any program) with pipes on its stdin, stdout and stderr.
class Process {
 public:
  /// Runs `argv` (argv[0] a path) with TEST_TOKEN set.
  Process(std::vector<std::string> argv, Options opts = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& token() const { return token_; }
  /// Waits until stdout has a line starting with `prefix`; returns it (without newline).
  /// Fails the test (and returns "") if the limit runs out or the process ends first.
  std::string wait_for_line(std::string_view prefix, Ms limit = 10s);
  /// Waits for a line that contains `text` anywhere (a terminal's lines carry escape codes).
  std::string wait_for_text(std::string_view text, Ms limit = 10s);
  /// As wait_for_line, on stderr.
  std::string wait_for_err_line(std::string_view prefix, Ms limit = 10s);
  void send(int sig);
  void write(std::string_view bytes);
  void close_stdin();
  /// Waits for the exit (reading all output), then looks for survivors.
  Result wait(Ms limit = 30s);
  /// Everything read so far.
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  bool read_available(Ms timeout);  // reads what is there; false when both streams are at EOF
  std::string wait_line(std::string& buf, std::size_t& cursor, std::string_view text, Ms limit, bool anywhere);
  pid_t pid_ = -1;
  int in_ = -1, outfd_ = -1, errfd_ = -1;
  bool stalled_ = false;  // stdout is not read until the exit
  std::string token_, out_, err_;
  std::size_t out_cursor_ = 0, err_cursor_ = 0;
  std::chrono::steady_clock::time_point started_;
  Ms limit_;
  bool reaped_ = false;
};

/// Runs ctxrun with `args` to the end.
Result run(std::vector<std::string> args, Options opts = {});
/// Runs `sh -c script` to the end (for pipelines and shells around ctxrun).
Result sh(const std::string& script, Options opts = {});
/// The command line quoted for sh.
std::string quote(const std::vector<std::string>& words);

/// Living processes whose environment holds TEST_TOKEN=token.
std::vector<pid_t> survivors(const std::string& token);
bool alive(pid_t pid);
/// Polls `cond` until true or `limit` (the bounded poll of the style guide). True if it held.
template <class F>
bool eventually(F cond, Ms limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    struct timespec ts {
      0, 2'000'000
    };
    nanosleep(&ts, nullptr);
  }
  return true;
}
/// A scratch directory, removed with what it holds.
struct TempDir {
  std::string path;
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path + "/" + name; }
  /// Writes `text` into `name` with `mode`; returns its path.
  std::string write(const std::string& name, const std::string& text, unsigned mode = 0644) const;
};
/// A file's whole content ("" if there is none).
std::string slurp(const std::string& file);
/// `opts` followed by `-c CMD` for each command.
std::vector<std::string> jobs(std::vector<std::string> opts, const std::vector<std::string>& commands);
/// The testchild command line, quoted for sh.
std::string tc(const std::vector<std::string>& args);
/// The lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);

/// CPU time (user+system) a process has used so far, from /proc/PID/stat.
Ms cpu_time(pid_t pid);
/// The `N` in a line like `ready N` / `child N`.
pid_t pid_in(std::string_view line);

}  // namespace test
