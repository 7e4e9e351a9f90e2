// context.cpp — the tree. Single-threaded by design: the loop is its only user.
#include "ctxrun/context.hpp"

#include <utility>

namespace ctxrun {

Context::Context(Tag, const Clock& clock, Ptr parent, std::optional<Deadline> deadline)
    : clock_(clock), parent_(std::move(parent)), started_(clock.now()) {
  const std::optional<Deadline> inherited = parent_ ? parent_->deadline_ : std::nullopt;
  // The own deadline counts only when strictly earlier: otherwise the parent's cancel comes
  // first and carries the parent's cause (Go: WithDeadline under an earlier parent is WithCancel).
  if (deadline && (!inherited || deadline->at < inherited->at)) {
    deadline_ = std::move(deadline);
    owns_deadline_ = true;
  } else {
    deadline_ = inherited;
  }
}

Context::Ptr Context::root(const Clock& clock, std::optional<Deadline> deadline) {
  return std::make_shared<Context>(Tag{}, clock, nullptr, std::move(deadline));
}

Context::Ptr Context::child(std::optional<Deadline> deadline) {
  auto c = std::make_shared<Context>(Tag{}, clock_, shared_from_this(), std::move(deadline));
  if (done()) {
    c->cause_ = cause_;  // born done: nothing can be registered on it yet, so no callbacks to run
  } else {
    c->index_in_parent_ = children_.size();
    children_.push_back(c.get());
  }
  return c;
}

Context::~Context() {
  if (!done()) detach();
}

void Context::detach() {
  if (!parent_) return;
  auto& siblings = parent_->children_;
  if (index_in_parent_ < siblings.size() && siblings[index_in_parent_] == this) {
    siblings[index_in_parent_] = siblings.back();
    siblings[index_in_parent_]->index_in_parent_ = index_in_parent_;
    siblings.pop_back();
  }
}

void Context::mark_done(const Cause& cause, std::vector<std::pair<Ptr, Callback>>& to_run) {
  cause_ = cause;
  for (auto& f : callbacks_) to_run.emplace_back(shared_from_this(), std::move(f));
  callbacks_.clear();
  for (Context* c : children_) c->mark_done(cause, to_run);
  children_.clear();  // every child is done now: detached all at once
}

bool Context::cancel(const Cause& cause) {
  if (done()) return false;
  // Mark the whole subtree first, run callbacks after: a callback may cancel or drop other
  // contexts, and must find the tree in a consistent state when it does.
  std::vector<std::pair<Ptr, Callback>> to_run;
  mark_done(cause, to_run);
  detach();
  for (auto& [ctx, f] : to_run) f(*ctx->cause_);
  return true;
}

bool Context::expire() {
  if (done() || !owns_deadline_ || clock_.now() < deadline_->at) return false;
  return cancel(Cause::deadline(deadline_->source, deadline_->at - deadline_->from.value_or(started_)));
}

void Context::after_done(Callback f) {
  if (done()) {
    f(*cause_);
  } else {
    callbacks_.push_back(std::move(f));
  }
}

}  // namespace ctxrun
