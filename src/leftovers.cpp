// leftovers.cpp — orphans found through /proc, reaped only after a WNOWAIT peek (reaper.cpp).
#include "ctxrun/leftovers.hpp"

#include <signal.h>

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/posix.hpp"
#include "ctxrun/reaper.hpp"

namespace ctxrun {

Leftovers::Leftovers(boost::asio::io_context& io, Watchdog& watchdog, int first_signal, Duration grace, Say say)
    : io_(io), watchdog_(watchdog), first_signal_(first_signal), grace_(grace), say_(std::move(say)) {}

void Leftovers::keep(std::unique_ptr<Termination> group) { groups_.push_back(std::move(group)); }

bool Leftovers::has_group(pid_t pgid) const {
  return std::any_of(groups_.begin(), groups_.end(), [pgid](const auto& t) { return t->pgid() == pgid; });
}

void Leftovers::stop_orphans(const std::function<bool(pid_t)>& job_group) {
  const auto known = [&](pid_t p) {
    if (p == watchdog_.pid() || job_group(p)) return true;
    const pid_t g = orphan_group(p);
    return has_group(g) || job_group(g);
  };
  for (pid_t orphan : living_orphans(known)) {
    const pid_t g = orphan_group(orphan);
    if (g == 0) {
      ::kill(orphan, first_signal_);  // it joined ctxrun's own group: only the process itself
      continue;
    }
    say_(fmt::format("stopping process {} (process group {}), left behind by a job", orphan, g));
    watchdog_.watch(g);
    auto& t = groups_.emplace_back(std::make_unique<Termination>(io_, g, first_signal_, grace_));
    t->begin();
  }
}

void Leftovers::reap(const std::function<bool(pid_t)>& job_leader) {
  reap_orphans(job_leader);
  std::erase_if(groups_, [this](const auto& t) {
    if (group_alive(t->pgid())) return false;
    t->finish();
    watchdog_.forget(t->pgid());
    return true;
  });
}

void Leftovers::escalate_now() {
  for (auto& t : groups_) t->escalate_now();
}

}  // namespace ctxrun
