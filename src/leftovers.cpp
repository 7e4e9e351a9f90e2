// leftovers.cpp — orphans found in /proc, held by pidfds, stopped by one sequence.
#include "ctxrun/leftovers.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ctxrun/descendants.hpp"
#include "ctxrun/posix.hpp"
#include "ctxrun/signal_name.hpp"

namespace ctxrun {

namespace asio = boost::asio;

struct Leftovers::Orphan {
  pid_t pid;
  pid_t group;        // its own group, which it leads (0: it leads none, or it is in ours)
  bool in_job_group;  // still in its job's group: stopped with the job, not "left behind"
  asio::posix::stream_descriptor pidfd;
  bool exited = false, signalled = false;
  Orphan(asio::io_context& io, pid_t p, pid_t g, bool j, int fd) : pid(p), group(g), in_job_group(j), pidfd(io, fd) {}
};

Leftovers::Leftovers(asio::io_context& io, Watchdog& watchdog, int first_signal, Duration grace, Say say,
                     std::function<void()> changed)
    : io_(io), watchdog_(watchdog), say_(std::move(say)), changed_(std::move(changed)) {
  stop_ = Termination::make(io, first_signal, grace, [this](int sig, const StopTarget& t) {
    for (auto& o : orphans_) {
      if (o->pidfd.native_handle() != t.pidfd || o->in_job_group) continue;
      if (!o->signalled) ++stopped_;
      if (sig == SIGKILL && !o->exited) ++killed_;
      o->signalled = true;
      say_(fmt::format("sent {} to process {}{}, left behind by a job", signal_name(sig), o->pid,
                       o->group ? fmt::format(" (process group {})", o->group) : ""));
    }
  });
}

Leftovers::~Leftovers() = default;

bool Leftovers::knows(pid_t pid) const {
  return std::any_of(orphans_.begin(), orphans_.end(), [pid](const auto& o) { return o->pid == pid; });
}

void Leftovers::adopt(std::span<const pid_t> children, const std::function<bool(pid_t)>& known,
                      const std::function<bool(pid_t)>& job_group) {
  for (pid_t pid : children) {
    if (known(pid) || knows(pid)) continue;
    // Our unreaped child: the pid is still its own, so the pidfd names it.
    Fd fd = open_pidfd(pid);
    if (!fd) continue;  // out of descriptors: the next sweep tries again
    const pid_t g = ::getpgid(pid);
    const pid_t group = g == pid && g != ::getpgrp() ? g : 0;
    auto o = std::make_shared<Orphan>(io_, pid, group, job_group(g), fd.release());
    orphans_.push_back(o);
    if (group && !watchdog_.watch(group) && watchdog_.running())
      say_(fmt::format("the watchdog's table is full: process group {} is not covered if ctxrun is killed", group));
    o->pidfd.async_wait(asio::posix::descriptor_base::wait_read, [this, o](const boost::system::error_code& ec) {
      if (!ec) exited(o);
    });
    stop_->add({o->pidfd.native_handle(), group});
  }
}

void Leftovers::exited(const std::shared_ptr<Orphan>& o) {
  o->exited = true;
  changed_();
}

void Leftovers::release(std::span<const pid_t> roots) {
  std::erase_if(orphans_, [&](const std::shared_ptr<Orphan>& o) {
    if (!o->exited || (o->group && group_has_members(o->group, roots))) return false;
    stop_->remove(o->pidfd.native_handle());
    reap(o->pidfd.native_handle());
    if (o->group) watchdog_.forget(o->group);
    o->pidfd.close();
    return true;
  });
}

void Leftovers::stop() { stop_->begin(); }

void Leftovers::escalate_now() { stop_->escalate_now(); }

std::vector<pid_t> Leftovers::living() const {
  std::vector<pid_t> out;
  for (const auto& o : orphans_)
    if (!o->exited) out.push_back(o->pid);
  return out;
}

std::vector<pid_t> Leftovers::abandon() {
  std::vector<pid_t> out;
  for (auto& o : orphans_) {
    stop_->remove(o->pidfd.native_handle());
    if (o->exited) {
      reap(o->pidfd.native_handle());
    } else {
      out.push_back(o->pid);
    }
    if (o->group) watchdog_.forget(o->group);
    o->pidfd.close();
  }
  orphans_.clear();
  return out;
}

}  // namespace ctxrun
