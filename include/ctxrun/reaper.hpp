// reaper.hpp — orphans: descendants that left their job's group (setsid, double fork) and,
// with ctxrun a child subreaper, were re-parented to it.
#pragma once
#include <sys/types.h>

#include <functional>
#include <vector>

namespace ctxrun {

/// Reaps every exited child for which `is_job(pid)` is false, without touching job leaders
/// (their Boost handles reap them): a waitid(WNOWAIT) peek comes first. Stops at an exited
/// job leader, which blocks the peek until its handle reaps it: call again after that.
/// Returns how many were reaped.
int reap_orphans(const std::function<bool(pid_t)>& is_job);

/// The living children that are not jobs: orphans still running (and their own groups are
/// theirs to answer for). Read from /proc/self/task/PID/children.
std::vector<pid_t> living_orphans(const std::function<bool(pid_t)>& is_known);

/// The process group to signal for an orphan: its own, unless it is ctxrun's (then none).
pid_t orphan_group(pid_t pid);

}  // namespace ctxrun
