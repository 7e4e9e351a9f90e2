// child_process.hpp — the Boost handle of a job's leader (private to the loop's files).
#pragma once
#include "boost_process.hpp"

namespace ctxrun {
class ChildProcess {
 public:
  explicit ChildProcess(Process p) : process(std::move(p)) {}
  Process process;
};
}  // namespace ctxrun
