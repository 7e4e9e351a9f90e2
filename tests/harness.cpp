// harness.cpp — fork/exec with three pipes, poll(2) with deadlines, /proc scans.
#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

extern char** environ;

namespace test {
namespace {

std::string new_token() {
  static std::atomic<int> n{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" + std::to_string(rd());
}

void set_nonblock(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

// CTXRUN_TEST_BIN runs the tests against another build (an older one, to see a test fail).
std::string ctxrun_bin() {
  const char* other = std::getenv("CTXRUN_TEST_BIN");
  return other && *other ? other : CTXRUN_BIN;
}
std::string child_bin() { return TESTCHILD_BIN; }

std::vector<std::string> child(std::vector<std::string> args) {
  args.insert(args.begin(), child_bin());
  return args;
}

Process::Process(std::vector<std::string> argv, Options opts) : token_(new_token()), limit_(opts.limit) {
  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  if (opts.out == Options::Out::StalledSocket) {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out) == 0);
  } else {
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  }
  stalled_ = opts.out != Options::Out::Read;
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    const auto key = kv.substr(0, kv.find('='));
    bool drop = key.rfind("CTXRUN_", 0) == 0 || key == "TEST_TOKEN";
    for (const auto& u : opts.unset) drop |= key == u;
    if (!drop) env.emplace_back(kv);
  }
  env.push_back("TEST_TOKEN=" + token_);
  for (auto& e : opts.env) env.push_back(e);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  started_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    ::execve(cargv[0], cargv.data(), cenv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  outfd_ = out[0];
  errfd_ = err[0];
  set_nonblock(outfd_);
  set_nonblock(errfd_);
  if (!opts.input.empty()) write(opts.input);
  if (opts.close_input) close_stdin();
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (pid_t p : survivors(token_)) ::kill(p, SIGKILL);
  for (int fd : {in_, outfd_, errfd_})
    if (fd >= 0) ::close(fd);
}

void Process::send(int sig) { ::kill(pid_, sig); }

void Process::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(in_, bytes.data(), bytes.size());
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

bool Process::read_available(Ms timeout) {
  pollfd fds[2] = {{stalled_ ? -1 : outfd_, POLLIN, 0}, {errfd_, POLLIN, 0}};
  if ((outfd_ < 0 || stalled_) && errfd_ < 0) return false;
  ::poll(fds, 2, static_cast<int>(timeout.count()));
  char buf[65536];
  for (auto [fd, dst] : {std::pair{&outfd_, &out_}, std::pair{&errfd_, &err_}}) {
    if (*fd < 0 || (fd == &outfd_ && stalled_)) continue;
    for (;;) {
      const ssize_t n = ::read(*fd, buf, sizeof buf);
      if (n > 0) {
        dst->append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) {
        ::close(*fd);
        *fd = -1;
      }
      break;
    }
  }
  return (outfd_ >= 0 && !stalled_) || errfd_ >= 0;
}

std::string Process::wait_line(std::string& buf, std::size_t& cursor, std::string_view prefix, Ms limit,
                               bool anywhere) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (std::size_t nl; (nl = buf.find('\n', cursor)) != std::string::npos;) {
      std::string line = buf.substr(cursor, nl - cursor);
      cursor = nl + 1;
      if (anywhere ? line.find(prefix) != std::string::npos : line.rfind(prefix, 0) == 0) return line;
    }
    const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
    if (left <= Ms::zero()) break;
    if (!read_available(std::min(left, Ms(100))) && buf.find('\n', cursor) == std::string::npos) break;
  }
  FAIL_CHECK("no line starting with \"" << prefix << "\" within " << limit.count() << "ms; stdout so far:\n"
                                        << out_ << "\nstderr so far:\n"
                                        << err_);
  return "";
}

std::string Process::wait_for_line(std::string_view prefix, Ms limit) {
  return wait_line(out_, out_cursor_, prefix, limit, false);
}

std::string Process::wait_for_text(std::string_view text, Ms limit) {
  return wait_line(out_, out_cursor_, text, limit, true);
}

std::string Process::wait_for_err_line(std::string_view prefix, Ms limit) {
  return wait_line(err_, err_cursor_, prefix, limit, false);
}

Result Process::wait(Ms limit) {
  Result r;
  const auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  // Readable when the process exits: poll it with the pipes, so nothing here sleeps.
  const int exited = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  for (;;) {
    const pid_t w = ::waitpid(pid_, &status, WNOHANG);
    if (w == pid_) break;
    const auto left = std::chrono::duration_cast<Ms>(until - std::chrono::steady_clock::now());
    if (left <= Ms::zero()) {
      r.timed_out = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    if (!read_available(std::min(left, Ms(20)))) {  // both pipes at EOF: wait on the exit alone
      pollfd p{exited, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min(left, Ms(1000)).count()));
    }
  }
  if (exited >= 0) ::close(exited);
  reaped_ = true;
  r.elapsed = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - started_);
  stalled_ = false;  // the reader of stdout wakes up: what was written comes now
  r.survivors = survivors(token_);
  // Drain what is left in the pipes (a survivor could hold them: do not wait for EOF then).
  const auto drain_until = std::chrono::steady_clock::now() + (r.survivors.empty() ? 5s : 100ms);
  while (read_available(Ms(20)) && std::chrono::steady_clock::now() < drain_until) {
  }
  r.wait_status = status;
  if (WIFEXITED(status)) r.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = out_;
  r.err = err_;
  if (r.timed_out) FAIL_CHECK("timed out after " << limit.count() << "ms; stderr:\n" << err_);
  return r;
}

Result run(std::vector<std::string> args, Options opts) {
  args.insert(args.begin(), ctxrun_bin());
  const Ms limit = opts.limit;
  Process p(std::move(args), std::move(opts));
  return p.wait(limit);
}

Result sh(const std::string& script, Options opts) {
  const Ms limit = opts.limit;
  Process p({"/bin/sh", "-c", script}, std::move(opts));
  return p.wait(limit);
}

std::string quote(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) {
    if (!s.empty()) s += ' ';
    s += '\'';
    for (char c : w) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += '\'';
  }
  return s;
}

std::vector<pid_t> survivors(const std::string& token) {
  std::vector<pid_t> found;
  const std::string needle = "TEST_TOKEN=" + token;
  DIR* proc = ::opendir("/proc");
  while (const dirent* e = ::readdir(proc)) {
    const pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
    if (p <= 0 || p == ::getpid()) continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(f)), {});
    for (std::size_t start = 0; start < env.size();) {
      const auto end = env.find('\0', start);
      if (env.compare(start, (end == std::string::npos ? env.size() : end) - start, needle) == 0) {
        found.push_back(p);
        break;
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  ::closedir(proc);
  return found;
}

bool alive(pid_t pid) {
  // A zombie is not alive: look at the state, not only at kill(pid, 0).
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

Ms cpu_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), {});
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return Ms::zero();
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return Ms((utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK));
}

pid_t pid_in(std::string_view line) {
  const auto sp = line.rfind(' ');
  return sp == std::string_view::npos ? -1 : static_cast<pid_t>(std::atoi(std::string(line.substr(sp + 1)).c_str()));
}

TempDir::TempDir() {
  char d[] = "/tmp/ctxrun-test-XXXXXX";
  REQUIRE(::mkdtemp(d));
  path = d;
}

TempDir::~TempDir() { [[maybe_unused]] int rc = std::system(("rm -rf " + quote({path})).c_str()); }

std::string TempDir::write(const std::string& name, const std::string& text, unsigned mode) const {
  const std::string p = file(name);
  std::ofstream(p) << text;
  ::chmod(p.c_str(), mode);
  return p;
}

std::string slurp(const std::string& file) {
  std::ifstream f(file);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

std::vector<std::string> jobs(std::vector<std::string> opts, const std::vector<std::string>& commands) {
  for (const auto& c : commands) {
    opts.push_back("-c");
    opts.push_back(c);
  }
  return opts;
}

std::string tc(const std::vector<std::string>& args) { return quote(child(args)); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace test
