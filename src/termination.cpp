// termination.cpp — one sequence for any number of targets; every target gets each signal in
// the same loop turn.
#include "ctxrun/termination.hpp"

#include <algorithm>
#include <csignal>

#include "ctxrun/posix.hpp"

namespace ctxrun {

std::shared_ptr<Termination> Termination::make(boost::asio::io_context& io, int first_signal, Duration grace,
                                               Sent sent) {
  auto t = std::make_shared<Termination>(Tag{}, io, first_signal, grace, std::move(sent));
  t->self_ = t;
  return t;
}

Termination::Termination(Tag, boost::asio::io_context& io, int first_signal, Duration grace, Sent sent)
    : timer_(io), first_signal_(first_signal), grace_(grace), sent_(std::move(sent)) {}

void Termination::send(const StopTarget& t, int sig) {
  // The group first: the process itself may have left it (or joined ctxrun's own), and the
  // pidfd reaches it wherever it went.
  const Delivery g = t.group > 0 ? signal_group(t.group, sig) : Delivery::Gone;
  const Delivery p = signal_process(t.pidfd, sig);
  if ((g == Delivery::Sent || p == Delivery::Sent) && sent_) sent_(sig, t);
}

void Termination::signal_first(const StopTarget& t) {
  send(t, first_signal_);
  // A stopped process cannot act on the signal: wake it (timeout(1) does the same).
  if (first_signal_ != SIGKILL && first_signal_ != SIGCONT) {
    if (t.group > 0) signal_group(t.group, SIGCONT);
    signal_process(t.pidfd, SIGCONT);
  }
}

void Termination::add(StopTarget target) {
  targets_.push_back(target);
  if (phase_ == Phase::Signalled) signal_first(target);
  if (phase_ == Phase::Killed) send(target, SIGKILL);
}

void Termination::remove(int pidfd) {
  std::erase_if(targets_, [pidfd](const StopTarget& t) { return t.pidfd == pidfd; });
}

void Termination::begin() {
  if (phase_ != Phase::Idle) return;
  if (first_signal_ == SIGKILL) {
    escalate_now();
    early_ = false;  // SIGKILL was the sequence asked for
    return;
  }
  phase_ = Phase::Signalled;
  for (const auto& t : targets_) signal_first(t);
  kill_at_ = std::chrono::steady_clock::now() + grace_;
  timer_.expires_at(kill_at_);
  timer_.async_wait([weak = self_](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (!ec && self) self->escalate_now();
  });
}

void Termination::escalate_now() {
  if (phase_ == Phase::Killed) return;
  const auto now = std::chrono::steady_clock::now();
  early_ = phase_ == Phase::Idle || now < kill_at_;
  if (early_) kill_at_ = now;
  phase_ = Phase::Killed;
  timer_.cancel();
  for (const auto& t : targets_) send(t, SIGKILL);
}

}  // namespace ctxrun
