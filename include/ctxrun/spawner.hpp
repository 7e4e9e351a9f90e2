// spawner.hpp — starts one job: its own process group, a clean slate, exec errors as data.
#pragma once
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
  int error;            ///< errno: ENOENT, EACCES, EMFILE, EAGAIN, ...
  std::string message;  ///< `foo: No such file or directory`, `clone: Resource temporarily unavailable`
  /// The system ran short (descriptors, processes, memory), not the command: see exit_code.
  bool resource_shortage() const;
};

/// A started job: pid == pgid, and a pidfd that names it (close-on-exec). Not reaped yet.
struct Spawned {
  pid_t pid;
  Fd pidfd;
};

/// Starts argv in a new process group, as posix_spawn(3) does: clone(CLONE_VM | CLONE_VFORK)
/// with a stack of its own, so nothing of ctxrun's memory is copied, and CLONE_PIDFD, so the
/// pidfd comes with the process (no pid is ever looked up by number). The child: default
/// dispositions for every signal ctxrun ignores or catches, the mask ctxrun started with, the
/// original fd limit, only fds 0/1/2 across exec, `death_signal` if ctxrun dies (and no exec
/// at all if it already has). Exec errors come back as a SpawnFailure with no zombie left; a
/// script without #! runs with /bin/sh. Waiting is the caller's, on `pidfd`.
std::variant<Spawned, SpawnFailure> spawn(const SpawnRequest& request);

}  // namespace ctxrun
