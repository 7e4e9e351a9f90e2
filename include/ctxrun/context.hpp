// context.hpp — the cancellation tree: deadline, cancel with a cause (Go's context).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ctxrun/cause.hpp"
#include "ctxrun/clock.hpp"

namespace ctxrun {

/// A deadline and where it came from (`--timeout 5s`, `--job-timeout 2s`, `CTXRUN_DEADLINE`).
struct Deadline {
  TimePoint at;
  std::string source;
  /// What `after` in the cause is measured from: `--timeout 5s` is exceeded "after 5s" even
  /// if the context was made a moment later. Unset: the context's start.
  std::optional<TimePoint> from = std::nullopt;
};

/// A node of the tree. Rules (those of Go's context and context.Cause):
/// - the first cause wins; later cancels are no-ops;
/// - cancel reaches every descendant, never the parent; a descendant canceled that way
///   carries the ancestor's cause;
/// - a child's deadline is the earlier of its own and its parent's; when the parent's is the
///   earlier (or equal), the child is canceled by the parent, with the parent's cause;
/// - a child made under a done parent is born done, with the parent's cause;
/// - a done (or destroyed) child detaches from its parent, so a long run does not grow;
/// - callbacks registered with after_done run once, after the whole subtree is marked done.
/// There are no timers inside: whoever owns a deadline calls expire() when it is due.
class Context : public std::enable_shared_from_this<Context> {
 public:
  using Ptr = std::shared_ptr<Context>;
  using Callback = std::function<void(const Cause&)>;

  static Ptr root(const Clock& clock, std::optional<Deadline> deadline = {});
  Ptr child(std::optional<Deadline> deadline = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  bool done() const { return cause_.has_value(); }
  /// nullptr until done.
  const Cause* cause() const { return cause_ ? &*cause_ : nullptr; }
  /// The effective deadline: the earlier of this context's own and its parent's.
  const std::optional<Deadline>& deadline() const { return deadline_; }
  /// True when the effective deadline is this context's own: its owner must call expire().
  bool owns_deadline() const { return owns_deadline_; }
  const Clock& clock() const { return clock_; }

  /// Marks this context and its subtree done with `cause`. False if it already was.
  bool cancel(const Cause& cause);
  /// Cancels with `deadline-exceeded` if this context owns its deadline and it has passed.
  bool expire();

  /// Runs `f(cause)` once this context is done; at once if it already is.
  void after_done(Callback f);

  /// Children not done yet. The loop never asks; it is the one way to see the detaching rule
  /// above (no other call shows whether a done or destroyed child is still attached).
  std::size_t child_count() const { return children_.size(); }

 private:
  struct Tag {};

 public:
  Context(Tag, const Clock& clock, Ptr parent, std::optional<Deadline> deadline);

 private:
  void mark_done(const Cause& cause, std::vector<std::pair<Ptr, Callback>>& to_run);
  void detach();

  const Clock& clock_;
  Ptr parent_;
  std::size_t index_in_parent_ = 0;
  std::vector<Context*> children_;
  std::optional<Deadline> deadline_;
  bool owns_deadline_ = false;
  TimePoint started_;
  std::optional<Cause> cause_;
  std::vector<Callback> callbacks_;
};

}  // namespace ctxrun
