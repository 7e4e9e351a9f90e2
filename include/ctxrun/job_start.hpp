// job_start.hpp — everything one attempt needs before exec: environment, pipes, descriptors.
#pragma once
#include <variant>

#include "ctxrun/context.hpp"
#include "ctxrun/plan.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/spawner.hpp"

namespace ctxrun {

/// The descriptors an attempt is started with.
struct JobIo {
  bool single = false;          ///< keeps ctxrun's stdin (several jobs read /dev/null)
  bool inherit_output = false;  ///< writes to ctxrun's stdout/stderr (no pipes)
  int devnull = -1;
  int tty = -1;          ///< give the job this terminal
  int death_signal = 0;  ///< the leader's signal if ctxrun dies (see Watchdog)
};

struct StartedJob {
  Spawned spawned;
  Fd out, err;  ///< read ends of the job's stdout and stderr pipes (unless inherited)
};

/// Starts attempt `attempt` of `spec` under the job context `ctx`: its environment carries
/// the context down (CTXRUN_DEADLINE, CTXRUN_BUDGET, …, and the values).
std::variant<StartedJob, SpawnFailure> start_job(const Plan& plan, const JobSpec& spec, const Context& ctx, int attempt,
                                                 const JobIo& io_fds, const StartState& start);

}  // namespace ctxrun
