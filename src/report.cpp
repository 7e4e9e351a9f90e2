// report.cpp — Boost.JSON, compiled into this one translation unit (header-only mode).
#include "ctxrun/report.hpp"

#include <boost/json/src.hpp>

#include "ctxrun/signal_name.hpp"

namespace ctxrun {
namespace json = boost::json;
namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

void end_fields(json::object& o, const std::optional<ProcessEnd>& end) {
  o["exit_status"] = nullptr;
  o["signal"] = nullptr;
  if (!end) return;
  if (const auto* e = std::get_if<Exited>(&*end)) {
    o["exit_status"] = e->code;
  } else {
    const auto& s = std::get<Signaled>(*end);
    o["signal"] = signal_name(s.signal);
    o["core_dumped"] = s.core_dumped;
  }
}

json::object cause_json(const Cause& c) {
  json::object o;
  o["kind"] = std::string(format_as(c.kind));
  o["message"] = describe(c);
  o["job"] = c.job.empty() ? json::value(nullptr) : json::value(c.job);
  end_fields(o, c.end);
  if (c.kind == CauseKind::Signal) o["signal"] = signal_name(c.signal);
  o["after_s"] = seconds(c.after);
  o["detail"] = c.detail;
  json::array chain;
  for (const auto& inner : c.chain) chain.push_back(cause_json(inner));
  o["chain"] = std::move(chain);
  return o;
}

std::string_view stop_name(StopHow h) {
  switch (h) {
    case StopHow::None: return "none";
    case StopHow::Terminated: return "terminated";
    case StopHow::Killed: return "killed";
  }
  return "none";
}

std::string_view why_name(StopWhy w) {
  switch (w) {
    case StopWhy::None: return "none";
    case StopWhy::Canceled: return "canceled";
    case StopWhy::Timeout: return "job-timeout";
  }
  return "none";
}

}  // namespace

std::string report_json(const ReportInput& in) {
  const auto wall = [&](TimePoint t) { return format_rfc3339(in.started_wall + (t - in.started)); };
  json::object doc;
  doc["ctxrun_report"] = 1;
  doc["run_id"] = in.run_id;
  doc["path"] = in.path;
  json::array args;
  if (in.command_line)
    for (const auto& a : *in.command_line) args.push_back(json::value(a));
  doc["command_line"] = std::move(args);
  doc["started"] = format_rfc3339(in.started_wall);
  doc["duration_s"] = seconds(in.elapsed);
  if (in.deadline) {
    json::object d;
    d["at"] = format_rfc3339(*in.deadline);
    d["unix"] = std::chrono::duration<double>(in.deadline->time_since_epoch()).count();
    d["source"] = in.deadline_source;
    doc["deadline"] = std::move(d);
  } else {
    doc["deadline"] = nullptr;
  }
  doc["cause"] = in.cause ? json::value(cause_json(*in.cause)) : json::value(nullptr);
  doc["exit_status"] = in.exit_status;
  json::array jobs;
  for (const auto& j : *in.jobs) {
    json::object o;
    o["name"] = j.spec.name;
    o["index"] = j.spec.index;
    o["command"] = j.spec.command;
    json::array argv;
    for (const auto& a : exec_argv(j.spec)) argv.push_back(json::value(a));
    o["argv"] = std::move(argv);
    if (j.spec.line) o["line"] = j.spec.line;
    o["outcome"] = std::string(format_as(j.outcome));
    json::array attempts;
    for (const auto& a : j.attempts) {
      json::object t;
      t["number"] = a.number;
      t["started"] = wall(a.started);
      t["ended"] = wall(a.ended);
      t["duration_s"] = seconds(a.duration());
      end_fields(t, a.end);
      t["spawn_error"] = a.spawn_error.empty() ? json::value(nullptr) : json::value(a.spawn_error);
      t["stopped"] = std::string(stop_name(a.stopped_how));
      t["stopped_because"] = std::string(why_name(a.stopped_why));
      t["stdout_bytes"] = a.out_bytes;
      t["stderr_bytes"] = a.err_bytes;
      attempts.push_back(std::move(t));
    }
    o["attempts"] = std::move(attempts);
    jobs.push_back(std::move(o));
  }
  doc["jobs"] = std::move(jobs);
  return json::serialize(doc) + "\n";
}

}  // namespace ctxrun
