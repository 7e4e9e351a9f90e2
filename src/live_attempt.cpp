// live_attempt.cpp — one attempt's state machine. Every change of phase goes through enter().
#include <csignal>

#include <boost/asio/post.hpp>

#include "ctxrun/attempt.hpp"
#include "ctxrun/descendants.hpp"
#include "ctxrun/posix.hpp"

namespace ctxrun {

namespace asio = boost::asio;

std::shared_ptr<LiveAttempt> LiveAttempt::make(asio::io_context& io, Events& events, Setup setup) {
  auto a = std::make_shared<LiveAttempt>(Tag{}, io, events, setup);
  a->self_ = a;
  const std::weak_ptr<LiveAttempt> weak = a;
  for (auto [fd, stream, reader] :
       {std::tuple{&setup.out, Stream::Out, &a->out_}, std::tuple{&setup.err, Stream::Err, &a->err_}}) {
    if (!*fd) continue;
    ++a->open_streams_;
    *reader = PipeReader::make(
        io, std::move(*fd), setup.buffer,
        [weak, stream = stream](std::string_view bytes) {
          if (auto self = weak.lock()) self->events_.attempt_output(*self, stream, bytes);
        },
        [weak] {
          if (auto self = weak.lock()) self->stream_closed();
        });
    if (setup.paused) (*reader)->pause();
  }
  if (a->ctx_->owns_deadline()) {  // --job-timeout: the attempt's own deadline
    a->deadline_.emplace(io, a->ctx_->deadline()->at);
    a->deadline_->async_wait([weak](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->ctx_->expire();
    });
  }
  a->wait_exit();
  return a;
}

LiveAttempt::LiveAttempt(Tag, asio::io_context& io, Events& events, Setup& setup)
    : events_(events),
      job_(setup.job),
      number_(setup.number),
      pid_(setup.spawned.pid),
      ctx_(std::move(setup.ctx)),
      pidfd_(io, setup.spawned.pidfd.get()),
      pidfd_number_(setup.spawned.pidfd.release()),
      term_(Termination::make(io, setup.first_signal, setup.grace, std::move(setup.sent))) {
  // The leader by its pidfd, and its group by id: ctxrun holds the leader unreaped until the
  // group is empty, so the id cannot pass to anyone else meanwhile.
  term_->add({pidfd_.native_handle(), pid_});
}

void LiveAttempt::enter(Phase next) {
  phase_ = next;
  if (phase_ == Phase::Reaped && open_streams_ == 0) phase_ = Phase::Done;
  // Told from the loop, not from inside the call that got here (the owner may be iterating).
  if (phase_ == Phase::Done)
    asio::post(pidfd_.get_executor(), [self = self_.lock()] { self->events_.attempt_done(*self); });
}

void LiveAttempt::wait_exit() {
  pidfd_.async_wait(asio::posix::descriptor_base::wait_read,
                    [self = self_.lock()](const boost::system::error_code& ec) {
                      if (!ec) self->exited();
                    });
}

void LiveAttempt::exited() {
  const auto status = peek_exit(pidfd_.native_handle());
  if (!status) {  // a readiness that was not an exit (a stop, under a terminal): wait on
    wait_exit();
    return;
  }
  stopped_before_exit_ = term_->begun();
  if (deadline_) deadline_->cancel();
  enter(Phase::Exited);
  events_.attempt_exited(*this, *status);
}

StopHow LiveAttempt::stop_how(const ProcessEnd& end) const {
  if (!stopped_before_exit_) return StopHow::None;
  const auto* sig = std::get_if<Signaled>(&end);
  return term_->killed() && sig && sig->signal == SIGKILL ? StopHow::Killed : StopHow::Terminated;
}

void LiveAttempt::stop(StopWhy why) {
  if (phase_ != Phase::Running) return;
  why_ = why;
  enter(Phase::Stopping);
  term_->begin();
}

void LiveAttempt::escalate_now() {
  if (phase_ == Phase::Stopping || (phase_ == Phase::Exited && term_->begun())) term_->escalate_now();
}

void LiveAttempt::sweep(std::span<const pid_t> roots) {
  if (phase_ != Phase::Exited) return;
  if (group_has_members(pid_, roots)) {
    term_->begin();  // what the job left in its group goes with it
    return;
  }
  reaped();
}

void LiveAttempt::abandon_group() {
  if (phase_ == Phase::Exited) reaped();
}

void LiveAttempt::reaped() {
  term_->remove(pidfd_.native_handle());
  reap(pidfd_.native_handle());
  pidfd_.close();
  pidfd_number_ = -1;
  events_.attempt_reaped(*this);
  enter(Phase::Reaped);
}

void LiveAttempt::stream_closed() {
  if (--open_streams_ == 0 && phase_ == Phase::Reaped) enter(Phase::Done);
}

void LiveAttempt::finish_output(std::size_t limit) {
  // Each finish() reports its EOF, which may end the attempt: hold ourselves meanwhile.
  const auto self = self_.lock();
  for (auto* r : {&out_, &err_})
    if (*r && (*r)->open()) (*r)->finish(limit);
}

void LiveAttempt::pause_output() {
  for (auto* r : {&out_, &err_})
    if (*r) (*r)->pause();
}

void LiveAttempt::resume_output() {
  for (auto* r : {&out_, &err_})
    if (*r) (*r)->resume();
}

}  // namespace ctxrun
