// Telling the kernel closing a killed writer's descriptors from a close()
// the writer asked for: a killed producer's partial record is dropped, not
// committed torn (SEMANTICS.md, the `flush` row).
#pragma once

#include <sys/types.h>

#include <optional>

namespace topicfs::fusefs {

// The signal that killed `pid`, when `pid` is a task being torn down by one;
// nullopt for a live task, an exit(), or a task that is already gone.
std::optional<int> KilledBySignal(pid_t pid);

}  // namespace topicfs::fusefs
