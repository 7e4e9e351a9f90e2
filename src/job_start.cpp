// job_start.cpp — builds the job's environment and descriptors, then hands over to spawn().
#include "ctxrun/job_start.hpp"

#include <fcntl.h>

#include "ctxrun/env_context.hpp"

namespace ctxrun {

std::variant<StartedJob, SpawnFailure> start_job(const Plan& plan, const JobSpec& spec, const Context& ctx, int attempt,
                                                 const JobIo& fds, const StartState& start) {
  JobContext jc{.run_id = plan.run_id,
                .path = plan.path,
                .lineage = plan.lineage,
                .job = spec.name,
                .index = spec.index,
                .attempt = attempt,
                .values = &plan.values};
  if (const auto& d = ctx.deadline()) {
    // Down the tree the deadline travels as wall time and as a budget: the budget is immune
    // to clock differences (gRPC's grpc-timeout), the wall time to spawn delays.
    const auto now = ctx.clock().now();
    jc.budget = sub_saturating(d->at, now);
    jc.deadline = add_saturating(std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()), jc.budget);
  }
  std::vector<std::string> vars;
  for (auto& [k, v] : job_variables(jc)) vars.push_back(k + "=" + v);
  std::vector<const char*> envp;
  envp.reserve(plan.base_env.size() + vars.size() + 1);
  for (const auto& e : plan.base_env) envp.push_back(e.c_str());
  for (const auto& e : vars) envp.push_back(e.c_str());
  envp.push_back(nullptr);

  StartedJob job{};
  Pipe out, err;
  try {
    if (!fds.inherit_output) {
      out = make_pipe();
      err = make_pipe();
    }
  } catch (const std::system_error& e) {
    return SpawnFailure{e.code().value(), e.what()};
  }
  SpawnRequest req;
  const std::vector<std::string> argv = exec_argv(spec);
  req.argv = &argv;
  req.envp = envp.data();
  req.path = plan.search_path;
  req.in = fds.single ? -1 : fds.devnull;
  req.out = out.write.get();
  req.err = err.write.get();
  req.tty = fds.tty;
  req.death_signal = fds.death_signal;
  req.start = &start;
  auto result = spawn(req);
  if (auto* f = std::get_if<SpawnFailure>(&result)) return *f;
  job.spawned = std::move(std::get<Spawned>(result));
  job.out = std::move(out.read);  // the write ends close here: the job holds the only copies
  job.err = std::move(err.read);
  return job;
}

}  // namespace ctxrun
