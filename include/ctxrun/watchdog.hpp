// watchdog.hpp — tears the jobs down if ctxrun itself is SIGKILLed.
//
// A parent-death signal reaches a job's leader only, not the rest of its group. So ctxrun
// starts a watchdog: a clone(CLONE_VM) child (as posix_spawn makes its children: no page
// tables to copy, nothing to tear down) on a stack of its own, in a process group of its
// own, with every signal blocked. It sleeps on a pidfd of ctxrun, which becomes readable when
// ctxrun dies. Then it reads the process groups ctxrun registered in a table they share,
// sends each the first signal (and SIGCONT), waits for the grace period or until the
// leaders are gone, and sends SIGKILL. While ctxrun lives, the watchdog touches nothing but
// its own stack: no heap, no errno, so sharing ctxrun's memory is safe. At a normal end
// ctxrun SIGKILLs and reaps it.
//
// A descendant that left its job's group (setsid, a daemon) before ctxrun noticed it is in no
// group of the table. The watchdog finds those by the environment ctxrun's jobs pass down:
// CTXRUN_LINEAGE lists the ids of every ctxrun a process descends from, each random, so a
// nested run never touches its siblings. One that cleared its environment is not found.
//
// The watchdog exists before any job starts. A job is registered by ctxrun right after clone
// returns; the child covers the instant before with PR_SET_PDEATHSIG and a getppid() check
// before exec.
//
// ctxrun holds the watchdog by a pidfd (from clone): it signals and reaps it through that
// descriptor only, never by its pid, which the kernel may give to another process once the
// watchdog is reaped. If the watchdog dies during a run (someone killed it), ctxrun starts
// another on the same table.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ctxrun/duration.hpp"
#include "ctxrun/posix.hpp"

namespace ctxrun {

class Watchdog {
 public:
  Watchdog();
  Watchdog(Watchdog&&) noexcept;
  Watchdog& operator=(Watchdog&&) noexcept;
  ~Watchdog();

  /// Starts the watchdog with room for `groups` process groups at once; it also looks for the
  /// processes whose CTXRUN_LINEAGE holds `instance_id` (none if it is empty). Throws
  /// fmt::system_error if it cannot.
  static Watchdog start(int first_signal, Duration grace, std::size_t groups, const std::string& instance_id = {});

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  /// Readable when the watchdog has died (the loop waits on it to start another).
  int pidfd() const { return pidfd_.get(); }
  /// After it died: reaps it and starts another on the same table. Throws like start().
  void restart();
  /// Registers a process group (a job's, an orphan's). False if the table is full: that
  /// group is then not covered.
  bool watch(pid_t pgid);
  /// The group is gone: a later emergency must not signal a reused id.
  void forget(pid_t pgid);
  /// Normal end: the watchdog is SIGKILLed (reaped by stop(), later, so its exit overlaps
  /// the rest of ctxrun's work).
  void dismiss();
  /// Dismisses it if not done yet, and reaps it.
  void stop();

  struct Shared;  // the table and the settings, read by the watchdog (watchdog.cpp)

 private:
  std::unique_ptr<Shared> shared_;
  void clone_process();  // the watchdog process itself, on the shared table

  std::vector<std::size_t> free_;  // unused slots of the table (ctxrun's side only)
  pid_t pid_ = -1;                 // for messages and tests only: never signalled by number
  Fd pidfd_;
  bool dismissed_ = false;
};

}  // namespace ctxrun
