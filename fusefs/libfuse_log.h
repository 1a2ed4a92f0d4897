// libfuse's own messages, in the daemon's log. libfuse has one log hook for
// the whole process (fuse_set_log_func), so this is the one place fusefs/
// keeps a process-wide pointer: the Env of the mount being served.
#pragma once

#include "store/env.h"

namespace topicfs::fusefs {

// While it lives, libfuse's messages go to `env`'s log; then back to
// libfuse's default (stderr).
class LibfuseLogTo {
 public:
  explicit LibfuseLogTo(store::Env& env);
  ~LibfuseLogTo();
  LibfuseLogTo(const LibfuseLogTo&) = delete;
  LibfuseLogTo& operator=(const LibfuseLogTo&) = delete;
};

}  // namespace topicfs::fusefs
