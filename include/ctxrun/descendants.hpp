// descendants.hpp — what ctxrun's process tree holds, read from /proc. ctxrun is a child
// subreaper, so every process its jobs start stays below it: a process whose parent dies is
// re-parented to ctxrun, not to init.
#pragma once
#include <sys/types.h>

#include <span>
#include <vector>

namespace ctxrun {

/// ctxrun's own children (it is single-threaded: one task lists them all). Empty if /proc
/// cannot be read.
std::vector<pid_t> own_children();

/// True if a living process (not a zombie) in the subtrees of `roots` is in process group
/// `pgid`. A process that moves while the walk runs may be missed; the caller asks again at
/// the next change it sees (SIGCHLD), so a miss only delays an answer.
bool group_has_members(pid_t pgid, std::span<const pid_t> roots);

}  // namespace ctxrun
