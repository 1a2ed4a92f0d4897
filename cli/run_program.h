// Runs another program without a shell (posix_spawnp with an argv, so no
// path or argument is ever re-parsed: a quote or a space in a mount point
// is just a byte) and collects what it printed.
#pragma once

#include <string>
#include <vector>

#include "store/status.h"

namespace topicfs::cli {

struct ProgramResult {
  int exit_status = -1;  // the exit code, or 128 + signal
  std::string output;    // stdout and stderr, interleaved as written
};

// `argv[0]` is looked up in PATH. Fails only when it cannot be started.
store::Result<ProgramResult> RunProgram(const std::vector<std::string>& argv);

}  // namespace topicfs::cli
