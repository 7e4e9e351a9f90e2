// env_context_test.cpp — CTXRUN_* read from a fake environment, and written for jobs.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/env_context.hpp"
#include "ctxrun/error.hpp"
#include "fake_env.hpp"

using namespace std::chrono_literals;
using Catch::Contains;

namespace {

using test::FakeEnv;

ctxrun::WallTime unix_ns(long long ns) { return ctxrun::WallTime(std::chrono::nanoseconds(ns)); }

std::string find(const ctxrun::Variables& vars, const std::string& key) {
  for (const auto& [k, v] : vars)
    if (k == key) return v;
  return "<absent>";
}

}  // namespace

TEST_CASE("env_context: nothing set means nothing inherited", "[env_context]") {
  FakeEnv env;
  const auto in = ctxrun::read_inherited(env.get());
  CHECK_FALSE(in.deadline.has_value());
  CHECK_FALSE(in.budget.has_value());
  CHECK(in.run_id.empty());
  CHECK(in.path.empty());
}

TEST_CASE("env_context: an empty variable counts as absent", "[env_context]") {
  FakeEnv env{{{"CTXRUN_DEADLINE", ""}, {"CTXRUN_BUDGET", ""}, {"CTXRUN_RUN_ID", ""}, {"CTXRUN_PATH", ""}}};
  const auto in = ctxrun::read_inherited(env.get());
  CHECK_FALSE(in.deadline.has_value());
  CHECK_FALSE(in.budget.has_value());
  CHECK(in.run_id.empty());
  CHECK(in.path.empty());
}

TEST_CASE("env_context: valid variables are read", "[env_context]") {
  FakeEnv env{{{"CTXRUN_DEADLINE", "1700000000.25"},
               {"CTXRUN_BUDGET", "12.5"},
               {"CTXRUN_RUN_ID", "0123456789abcdef0123456789abcdef"},
               {"CTXRUN_PATH", "ci/checks"},
               {"CTXRUN_LINEAGE", "0123456789abcdef:fedcba9876543210"}}};
  const auto in = ctxrun::read_inherited(env.get());
  CHECK(in.deadline == unix_ns(1'700'000'000'250'000'000LL));
  CHECK(in.budget == 12500ms);
  CHECK(in.run_id == "0123456789abcdef0123456789abcdef");
  CHECK(in.path == "ci/checks");
  CHECK(in.lineage == "0123456789abcdef:fedcba9876543210");
}

TEST_CASE("env_context: a whole-second deadline and budget are read", "[env_context]") {
  FakeEnv env{{{"CTXRUN_DEADLINE", "1700000000"}, {"CTXRUN_BUDGET", "0"}}};
  const auto in = ctxrun::read_inherited(env.get());
  CHECK(in.deadline == unix_ns(1'700'000'000'000'000'000LL));
  CHECK(in.budget == ctxrun::Duration::zero());
}

TEST_CASE("env_context: an invalid variable is a usage error naming it and its value", "[env_context]") {
  auto [name, value] = GENERATE(table<std::string, std::string>({
      {"CTXRUN_DEADLINE", "soon"},
      {"CTXRUN_DEADLINE", "-5"},
      {"CTXRUN_DEADLINE", "1700000000.2.5"},
      {"CTXRUN_DEADLINE", "@1700000000"},
      {"CTXRUN_DEADLINE", "2026-11-23T15:04:05Z"},
      {"CTXRUN_DEADLINE", "99999999999999999999"},
      {"CTXRUN_DEADLINE", "1."},
      {"CTXRUN_BUDGET", "5s"},
      {"CTXRUN_BUDGET", "-1"},
      {"CTXRUN_BUDGET", "abc"},
      {"CTXRUN_BUDGET", ".5"},
      {"CTXRUN_RUN_ID", "has space"},
      {"CTXRUN_RUN_ID", "semi;colon"},
      {"CTXRUN_RUN_ID", std::string(65, 'a')},
      {"CTXRUN_LINEAGE", "0123456789abcde"},                    // an id one digit short
      {"CTXRUN_LINEAGE", "0123456789ABCDEF"},                   // upper case
      {"CTXRUN_LINEAGE", "0123456789abcdef:"},                  // a ':' with no id after it
      {"CTXRUN_LINEAGE", "0123456789abcdef;0123456789abcdef"},  // another separator
      {"CTXRUN_LINEAGE", "0123456789abcdef0123456789abcdef"},   // two ids, no separator
  }));
  CAPTURE(name, value);
  FakeEnv env{{{name, value}}};
  CHECK_THROWS_AS(ctxrun::read_inherited(env.get()), ctxrun::UsageError);
  CHECK_THROWS_WITH(ctxrun::read_inherited(env.get()), Contains(name) && Contains(value.substr(0, 60)));
}

// An environment string can be up to 128 KiB: the one-line error must not echo it whole.
TEST_CASE("env_context: a long invalid value is quoted cut short", "[env_context]") {
  std::string lineage = "0123456789abcdef";
  for (int i = 1; i < 7000; ++i) lineage += ":0123456789abcdef";
  auto [name, value] = GENERATE_COPY(table<std::string, std::string>({
      {"CTXRUN_LINEAGE", lineage},
      {"CTXRUN_RUN_ID", std::string(100'000, 'a')},
      {"CTXRUN_BUDGET", std::string(500, '1')},
  }));
  CAPTURE(name);
  FakeEnv env{{{name, value}}};
  try {
    ctxrun::read_inherited(env.get());
    FAIL("no UsageError");
  } catch (const ctxrun::UsageError& e) {
    const std::string text = e.what();
    CHECK(text.size() < 200);
    CHECK_THAT(text, Catch::StartsWith(name + ": invalid value \"" + value.substr(0, 60) + "\"\u2026 (" +
                                       std::to_string(value.size()) + " bytes): "));
  }
}

TEST_CASE("env_context: valid_value_key accepts variable names and refuses CTXRUN_", "[env_context]") {
  auto [key, ok] = GENERATE(table<std::string, bool>({
      {"A", true},
      {"_", true},
      {"foo_bar", true},
      {"X1", true},
      {"_9", true},
      {"", false},
      {"1A", false},
      {"A-B", false},
      {"A B", false},
      {"A=B", false},
      {"caf\xc3\xa9", false},
      {"CTXRUN_X", false},
      {"CTXRUN_", false},
      {"CTXRUNX", true},
      {"ctxrun_x", true},
  }));
  CAPTURE(key);
  CHECK(ctxrun::valid_value_key(key) == ok);
}

TEST_CASE("env_context: make_run_id is 32 lowercase hex digits of the bytes", "[env_context]") {
  const unsigned char bytes[16] = {0x00, 0x01, 0x0a, 0xff, 0x10, 0xab, 0xcd, 0xef,
                                   0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  const auto id = ctxrun::make_run_id(bytes);
  CHECK(id == "00010aff10abcdef123456789abcdef0");
  CHECK(id.size() == 32);
  CHECK(std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
}

TEST_CASE("env_context: a made run id is accepted back as CTXRUN_RUN_ID", "[env_context]") {
  const unsigned char bytes[16] = {0xde, 0xad, 0xbe, 0xef};
  FakeEnv env{{{"CTXRUN_RUN_ID", ctxrun::make_run_id(bytes)}}};
  CHECK(ctxrun::read_inherited(env.get()).run_id == ctxrun::make_run_id(bytes));
}

TEST_CASE("env_context: job_variables with a deadline", "[env_context]") {
  const std::map<std::string, std::string, std::less<>> values{{"ENV", "ci"}, {"REGION", "eu"}};
  ctxrun::JobContext job;
  job.deadline = unix_ns(1'700'000'000'250'000'000LL);
  job.budget = 12500ms;
  job.run_id = "abc";
  job.path = "ci/checks";
  job.job = "lint";
  job.index = 3;
  job.attempt = 2;
  job.values = &values;
  const auto vars = ctxrun::job_variables(job);
  CHECK(find(vars, "CTXRUN_DEADLINE") == "1700000000.25");
  CHECK(find(vars, "CTXRUN_BUDGET") == "12.5");
  CHECK(find(vars, "CTXRUN_RUN_ID") == "abc");
  CHECK(find(vars, "CTXRUN_PATH") == "ci/checks/lint");
  CHECK(find(vars, "CTXRUN_JOB") == "lint");
  CHECK(find(vars, "CTXRUN_JOB_INDEX") == "3");
  CHECK(find(vars, "CTXRUN_ATTEMPT") == "2");
  CHECK(find(vars, "ENV") == "ci");
  CHECK(find(vars, "REGION") == "eu");
  CHECK(vars.size() == 9);
}

TEST_CASE("env_context: job_variables without a deadline has no deadline nor budget", "[env_context]") {
  ctxrun::JobContext job;
  job.run_id = "abc";
  job.job = "lint";
  const auto vars = ctxrun::job_variables(job);
  CHECK(find(vars, "CTXRUN_DEADLINE") == "<absent>");
  CHECK(find(vars, "CTXRUN_BUDGET") == "<absent>");
  CHECK(find(vars, "CTXRUN_PATH") == "lint");  // no outer path: the job's name alone
  CHECK(find(vars, "CTXRUN_JOB_INDEX") == "1");
  CHECK(find(vars, "CTXRUN_ATTEMPT") == "1");
  CHECK(vars.size() == 5);
}

TEST_CASE("env_context: a budget already spent is written as zero", "[env_context]") {
  ctxrun::JobContext job;
  job.deadline = unix_ns(1'000'000'000);
  job.budget = -3s;
  CHECK(find(ctxrun::job_variables(job), "CTXRUN_BUDGET") == "0");
}

TEST_CASE("env_context: the variables a job gets read back as the same context", "[env_context]") {
  ctxrun::JobContext job;
  job.deadline = unix_ns(1'700'000'000'123'456'789LL);
  job.budget = 1500ms;
  job.run_id = "0123456789abcdef0123456789abcdef";
  job.path = "outer";
  job.lineage = ctxrun::extend_lineage("0123456789abcdef", "fedcba9876543210");
  job.job = "inner";
  FakeEnv env;
  for (const auto& [k, v] : ctxrun::job_variables(job)) env.vars[k] = v;
  const auto in = ctxrun::read_inherited(env.get());
  CHECK(in.deadline == job.deadline);
  CHECK(in.budget == 1500ms);
  CHECK(in.run_id == job.run_id);
  CHECK(in.path == "outer/inner");
  CHECK(in.lineage == "0123456789abcdef:fedcba9876543210");
}

TEST_CASE("env_context: a lineage starts with the first id and grows by one id a level", "[env_context]") {
  const unsigned char a[8] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
  const auto id = ctxrun::make_instance_id(a);
  CHECK(id == "0123456789abcdef");
  CHECK(ctxrun::extend_lineage("", id) == id);
  CHECK(ctxrun::extend_lineage(id, "fedcba9876543210") == "0123456789abcdef:fedcba9876543210");
  // The longest lineage a ctxrun accepts has 62 ids: its jobs' has 63, the most there can be.
  std::string deep = id;
  for (int i = 1; i < 62; ++i) deep = ctxrun::extend_lineage(deep, id);
  FakeEnv ok{{{"CTXRUN_LINEAGE", deep}}};
  CHECK(ctxrun::read_inherited(ok.get()).lineage == deep);
  FakeEnv too_deep{{{"CTXRUN_LINEAGE", ctxrun::extend_lineage(deep, id)}}};
  CHECK_THROWS_WITH(ctxrun::read_inherited(too_deep.get()), Contains("nested 63 deep already"));
}

TEST_CASE("env_context: job_variable_names covers every variable a job gets", "[env_context]") {
  const std::map<std::string, std::string, std::less<>> values{{"ENV", "ci"}};
  ctxrun::JobContext job;
  job.deadline = unix_ns(1);
  job.lineage = "0123456789abcdef";
  job.values = &values;
  const auto names = ctxrun::job_variable_names(values);
  for (const auto& [k, v] : ctxrun::job_variables(job)) {
    CAPTURE(k);
    CHECK(std::find(names.begin(), names.end(), k) != names.end());
  }
  CHECK(std::find(names.begin(), names.end(), "CTXRUN_CAUSE_FD") != names.end());
}

TEST_CASE("env_context: environment_without drops exactly the named keys", "[env_context]") {
  const char* const base[] = {"PATH=/bin", "CTXRUN_JOB=old", "CTXRUN_JOBS=keep",   "ENV=prod",
                              "NOEQUALS",  "A=b=c",          "CTXRUN_JOB_INDEX=7", nullptr};
  const auto out = ctxrun::environment_without(base, {"CTXRUN_JOB", "ENV", "CTXRUN_JOB_INDEX"});
  CHECK(out == std::vector<std::string>{"PATH=/bin", "CTXRUN_JOBS=keep", "NOEQUALS", "A=b=c"});
}

TEST_CASE("env_context: environment_without of an empty environment is empty", "[env_context]") {
  const char* const base[] = {nullptr};
  CHECK(ctxrun::environment_without(base, {"X"}).empty());
  CHECK(ctxrun::environment_without(nullptr, {"X"}).empty());
}

TEST_CASE("env_context: the inherited deadline is the earlier of the deadline and the budget", "[env_context]") {
  const auto now = unix_ns(1'700'000'000'000'000'000LL);
  CHECK_FALSE(ctxrun::inherited_deadline({}, now).has_value());
  ctxrun::Inherited in;
  in.deadline = now + 10s;
  auto d = ctxrun::inherited_deadline(in, now);
  REQUIRE(d);
  CHECK(d->left == 10s);
  CHECK(d->at == now + 10s);
  CHECK(std::string(d->source) == "CTXRUN_DEADLINE");
  in.budget = 4s;  // from now: earlier
  d = ctxrun::inherited_deadline(in, now);
  CHECK(d->left == 4s);
  CHECK(d->at == now + 4s);
  CHECK(std::string(d->source) == "CTXRUN_BUDGET");
  in.budget = 10s;  // a tie: the deadline counts
  CHECK(std::string(ctxrun::inherited_deadline(in, now)->source) == "CTXRUN_DEADLINE");
}

TEST_CASE("env_context: an inherited deadline already passed has negative time left", "[env_context]") {
  const auto now = unix_ns(1'700'000'000'000'000'000LL);
  ctxrun::Inherited in;
  in.deadline = now - 2s;
  in.budget = 5s;
  const auto d = ctxrun::inherited_deadline(in, now);
  REQUIRE(d);
  CHECK(d->left == -2s);
  in.deadline = ctxrun::WallTime::min();  // long past: held, not overflowed into the future
  CHECK(ctxrun::inherited_deadline(in, now)->left == ctxrun::Duration::min());
}
