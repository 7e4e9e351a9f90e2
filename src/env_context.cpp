// env_context.cpp — CTXRUN_* in and out.
#include "ctxrun/env_context.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "ctxrun/error.hpp"

namespace ctxrun {
namespace {

constexpr const char* kDeadline = "CTXRUN_DEADLINE";
constexpr const char* kBudget = "CTXRUN_BUDGET";
constexpr const char* kRunId = "CTXRUN_RUN_ID";
constexpr const char* kPath = "CTXRUN_PATH";
constexpr const char* kLineage = "CTXRUN_LINEAGE";
constexpr std::size_t kMaxIds = 63;  // in any lineage: nested runs, far more than any real tree
constexpr const char* kJob = "CTXRUN_JOB";
constexpr const char* kJobIndex = "CTXRUN_JOB_INDEX";
constexpr const char* kAttempt = "CTXRUN_ATTEMPT";

const char* present(const std::function<const char*(const char*)>& get, const char* name) {
  const char* v = get(name);
  return v && *v ? v : nullptr;
}

bool digits_and_dot(std::string_view s) {
  if (s.empty()) return false;
  const auto dot = s.find('.');
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!(s[i] >= '0' && s[i] <= '9') && i != dot) return false;
  return dot != 0 && dot != s.size() - 1;
}

}  // namespace

Inherited read_inherited(const std::function<const char*(const char*)>& get) {
  Inherited in;
  if (const char* v = present(get, kDeadline)) {
    // Unix seconds with decimals: @-syntax of parse_deadline without the '@'.
    if (!digits_and_dot(v)) throw bad_value(kDeadline, v, "expected Unix seconds, as in 1700000000.25");
    try {
      in.deadline = parse_deadline(fmt::format("@{}", v), WallTime{});
    } catch (const ParseError& e) {
      throw bad_value(kDeadline, v, e.what());
    }
  }
  if (const char* v = present(get, kBudget)) {
    if (!digits_and_dot(v)) throw bad_value(kBudget, v, "expected seconds, as in 12.5");
    try {
      in.budget = parse_duration(v);
    } catch (const ParseError& e) {
      throw bad_value(kBudget, v, e.what());
    }
  }
  if (const char* v = present(get, kRunId)) {
    const std::string_view id = v;
    const bool ok = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
                      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                             c == '_';
                    });
    if (!ok) throw bad_value(kRunId, v, "expected up to 64 letters, digits, '-' or '_'");
    in.run_id = id;
  }
  if (const char* v = present(get, kPath)) in.path = v;
  if (const char* v = present(get, kLineage)) {
    // ID(:ID)*, each 16 lowercase hex digits: the watchdog matches its own id by position.
    const std::string_view l = v;
    bool ok = (l.size() + 1) % (kInstanceIdSize + 1) == 0;
    for (std::size_t i = 0; ok && i < l.size(); ++i)
      ok = (i + 1) % (kInstanceIdSize + 1) == 0 ? l[i] == ':'
                                                : (l[i] >= '0' && l[i] <= '9') || (l[i] >= 'a' && l[i] <= 'f');
    if (!ok) throw bad_value(kLineage, v, "expected ids of 16 lowercase hex digits joined by ':'");
    // Ours would be one id more: refused here, by the run that would make it.
    if ((l.size() + 1) / (kInstanceIdSize + 1) >= kMaxIds)
      throw bad_value(kLineage, v, fmt::format("ctxruns nested {} deep already, the most there can be", kMaxIds));
    in.lineage = l;
  }
  return in;
}

std::optional<InheritedDeadline> inherited_deadline(const Inherited& in, WallTime now) {
  std::optional<InheritedDeadline> d;
  if (in.deadline) d = InheritedDeadline{sub_saturating(*in.deadline, now), *in.deadline, kDeadline};
  // The budget counts from this process's start: relative, so a skewed clock cannot move it.
  if (in.budget && (!d || *in.budget < d->left))
    d = InheritedDeadline{*in.budget, add_saturating(now, *in.budget), kBudget};
  return d;
}

bool valid_value_key(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return key.rfind("CTXRUN_", 0) != 0;
}

std::string hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

std::string make_run_id(const unsigned char (&bytes)[16]) { return hex(bytes); }

std::string make_instance_id(const unsigned char (&bytes)[8]) { return hex(bytes); }

std::string extend_lineage(const std::string& inherited, const std::string& id) {
  return inherited.empty() ? id : inherited + ":" + id;
}

Variables job_variables(const JobContext& job) {
  Variables vars;
  vars.reserve(8 + (job.values ? job.values->size() : 0));
  if (job.deadline) {
    vars.emplace_back(kDeadline, format_unix(*job.deadline));
    vars.emplace_back(kBudget, format_seconds(std::max(job.budget, Duration::zero())));
  }
  vars.emplace_back(kRunId, job.run_id);
  vars.emplace_back(kPath, job.path.empty() ? job.job : fmt::format("{}/{}", job.path, job.job));
  if (!job.lineage.empty()) vars.emplace_back(kLineage, job.lineage);
  vars.emplace_back(kJob, job.job);
  vars.emplace_back(kJobIndex, std::to_string(job.index));
  vars.emplace_back(kAttempt, std::to_string(job.attempt));
  if (job.values)
    for (const auto& [k, v] : *job.values) vars.emplace_back(k, v);
  return vars;
}

std::vector<std::string> job_variable_names(const Values& values) {
  std::vector<std::string> names = {kDeadline, kBudget,  kRunId,           kPath, kLineage, kJob,
                                    kJobIndex, kAttempt, "CTXRUN_CAUSE_FD"};
  for (const auto& [k, v] : values) names.push_back(k);
  return names;
}

std::vector<std::string> environment_without(const char* const* base, const std::vector<std::string>& drop) {
  std::vector<std::string> out;
  for (const char* const* e = base; e && *e; ++e) {
    const std::string_view entry = *e;
    const auto eq = entry.find('=');
    const std::string_view key = entry.substr(0, eq);
    if (std::find(drop.begin(), drop.end(), key) == drop.end()) out.emplace_back(entry);
  }
  return out;
}

}  // namespace ctxrun
