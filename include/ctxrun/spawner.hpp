// spawner.hpp — starts one job: its own process group, a clean slate, exec errors as data.
#pragma once
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ctxrun/posix.hpp"

namespace ctxrun {


struct SpawnRequest {
  const std::vector<std::string>* argv = nullptr;  ///< argv[0] as given: resolved on `path`
  const char* const* envp = nullptr;               ///< the job's whole environment
  std::string path;                                ///< the PATH to search
  int in = -1, out = -1, err = -1;                 ///< dup2'd onto 0/1/2; -1 keeps ctxrun's
  int tty = -1;                                    ///< if set, the job's group gets this terminal
  int death_signal = 0;                            ///< PR_SET_PDEATHSIG for the leader (0: none)
  const StartState* start = nullptr;
};

struct SpawnFailure {
  int error;            ///< errno: ENOENT, EACCES, ...
  std::string message;  ///< `foo: No such file or directory`
};

/// A started job: pid == pgid, and a pidfd to wait on (O_CLOEXEC). Not reaped yet.
struct Spawned {
  pid_t pid;
  Fd pidfd;
};

/// Starts argv in a new process group with Boost.Process v2's vfork_launcher (no copy of
/// ctxrun's memory). The child: default signal dispositions for every signal ctxrun ignores
/// or catches, the mask ctxrun started with, the original fd limit, only fds 0/1/2 across
/// exec, `death_signal` if ctxrun dies (and no exec at all if it already has). Exec errors
/// come back as a SpawnFailure, with no zombie and no duplicated stdio (P2–P5 of the Boost
/// 1.81 notes); a script without #! runs with /bin/sh.
///
/// Waiting is the caller's, on `pidfd`: Boost's async_wait ends in a blocking waitpid, which
/// a stale readiness (Asio recycles descriptor states) would turn into a stall of the loop.
std::variant<Spawned, SpawnFailure> spawn(const SpawnRequest& request);

}  // namespace ctxrun
