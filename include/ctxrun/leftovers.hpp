// leftovers.hpp — orphans: processes re-parented to ctxrun (the child subreaper) because the
// job process that started them ended: daemons, double forks, what escaped its job's group
// with setsid. They may live while the run goes on (a server that later jobs use); when the
// run is canceled, or once every job has ended, they get the termination sequence, and the
// run is not over until every one is gone.
//
// Each is held by a pidfd, opened while it is ctxrun's unreaped child (so the pid cannot
// have been reused), and signalled through it. One that leads a process group of its own is
// kept unreaped after it exits until that group is empty, so the whole group can be
// signalled by its id with no chance of reaching a stranger.
#pragma once
#include <sys/types.h>

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "ctxrun/termination.hpp"
#include "ctxrun/watchdog.hpp"

namespace ctxrun {

class Leftovers {
 public:
  using Say = std::function<void(std::string)>;  // --verbose
  /// `changed()` is called when an orphan exits: its children are ctxrun's now, and a group
  /// may have emptied (the loop then sweeps).
  Leftovers(boost::asio::io_context& io, Watchdog& watchdog, int first_signal, Duration grace, Say say,
            std::function<void()> changed);
  ~Leftovers();
  Leftovers(const Leftovers&) = delete;
  Leftovers& operator=(const Leftovers&) = delete;

  /// Takes on every child in `children` that is neither known to the loop (`known`) nor to us.
  /// One still in a job's process group (`job_group(pgid)`) is part of that job, stopped with
  /// it: it is held and reaped here, but not counted or named as left behind.
  void adopt(std::span<const pid_t> children, const std::function<bool(pid_t)>& known,
             const std::function<bool(pid_t)>& job_group);
  /// Reaps the orphans that exited and whose groups are empty (`roots`: where to look).
  void release(std::span<const pid_t> roots);
  /// From now on every orphan, present and future, gets the termination sequence.
  void stop();
  /// SIGKILL to every orphan now (a second signal).
  void escalate_now();

  bool empty() const { return orphans_.empty(); }
  /// The orphans still running: where a walk for a group's members starts.
  std::vector<pid_t> living() const;
  /// How many orphans were stopped, and how many of them needed SIGKILL (for the summary).
  int stopped() const { return stopped_; }
  int killed() const { return killed_; }
  /// Lets go of the orphans still there (the run gives up waiting); returns their pids.
  std::vector<pid_t> abandon();

 private:
  struct Orphan;
  bool knows(pid_t pid) const;
  void exited(const std::shared_ptr<Orphan>& o);

  boost::asio::io_context& io_;
  Watchdog& watchdog_;
  Say say_;
  std::function<void()> changed_;
  std::shared_ptr<Termination> stop_;
  std::vector<std::shared_ptr<Orphan>> orphans_;
  int stopped_ = 0, killed_ = 0;
};

}  // namespace ctxrun
