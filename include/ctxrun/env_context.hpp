// env_context.hpp — the context across processes, through the environment (CTXRUN_*).
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ctxrun/duration.hpp"

namespace ctxrun {

/// What an enclosing ctxrun handed down.
struct Inherited {
  std::optional<WallTime> deadline;  ///< CTXRUN_DEADLINE
  std::optional<Duration> budget;    ///< CTXRUN_BUDGET, relative to this process's start
  std::string run_id;                ///< CTXRUN_RUN_ID
  std::string path;                  ///< CTXRUN_PATH
  std::string lineage;               ///< CTXRUN_LINEAGE
};

/// Reads CTXRUN_* through `get` (getenv). An empty variable counts as absent. A value that
/// does not parse throws UsageError naming the variable: a deadline that cannot be read
/// cannot be honoured, so ctxrun refuses to run rather than outlive its parent.
Inherited read_inherited(const std::function<const char*(const char*)>& get);

/// The inherited deadline as seen at `now`, this process's start: the earlier of
/// CTXRUN_DEADLINE and now + CTXRUN_BUDGET (the deadline on a tie). None without either.
struct InheritedDeadline {
  Duration left;       ///< from `now`; negative once passed; held at Duration's ends
  WallTime at;         ///< on the wall clock
  const char* source;  ///< the variable that counted: "CTXRUN_DEADLINE" or "CTXRUN_BUDGET"
};
std::optional<InheritedDeadline> inherited_deadline(const Inherited& in, WallTime now);

/// `[A-Za-z_][A-Za-z0-9_]*`, and not a CTXRUN_ name (those belong to the protocol).
bool valid_value_key(std::string_view key);

/// Two lowercase hex digits per byte, in order: the ids below, and temporary file names.
std::string hex(std::span<const unsigned char> bytes);

/// 32 lowercase hex digits from 16 random bytes.
std::string make_run_id(const unsigned char (&bytes)[16]);

/// A ctxrun process's own id in CTXRUN_LINEAGE: 16 lowercase hex digits from 8 random bytes.
inline constexpr std::size_t kInstanceIdSize = 16;
std::string make_instance_id(const unsigned char (&bytes)[8]);
/// CTXRUN_LINEAGE for the jobs of a ctxrun whose own id is `id`: the inherited one, then `id`.
std::string extend_lineage(const std::string& inherited, const std::string& id);

using Variables = std::vector<std::pair<std::string, std::string>>;
/// The values given with -e, by name: every job gets them as environment variables.
using Values = std::map<std::string, std::string, std::less<>>;

/// The variables one job gets.
struct JobContext {
  std::optional<WallTime> deadline{};  ///< the job's effective deadline, if any
  Duration budget{};                   ///< time left at spawn (meaningful with a deadline)
  std::string run_id, path, lineage, job;
  std::size_t index = 1;
  int attempt = 1;
  const Values* values = nullptr;
};
Variables job_variables(const JobContext& job);

/// Names every job's environment sets, so they are removed from the inherited environment
/// once instead of per job.
std::vector<std::string> job_variable_names(const Values& values);

/// `base` (KEY=VALUE strings, e.g. environ) without the variables named in `drop`.
std::vector<std::string> environment_without(const char* const* base, const std::vector<std::string>& drop);

}  // namespace ctxrun
