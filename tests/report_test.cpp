// report_test.cpp — the JSON report, parsed back with Boost.JSON.
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "ctxrun/report.hpp"

using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const ctxrun::TimePoint kT0{std::chrono::hours(1)};
// 2023-11-14T22:13:20Z
const ctxrun::WallTime kWall0{std::chrono::seconds(1'700'000'000)};

struct Run {
  std::vector<std::string> command_line{"ctxrun", "-t", "5s", "-c", "false", "-c", "sleep 9"};
  std::vector<ctxrun::JobRecord> jobs;
  ctxrun::Cause cause = ctxrun::Cause::job_failed("fail", ctxrun::Exited{1}, 1500ms);
  ctxrun::ReportInput in;

  Run() {
    ctxrun::JobRecord a;
    a.spec = {"fail", "false", {"false"}, 1, 0};
    a.outcome = ctxrun::JobOutcome::Failed;
    ctxrun::Attempt a1;
    a1.number = 1;
    a1.started = kT0 + 100ms;
    a1.ended = kT0 + 1600ms;
    a1.end = ctxrun::Exited{1};
    a1.out_bytes = 12;
    a1.err_bytes = 3;
    a.attempts.push_back(a1);

    ctxrun::JobRecord b;
    b.spec = {"sleep", "sleep 9", {"sleep", "9"}, 2, 4};
    b.outcome = ctxrun::JobOutcome::Terminated;
    ctxrun::Attempt b1;
    b1.number = 1;
    b1.started = kT0;
    b1.ended = kT0 + 1700ms;
    b1.end = ctxrun::Signaled{SIGTERM, false};
    b1.stopped_how = ctxrun::StopHow::Terminated;
    b1.stopped_why = ctxrun::StopWhy::Canceled;
    b.attempts.push_back(b1);

    ctxrun::JobRecord c;
    c.spec = {"never", "true", {"true"}, 3, 0};
    c.outcome = ctxrun::JobOutcome::NotStarted;

    jobs = {a, b, c};
    in.run_id = "0123456789abcdef0123456789abcdef";
    in.path = "ci";
    in.command_line = &command_line;
    in.started_wall = kWall0;
    in.started = kT0;
    in.elapsed = 1800ms;
    in.deadline = kWall0 + 5s;
    in.deadline_source = "--timeout 5s";
    in.cause = &cause;
    in.exit_status = 1;
    in.jobs = &jobs;
  }

  json::object parse() const {
    const std::string text = ctxrun::report_json(in);
    REQUIRE(!text.empty());
    CHECK(text.back() == '\n');
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    return json::parse(text).as_object();
  }
};

}  // namespace

TEST_CASE("report: the document is valid JSON with the run's facts", "[report]") {
  Run run;
  const auto doc = run.parse();
  CHECK(doc.at("ctxrun_report").as_int64() == 1);
  CHECK(doc.at("run_id").as_string() == "0123456789abcdef0123456789abcdef");
  CHECK(doc.at("path").as_string() == "ci");
  CHECK(doc.at("started").as_string() == "2023-11-14T22:13:20.000Z");
  CHECK(doc.at("duration_s").to_number<double>() == Approx(1.8));
  CHECK(doc.at("exit_status").as_int64() == 1);
  const auto& args = doc.at("command_line").as_array();
  REQUIRE(args.size() == run.command_line.size());
  for (std::size_t i = 0; i < args.size(); ++i) CHECK(args[i].as_string() == run.command_line[i]);
}

TEST_CASE("report: the root deadline with its source", "[report]") {
  Run run;
  const auto doc = run.parse();
  const auto& d = doc.at("deadline").as_object();
  CHECK(d.at("at").as_string() == "2023-11-14T22:13:25.000Z");
  CHECK(d.at("unix").to_number<double>() == Approx(1'700'000'005.0));
  CHECK(d.at("source").as_string() == "--timeout 5s");
}

TEST_CASE("report: no deadline is null", "[report]") {
  Run run;
  run.in.deadline.reset();
  CHECK(run.parse().at("deadline").is_null());
}

TEST_CASE("report: the cause with its kind, message and facts", "[report]") {
  Run run;
  const auto doc = run.parse();
  const auto& c = doc.at("cause").as_object();
  CHECK(c.at("kind").as_string() == "job-failed");
  CHECK(c.at("message").as_string() == "job \"fail\" exited with status 1 after 1.5s");
  CHECK(c.at("job").as_string() == "fail");
  CHECK(c.at("exit_status").as_int64() == 1);
  CHECK(c.at("signal").is_null());
  CHECK(c.at("after_s").to_number<double>() == Approx(1.5));
  CHECK(c.at("chain").as_array().empty());
}

TEST_CASE("report: no cause is null", "[report]") {
  Run run;
  run.in.cause = nullptr;
  run.in.exit_status = 0;
  const auto doc = run.parse();
  CHECK(doc.at("cause").is_null());
  CHECK(doc.at("exit_status").as_int64() == 0);
}

TEST_CASE("report: a signal cause names the signal and has no job", "[report]") {
  Run run;
  run.cause = ctxrun::Cause::received(SIGINT);
  const auto doc = run.parse();
  const auto& c = doc.at("cause").as_object();
  CHECK(c.at("kind").as_string() == "signal");
  CHECK(c.at("signal").as_string() == "SIGINT");
  CHECK(c.at("job").is_null());
  CHECK(c.at("message").as_string() == "received SIGINT");
}

TEST_CASE("report: a cause chain is nested, outermost first", "[report]") {
  Run run;
  auto inner = ctxrun::Cause::job_failed("lint", ctxrun::Exited{2}, 1s);
  ctxrun::Cause middle;
  middle.kind = ctxrun::CauseKind::Parent;
  middle.detail = "nested";
  run.cause.chain = {middle, inner};
  const auto doc = run.parse();
  const auto& chain = doc.at("cause").at("chain").as_array();
  REQUIRE(chain.size() == 2);
  CHECK(chain[0].at("kind").as_string() == "parent");
  CHECK(chain[1].at("kind").as_string() == "job-failed");
  CHECK(chain[1].at("exit_status").as_int64() == 2);
}

TEST_CASE("report: each job with its attempts", "[report]") {
  Run run;
  const auto doc = run.parse();
  const auto& jobs = doc.at("jobs").as_array();
  REQUIRE(jobs.size() == 3);

  const auto& a = jobs[0].as_object();
  CHECK(a.at("name").as_string() == "fail");
  CHECK(a.at("index").to_number<int>() == 1);
  CHECK(a.at("command").as_string() == "false");
  CHECK(a.at("argv").as_array().size() == 1);
  CHECK(a.at("outcome").as_string() == "failed");
  CHECK_FALSE(a.contains("line"));
  const auto& attempts = a.at("attempts").as_array();
  REQUIRE(attempts.size() == 1);
  const auto& t = attempts[0].as_object();
  CHECK(t.at("number").as_int64() == 1);
  CHECK(t.at("started").as_string() == "2023-11-14T22:13:20.100Z");
  CHECK(t.at("ended").as_string() == "2023-11-14T22:13:21.600Z");
  CHECK(t.at("duration_s").to_number<double>() == Approx(1.5));
  CHECK(t.at("exit_status").as_int64() == 1);
  CHECK(t.at("signal").is_null());
  CHECK(t.at("spawn_error").is_null());
  CHECK(t.at("stopped").as_string() == "none");
  CHECK(t.at("stopped_because").as_string() == "none");
  CHECK(t.at("stdout_bytes").to_number<int>() == 12);
  CHECK(t.at("stderr_bytes").to_number<int>() == 3);
}

TEST_CASE("report: a job stopped by a signal has a signal and no exit status", "[report]") {
  Run run;
  const auto doc = run.parse();
  const auto& b = doc.at("jobs").as_array()[1].as_object();
  CHECK(b.at("outcome").as_string() == "terminated");
  CHECK(b.at("line").as_int64() == 4);
  const auto& argv = b.at("argv").as_array();
  REQUIRE(argv.size() == 2);
  CHECK(argv[1].as_string() == "9");
  const auto& t = b.at("attempts").as_array()[0].as_object();
  CHECK(t.at("exit_status").is_null());
  CHECK(t.at("signal").as_string() == "SIGTERM");
  CHECK(t.at("core_dumped").as_bool() == false);
  CHECK(t.at("stopped").as_string() == "terminated");
  CHECK(t.at("stopped_because").as_string() == "canceled");
}

TEST_CASE("report: a job never started has no attempts", "[report]") {
  Run run;
  const auto doc = run.parse();
  const auto& c = doc.at("jobs").as_array()[2].as_object();
  CHECK(c.at("outcome").as_string() == "not-started");
  CHECK(c.at("attempts").as_array().empty());
}

TEST_CASE("report: a spawn error and a job timeout are recorded", "[report]") {
  Run run;
  auto& a = run.jobs[0].attempts[0];
  a.end.reset();
  a.spawn_error = "nope: No such file or directory";
  auto& b = run.jobs[1].attempts[0];
  b.stopped_how = ctxrun::StopHow::Killed;
  b.stopped_why = ctxrun::StopWhy::Timeout;
  const auto doc = run.parse();
  const auto& ta = doc.at("jobs").as_array()[0].at("attempts").as_array()[0];
  CHECK(ta.at("spawn_error").as_string() == "nope: No such file or directory");
  CHECK(ta.at("exit_status").is_null());
  CHECK(ta.at("signal").is_null());
  const auto& tb = doc.at("jobs").as_array()[1].at("attempts").as_array()[0];
  CHECK(tb.at("stopped").as_string() == "killed");
  CHECK(tb.at("stopped_because").as_string() == "job-timeout");
}

TEST_CASE("report: strings with quotes, backslashes and control bytes stay valid JSON", "[report]") {
  Run run;
  run.jobs[0].spec.command = "echo \"a\\b\"\n\t\x01";
  run.command_line.push_back("caf\xc3\xa9");
  const auto doc = run.parse();
  CHECK(doc.at("jobs").as_array()[0].at("command").as_string() == "echo \"a\\b\"\n\t\x01");
  CHECK(doc.at("command_line").as_array().back().as_string() == "caf\xc3\xa9");
}
