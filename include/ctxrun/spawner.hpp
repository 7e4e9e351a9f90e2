// spawner.hpp — starts one job: its own process group, a clean slate, exec errors as data.
#pragma once
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ctxrun/posix.hpp"

namespace boost::asio {
class io_context;
}

namespace ctxrun {

class ChildProcess;  // the Boost.Process handle (src/child_process.hpp): kept out of this header
struct ChildDeleter {
  void operator()(ChildProcess* p) const;
};
using ChildPtr = std::unique_ptr<ChildProcess, ChildDeleter>;

struct SpawnRequest {
  const std::vector<std::string>* argv = nullptr;  ///< argv[0] as given: resolved on `path`
  const char* const* envp = nullptr;               ///< the job's whole environment
  std::string path;                                ///< the PATH to search
  int in = -1, out = -1, err = -1;                 ///< dup2'd onto 0/1/2; -1 keeps ctxrun's
  int tty = -1;                                    ///< if set, the job's group gets this terminal
  int watchdog = -1;                               ///< the child registers its group here
  const StartState* start = nullptr;
};

struct SpawnFailure {
  int error;            ///< errno: ENOENT, EACCES, ...
  std::string message;  ///< `foo: No such file or directory`
};

/// A started job: pid == pgid. `process` is the Boost handle the loop waits on.
struct Spawned {
  pid_t pid;
  ChildPtr process;
};

/// Starts argv in a new process group. The child: default signal dispositions for every
/// signal ctxrun ignores or catches, the mask ctxrun started with, the original fd limit,
/// only fds 0/1/2 across exec, its group registered with the watchdog before exec, and exec
/// errors reported back (no zombie, no duplicated stdio: P2–P5 of the Boost 1.81 notes).
std::variant<Spawned, SpawnFailure> spawn(boost::asio::io_context& io, const SpawnRequest& request);

}  // namespace ctxrun
