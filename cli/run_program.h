// Runs another program without a shell (posix_spawnp with an argv, so no
// path or argument is ever re-parsed: a quote or a space in a mount point
// is just a byte) and collects what it printed.
#pragma once

#include <sys/types.h>

#include <memory>
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

// A program fed on its stdin through a pipe (`consume --exec`); its stdout
// and stderr are this process's.
class FedProgram {
 public:
  // `argv[0]` is looked up in PATH.
  static store::Result<std::unique_ptr<FedProgram>> Start(const std::vector<std::string>& argv);
  ~FedProgram();
  FedProgram(const FedProgram&) = delete;
  FedProgram& operator=(const FedProgram&) = delete;
  // Every byte, or an error (EPIPE once it stopped reading).
  store::Status Write(const char* data, size_t len);
  // Ends its input and waits for it: its exit code, or 128 + signal.
  int Finish();

 private:
  FedProgram(pid_t pid, int in) : pid_(pid), in_(in) {}
  pid_t pid_;
  int in_;
};

}  // namespace topicfs::cli
