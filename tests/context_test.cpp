// context_test.cpp — the rules of Go's context and context.Cause, on the Context tree.
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ctxrun/context.hpp"
#include "fake_clock.hpp"

using namespace std::chrono_literals;

namespace {

ctxrun::Cause failed(const std::string& job) { return ctxrun::Cause::job_failed(job, ctxrun::Exited{1}, 1s); }

ctxrun::Deadline deadline_in(const test::FakeClock& clock, ctxrun::Duration d, std::string source) {
  return ctxrun::Deadline{clock.now() + d, std::move(source)};
}

}  // namespace

TEST_CASE("context: a new context is not done and has no cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  CHECK_FALSE(root->done());
  CHECK(root->cause() == nullptr);
  CHECK_FALSE(root->deadline().has_value());
  CHECK_FALSE(root->owns_deadline());
  // It starts now: a deadline without Deadline::from is measured from here.
  auto timed = ctxrun::Context::root(clock, deadline_in(clock, 5s, "--timeout 5s"));
  clock.advance(5s);
  REQUIRE(timed->expire());
  CHECK(timed->cause()->after == 5s);
}

TEST_CASE("context: cancel sets the cause and reports that it did", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  CHECK(root->cancel(ctxrun::Cause::received(SIGINT)));
  REQUIRE(root->done());
  REQUIRE(root->cause() != nullptr);
  CHECK(*root->cause() == ctxrun::Cause::received(SIGINT));
}

TEST_CASE("context: the first cause wins and a second cancel is ignored", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  REQUIRE(root->cancel(failed("first")));
  CHECK_FALSE(root->cancel(failed("second")));
  CHECK_FALSE(root->cancel(ctxrun::Cause::received(SIGTERM)));
  CHECK(root->cause()->job == "first");
}

TEST_CASE("context: cancel reaches every descendant and never the parent", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto mid = root->child();
  auto leaf1 = mid->child();
  auto leaf2 = mid->child();
  auto grandleaf = leaf1->child();
  auto sibling = root->child();

  REQUIRE(mid->cancel(failed("mid")));
  CHECK_FALSE(root->done());
  CHECK_FALSE(sibling->done());
  for (const auto& c : {mid, leaf1, leaf2, grandleaf}) {
    REQUIRE(c->done());
    CHECK(c->cause()->job == "mid");
  }
}

TEST_CASE("context: a child of a canceled parent carries the parent's cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto child = root->child();
  root->cancel(ctxrun::Cause::received(SIGTERM));
  REQUIRE(child->done());
  CHECK(*child->cause() == ctxrun::Cause::received(SIGTERM));
  // ... and keeps it: the first cause wins for the child too.
  CHECK_FALSE(child->cancel(failed("late")));
  CHECK(*child->cause() == ctxrun::Cause::received(SIGTERM));
}

TEST_CASE("context: child canceled, then parent canceled: each keeps its own cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto child = root->child();
  REQUIRE(child->cancel(failed("c2")));
  REQUIRE(root->cancel(failed("c1")));
  CHECK(child->cause()->job == "c2");
  CHECK(root->cause()->job == "c1");
}

TEST_CASE("context: a child made under a done parent is born done with the parent's cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  root->cancel(failed("gone"));
  auto child = root->child(deadline_in(clock, 1s, "--job-timeout 1s"));
  REQUIRE(child->done());
  CHECK(child->cause()->job == "gone");
  CHECK_FALSE(child->cancel(failed("other")));
  CHECK(root->child_count() == 0);
}

TEST_CASE("context: a child's deadline is the earlier of its own and its parent's", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 10s, "--timeout 10s"));
  CHECK(root->owns_deadline());

  auto later = root->child(deadline_in(clock, 1h, "--job-timeout 1h"));
  REQUIRE(later->deadline());
  CHECK(later->deadline()->at == root->deadline()->at);
  CHECK(later->deadline()->source == "--timeout 10s");
  CHECK_FALSE(later->owns_deadline());

  auto earlier = root->child(deadline_in(clock, 2s, "--job-timeout 2s"));
  REQUIRE(earlier->deadline());
  CHECK(earlier->deadline()->at == clock.now() + 2s);
  CHECK(earlier->owns_deadline());

  auto none = root->child();
  CHECK(none->deadline()->at == root->deadline()->at);
  CHECK_FALSE(none->owns_deadline());
}

TEST_CASE("context: a child with a deadline under a parent without one owns it", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto child = root->child(deadline_in(clock, 3s, "--job-timeout 3s"));
  CHECK(child->owns_deadline());
  CHECK(child->deadline()->source == "--job-timeout 3s");
}

TEST_CASE("context: a later own deadline under an earlier parent's gets the parent's cause", "[context]") {
  // Go: WithTimeoutCause(1h, slow) under WithTimeoutCause(10ms, parentSlow) -> parentSlow.
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 10ms, "parentSlow"));
  auto child = root->child(deadline_in(clock, 1h, "slow"));
  clock.advance(10ms);
  CHECK_FALSE(child->expire());  // not its deadline to expire
  CHECK_FALSE(child->done());
  REQUIRE(root->expire());
  REQUIRE(child->done());
  CHECK(child->cause()->kind == ctxrun::CauseKind::DeadlineExceeded);
  CHECK(child->cause()->detail == "parentSlow");
}

TEST_CASE("context: equal deadlines belong to the parent", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 5s, "--timeout 5s"));
  auto child = root->child(deadline_in(clock, 5s, "--job-timeout 5s"));
  CHECK_FALSE(child->owns_deadline());
  clock.advance(5s);
  CHECK_FALSE(child->expire());
  REQUIRE(root->expire());
  CHECK(child->cause()->detail == "--timeout 5s");
}

TEST_CASE("context: an earlier child deadline expires on its own and the parent stays alive", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 10s, "--timeout 10s"));
  auto child = root->child(deadline_in(clock, 2s, "--job-timeout 2s"));
  clock.advance(2s);
  REQUIRE(child->expire());
  CHECK(child->cause()->kind == ctxrun::CauseKind::DeadlineExceeded);
  CHECK(child->cause()->detail == "--job-timeout 2s");
  CHECK(child->cause()->after == 2s);
  CHECK_FALSE(root->done());
  CHECK_FALSE(root->expire());
}

TEST_CASE("context: expire before the deadline is a no-op", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 5s, "--timeout 5s"));
  CHECK_FALSE(root->expire());
  clock.advance(5s - 1ns);
  CHECK_FALSE(root->expire());
  CHECK_FALSE(root->done());
  clock.advance(1ns);
  CHECK(root->expire());
  CHECK(root->done());
}

TEST_CASE("context: expire without a deadline is a no-op", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  clock.advance(1000h);
  CHECK_FALSE(root->expire());
  CHECK_FALSE(root->done());
}

TEST_CASE("context: expire after a cancel keeps the first cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock, deadline_in(clock, 1s, "--timeout 1s"));
  root->cancel(ctxrun::Cause::received(SIGINT));
  clock.advance(2s);
  CHECK_FALSE(root->expire());
  CHECK(root->cause()->kind == ctxrun::CauseKind::Signal);
}

TEST_CASE("context: the deadline cause is measured from the context's start", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  clock.advance(1s);  // the child starts later than the root
  auto child = root->child(deadline_in(clock, 3s, "--job-timeout 3s"));
  clock.advance(10s);  // expire is called late: `after` is still the deadline's length
  REQUIRE(child->expire());
  CHECK(child->cause()->after == 3s);
  CHECK(child->cause()->job.empty());
}

TEST_CASE("context: the deadline cause is measured from Deadline::from when set", "[context]") {
  test::FakeClock clock;
  const auto flag_time = clock.now();
  clock.advance(200ms);  // the root is made a moment after the flag was read
  auto root = ctxrun::Context::root(clock, ctxrun::Deadline{flag_time + 5s, "--timeout 5s", flag_time});
  clock.advance(5s);
  REQUIRE(root->expire());
  CHECK(root->cause()->after == 5s);
  CHECK(ctxrun::describe(*root->cause()) == "deadline exceeded after 5s (--timeout 5s)");
}

TEST_CASE("context: after_done runs once when the context is done", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  int runs = 0;
  std::string seen;
  root->after_done([&](const ctxrun::Cause& c) {
    ++runs;
    seen = c.job;
  });
  CHECK(runs == 0);
  root->cancel(failed("a"));
  CHECK(runs == 1);
  CHECK(seen == "a");
  root->cancel(failed("b"));
  CHECK(runs == 1);
}

TEST_CASE("context: after_done on a done context runs at once", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  root->cancel(failed("a"));
  int runs = 0;
  root->after_done([&](const ctxrun::Cause& c) {
    ++runs;
    CHECK(c.job == "a");
  });
  CHECK(runs == 1);
}

TEST_CASE("context: several callbacks each run once, in the order they were registered", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  std::vector<int> ran;
  root->after_done([&](const ctxrun::Cause&) { ran.push_back(1); });
  root->after_done([&](const ctxrun::Cause&) { ran.push_back(2); });
  root->after_done([&](const ctxrun::Cause&) { ran.push_back(3); });
  root->cancel(failed("x"));
  root->cancel(failed("y"));
  CHECK(ran == std::vector<int>{1, 2, 3});
}

TEST_CASE("context: callbacks on descendants run with the ancestor's cause", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto child = root->child();
  auto grandchild = child->child();
  std::vector<std::string> seen;
  child->after_done([&](const ctxrun::Cause& c) { seen.push_back("child:" + c.job); });
  grandchild->after_done([&](const ctxrun::Cause& c) { seen.push_back("grandchild:" + c.job); });
  root->cancel(failed("root"));
  CHECK(seen.size() == 2);
  CHECK(std::find(seen.begin(), seen.end(), "child:root") != seen.end());
  CHECK(std::find(seen.begin(), seen.end(), "grandchild:root") != seen.end());
}

TEST_CASE("context: callbacks run after the whole subtree is marked done", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto child = root->child();
  auto grandchild = child->child();
  bool child_done_seen = false, grandchild_done_seen = false;
  root->after_done([&](const ctxrun::Cause&) {
    child_done_seen = child->done();
    grandchild_done_seen = grandchild->done();
  });
  root->cancel(failed("x"));
  CHECK(child_done_seen);
  CHECK(grandchild_done_seen);
}

TEST_CASE("context: a callback may cancel another context", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto a = root->child();
  auto b = root->child();
  a->after_done([&](const ctxrun::Cause& c) { b->cancel(c); });
  a->cancel(failed("a"));
  REQUIRE(b->done());
  CHECK(b->cause()->job == "a");
  CHECK_FALSE(root->done());
}

TEST_CASE("context: a done child detaches from its parent", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto a = root->child();
  auto b = root->child();
  auto c = root->child();
  REQUIRE(root->child_count() == 3);
  b->cancel(failed("b"));
  CHECK(root->child_count() == 2);
  a->cancel(failed("a"));
  CHECK(root->child_count() == 1);
  // The survivor is still reached by the parent's cancel.
  root->cancel(failed("root"));
  CHECK(c->cause()->job == "root");
  CHECK(root->child_count() == 0);
}

TEST_CASE("context: a destroyed child detaches from its parent", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  auto keep1 = root->child();
  {
    auto gone = root->child();
    auto gone_too = root->child();
    CHECK(root->child_count() == 3);
  }
  auto keep2 = root->child();
  CHECK(root->child_count() == 2);
  root->cancel(failed("root"));
  CHECK(keep1->done());
  CHECK(keep2->done());
}

TEST_CASE("context: destroying children in any order keeps the others reachable", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  std::vector<ctxrun::Context::Ptr> kids;
  for (int i = 0; i < 8; ++i) kids.push_back(root->child());
  // Drop every other child, from the front: swap-and-pop indexes must stay right.
  for (int i = 0; i < 8; i += 2) kids[static_cast<std::size_t>(i)].reset();
  CHECK(root->child_count() == 4);
  root->cancel(failed("root"));
  for (int i = 1; i < 8; i += 2) CHECK(kids[static_cast<std::size_t>(i)]->done());
}

TEST_CASE("context: the tree does not grow over many created-and-canceled children", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  std::vector<ctxrun::Context::Ptr> kept;
  for (int i = 0; i < 10'000; ++i) {
    auto c = root->child();
    c->cancel(failed("c"));
    if (i % 100 == 0) kept.push_back(c);  // some outlive their cancel
  }
  CHECK(root->child_count() == 0);
  for (int i = 0; i < 10'000; ++i) root->child();  // created and dropped
  CHECK(root->child_count() == 0);
  CHECK_FALSE(root->done());
}

TEST_CASE("context: children share the root's clock", "[context]") {
  test::FakeClock clock;
  auto root = ctxrun::Context::root(clock);
  clock.advance(7s);
  auto child = root->child(deadline_in(clock, 3s, "--job-timeout 3s"));
  CHECK(&child->clock() == &clock);
  // The child's start is its own, 7s after the root's: its deadline is measured from it.
  clock.advance(3s);
  REQUIRE(child->expire());
  CHECK(child->cause()->after == 3s);
}
