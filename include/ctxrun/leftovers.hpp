// leftovers.hpp — what jobs leave behind: process groups with members after their job's
// command ended, and orphans (descendants re-parented to ctxrun, the child subreaper). Each
// gets the termination sequence; the run is not over until every one is gone.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ctxrun/duration.hpp"
#include "ctxrun/termination.hpp"
#include "ctxrun/watchdog.hpp"

namespace ctxrun {

class Leftovers {
 public:
  using Say = std::function<void(std::string)>;  // --verbose
  Leftovers(boost::asio::io_context& io, Watchdog& watchdog, int first_signal, Duration grace, Say say);

  /// A job's group that still has members after the job ended: its sequence goes on here.
  void keep(std::unique_ptr<Termination> group);
  /// Starts the sequence for every living orphan. `job_group(pgid)` is true for the groups of
  /// running jobs, which their own sequence covers.
  void stop_orphans(const std::function<bool(pid_t)>& job_group);
  /// After SIGCHLD: reaps exited orphans (never a job leader: `job_leader(pid)`), and lets go
  /// of the groups that are gone.
  void reap(const std::function<bool(pid_t)>& job_leader);
  /// A second signal: SIGKILL to everything still being stopped.
  void escalate_now();
  bool empty() const { return groups_.empty(); }

 private:
  bool has_group(pid_t pgid) const;

  boost::asio::io_context& io_;
  Watchdog& watchdog_;
  int first_signal_;
  Duration grace_;
  Say say_;
  std::vector<std::unique_ptr<Termination>> groups_;
};

}  // namespace ctxrun
