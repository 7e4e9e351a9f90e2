// run.hpp — one run from options to exit status: plan, supervise, summary, report.
#pragma once
#include "ctxrun/options.hpp"

namespace ctxrun {

/// Returns the exit status (ctxrun(1), EXIT STATUS), or does not return: after a run canceled by a signal
/// ctxrun dies by that signal. Throws UsageError for bad input found before anything starts.
int run(const Options& options);

}  // namespace ctxrun
