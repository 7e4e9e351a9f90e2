// termination.cpp — one group's sequence; the loop starts every group's in the same turn.
#include "ctxrun/termination.hpp"

#include <csignal>

#include "ctxrun/posix.hpp"

namespace ctxrun {

Termination::Termination(boost::asio::io_context& io, pid_t pgid, int first_signal, Duration grace,
                         std::function<void(int)> on_signal)
    : timer_(io), pgid_(pgid), first_signal_(first_signal), grace_(grace), on_signal_(std::move(on_signal)) {}

void Termination::send(int sig) {
  if (signal_group(pgid_, sig) && on_signal_) on_signal_(sig);
}

void Termination::begin() {
  if (begun_ || finished_) return;
  begun_ = true;
  send(first_signal_);
  // A stopped group cannot act on the signal: wake it (timeout(1) does the same).
  if (first_signal_ != SIGKILL && first_signal_ != SIGCONT) signal_group(pgid_, SIGCONT);
  if (first_signal_ == SIGKILL) {
    killed_ = true;
    return;
  }
  timer_.expires_after(grace_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) escalate_now();
  });
}

void Termination::escalate_now() {
  if (finished_ || killed_) return;
  begun_ = true;
  timer_.cancel();
  if (group_alive(pgid_)) {
    killed_ = true;
    send(SIGKILL);
  }
}

void Termination::finish() {
  finished_ = true;
  timer_.cancel();
}

}  // namespace ctxrun
