// run.cpp — from Options to a Plan (flags, inherited context, environment), and from the
// result to words, a report and an exit status.
#include "run.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"
#include "ctxrun/exit_code.hpp"
#include "ctxrun/jobs_file.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/report.hpp"
#include "ctxrun/report_file.hpp"
#include "ctxrun/status_line.hpp"
#include "ctxrun/summary.hpp"
#include "ctxrun/supervisor.hpp"
#include "ctxrun/terminal.hpp"

extern char** environ;

namespace ctxrun {
namespace {

const char* env(const char* name) { return std::getenv(name); }

std::string read_all(int fd) {
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = retry_eintr([&] { return ::read(fd, buf, sizeof buf); });
    if (n < 0) throw fmt::system_error(errno, "read");
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

std::vector<JobLine> read_jobs_file(const std::string& file) {
  const auto fail = [&](const std::string& why) { return UsageError(fmt::format("--jobs-file {:?}: {}", file, why)); };
  std::string text;
  // A read error names the option and the file, as an open error does: standard input may be
  // closed (<&-) or a directory.
  try {
    if (file == "-") {
      text = read_all(STDIN_FILENO);
    } else {
      Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd) throw fail(error_text(errno));
      text = read_all(fd.get());
    }
  } catch (const std::system_error& e) {
    throw fail(file == "-" ? fmt::format("standard input: {}", error_text(e.code().value()))
                           : error_text(e.code().value()));
  }
  try {
    return parse_jobs_file(text);  // none: nothing to run, and success, as for xargs
  } catch (const ParseError& e) {
    throw fail(e.what());
  }
}

std::size_t cores() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<std::size_t>(CPU_COUNT(&set));
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<std::size_t>(n) : 1;
}

std::vector<JobSpec> make_jobs(const Options& o) {
  std::vector<JobSpec> jobs;
  const auto name = [&](std::size_t i, const std::string& fallback) {
    return i < o.names.size() ? o.names[i] : fallback;
  };
  if (!o.command.empty()) {
    std::string text;
    for (const auto& w : o.command) text += (text.empty() ? "" : " ") + w;
    jobs.push_back({name(0, command_name(o.command.front())), text, o.command, 1, 0});
  } else if (!o.commands.empty()) {
    for (std::size_t i = 0; i < o.commands.size(); ++i)
      jobs.push_back({name(i, std::to_string(i + 1)), o.commands[i], {}, i + 1, 0});
  } else {
    const auto lines = read_jobs_file(*o.jobs_file);
    if (o.names.size() > lines.size())
      throw bad_value("--names", o.names[lines.size()], fmt::format("more names than the {} jobs", lines.size()));
    for (std::size_t i = 0; i < lines.size(); ++i)
      jobs.push_back({name(i, std::to_string(i + 1)), lines[i].command, {}, i + 1, lines[i].line});
  }
  std::set<std::string_view> seen;
  for (const auto& j : jobs)
    if (!seen.insert(j.name).second)
      throw bad_value("--names", j.name, "two jobs would have this name (default names are 1, 2, ...)");
  return jobs;
}

struct Deadlines {
  std::optional<Deadline> steady;
  std::optional<WallTime> wall;
};

// The earliest of --timeout, --deadline and the inherited deadline and budget. The sums
// saturate: a deadline centuries away stays ahead and one long past stays past, where plain
// arithmetic would overflow and turn one into the other.
Deadlines root_deadline(const Options& o, const Inherited& in, TimePoint now, WallTime wall_now) {
  Deadlines d;
  const auto consider = [&](TimePoint at, WallTime wall, std::string source) {
    if (!d.steady || at < d.steady->at) {
      d.steady = Deadline{at, std::move(source), now};
      d.wall = wall;
    }
  };
  const auto from_wall = [&](WallTime w, std::string source) {
    consider(add_saturating(now, sub_saturating(w, wall_now)), w, std::move(source));
  };
  const auto from_now = [&](Duration left, std::string source) {
    consider(add_saturating(now, left), add_saturating(wall_now, left), std::move(source));
  };
  if (o.timeout && o.timeout.value > Duration::zero()) from_now(o.timeout.value, "--timeout " + o.timeout.text);
  if (o.deadline) from_wall(o.deadline.value, "--deadline " + o.deadline.text);
  if (const auto inherited = inherited_deadline(in, wall_now))
    consider(add_saturating(now, inherited->left), inherited->at, fmt::format("inherited {}", inherited->source));
  return d;
}

int terminal_for(const Options& o, bool single, bool inherit) {
  if (!single || !inherit || o.foreground == Tristate::Off) return -1;
  if (::isatty(STDIN_FILENO)) return STDIN_FILENO;
  if (o.foreground == Tristate::On) return ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  return -1;
}

// Everything the loop needs, from the options and what an enclosing ctxrun handed down.
Plan make_plan(const Options& o, const Inherited& in, const Deadlines& deadline) {
  Plan plan;
  plan.jobs = make_jobs(o);
  plan.single = !o.command.empty();
  plan.policy = Policy{.max_running = o.jobs ? o.jobs : (o.jobs_file ? cores() : 0),
                       .stop_on = o.stop_on,
                       .retries = o.retries,
                       .retry_delay = o.retry_delay,
                       .retry_backoff = o.retry_backoff};
  plan.deadline = deadline.steady;
  if (o.job_timeout && o.job_timeout.value > Duration::zero()) {
    plan.job_timeout = o.job_timeout.value;
    plan.job_timeout_source = "--job-timeout " + o.job_timeout.text;
  }
  plan.first_signal = o.signal;
  plan.grace = o.grace.value;
  const OutputMode mode = o.output != OutputMode::Auto ? o.output
                          : plan.single                ? OutputMode::Inherit
                                                       : OutputMode::Prefix;
  plan.inherit_output = mode == OutputMode::Inherit;
  plan.sink_mode = mode == OutputMode::Raw     ? SinkMode::Raw
                   : mode == OutputMode::Group ? SinkMode::Group
                                               : SinkMode::Prefix;
  plan.color = use_color(o.color, ::isatty(STDOUT_FILENO) == 1, env);
  plan.status_line = use_status_line(o.status, ::isatty(STDERR_FILENO) == 1, !plan.single, plan.inherit_output, env);
  plan.verbose = o.verbose;
  plan.tty = terminal_for(o, plan.single, plan.inherit_output);
  for (const auto& [k, v] : o.values) plan.values[k] = v;
  if (in.run_id.empty()) {
    unsigned char bytes[16];
    random_bytes(bytes);
    plan.run_id = make_run_id(bytes);
  } else {
    plan.run_id = in.run_id;
  }
  plan.path = in.path;
  unsigned char instance[8];
  random_bytes(instance);
  plan.instance_id = make_instance_id(instance);
  plan.lineage = extend_lineage(in.lineage, plan.instance_id);
  plan.base_env = environment_without(environ, job_variable_names(plan.values));
  if (auto p = plan.values.find("PATH"); p != plan.values.end()) {
    plan.search_path = p->second;
  } else {
    const char* path = env("PATH");
    plan.search_path = path ? path : "/usr/local/bin:/usr/bin:/bin";
  }
  return plan;
}

// What the summary adds about the end itself: processes left behind, and output given up on.
std::vector<std::string> aftermath_lines(const RunResult& r) {
  std::vector<std::string> out;
  if (r.leftovers_stopped > 0)
    out.push_back(message_line(fmt::format(
        "stopped {} process{} left behind by the jobs{}", r.leftovers_stopped, r.leftovers_stopped == 1 ? "" : "es",
        r.leftovers_killed > 0 ? fmt::format(" ({} with SIGKILL)", r.leftovers_killed) : "")));
  if (!r.abandoned.empty()) {
    std::string pids;
    for (pid_t p : r.abandoned) pids += fmt::format("{}{}", pids.empty() ? "" : " ", p);
    out.push_back(message_line(fmt::format("could not stop {} process{} left behind by the jobs: {}",
                                           r.abandoned.size(), r.abandoned.size() == 1 ? "" : "es", pids)));
  }
  if (r.output_dropped > 0)
    out.push_back(
        message_line(fmt::format("{} bytes of output were not written: the reader stopped reading", r.output_dropped)));
  return out;
}

// Once the run is over, still under the loop's care: the summary, and the report.
std::string epilogue(const Options& o, const Plan& plan, const Deadlines& deadline, const RunResult& result,
                     std::optional<ReportFile>& report, Exit& exit) {
  const Cause* ended_by = result.ended_by ? &*result.ended_by : nullptr;
  const Cause* first_failure = result.first_failure ? &*result.first_failure : nullptr;
  exit = exit_for({.ended_by = ended_by,
                   .first_failure = first_failure,
                   .single = plan.single,
                   .preserve_status = o.preserve_status,
                   .preserved = result.stopped_status});
  std::string text;
  for (const auto& line : summary_lines({.jobs = &result.jobs,
                          .ended_by = ended_by,
                          .first_failure = first_failure,
                          .single = plan.single,
                          .first_signal = o.signal,
                          .grace = o.grace.value,
                          .elapsed = result.ended - result.started,
                          .quiet = o.quiet,
                          .color = use_color(o.color, ::isatty(STDERR_FILENO) == 1, env)}))
    text += line;
  const Cause* cause = ended_by ? ended_by : first_failure;
  if (!o.quiet || cause)
    for (const auto& line : aftermath_lines(result)) text += line;
  if (report) {
    const std::string doc = report_json({.run_id = plan.run_id,
                                         .path = plan.path,
                                         .command_line = &o.args,
                                         .started_wall = std::chrono::time_point_cast<Duration>(result.started_wall),
                                         .started = result.started,
                                         .elapsed = result.ended - result.started,
                                         .deadline = deadline.wall,
                                         .deadline_source = deadline.steady ? deadline.steady->source : "",
                                         .cause = cause,
                                         .exit_status = exit.status,
                                         .jobs = &result.jobs});
    if (const auto error = report->commit(doc)) {  // ctxrun failed to do what it was asked
      text += message_line(*error);
      exit.status = static_cast<int>(ExitCode::Usage);
    }
  }
  return text;
}

}  // namespace

int run(const Options& o) {
  SteadyClock clock;
  const WallTime wall_now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  const Inherited in = read_inherited(env);
  const Deadlines deadline = root_deadline(o, in, clock.now(), wall_now);
  Plan plan = make_plan(o, in, deadline);
  std::optional<ReportFile> report;
  if (o.report) report.emplace(*o.report);  // now: a report that cannot be written is bad input
  // The words: the status line, and at the end the summary and the report.
  class Words final : public Presenter {
   public:
    Words(const Options& o, const Plan& plan, const Deadlines& deadline, std::optional<ReportFile>& report)
        : o_(o), plan_(plan), deadline_(deadline), report_(report) {}
    std::string status(const Progress& p, std::size_t width) override { return status_text(p, width, plan_.color); }
    std::string epilogue(const RunResult& r) override {
      return ctxrun::epilogue(o_, plan_, deadline_, r, report_, exit);
    }
    Exit exit;

   private:
    const Options& o_;
    const Plan& plan_;
    const Deadlines& deadline_;
    std::optional<ReportFile>& report_;
  } words(o, plan, deadline, report);
  // supervise() takes the jobs: the words get them back in the result, and decide the exit.
  supervise(plan, clock, words);
  if (words.exit.signal) die_by_signal(words.exit.signal);
  return words.exit.status;
}

}  // namespace ctxrun
