// The topicfs daemon, composed: secures and opens the store, starts its
// housekeeping (flush.ms, retention), serves each enabled front-end (the
// mount, the Kafka listener and the metrics, each from its own
// options), then closes the store cleanly so the next start opens without
// a scan. The only place that knows every front-end.
#pragma once

#include "fusefs/mount.h"
#include "store/env.h"

namespace topicfs::daemon {

struct DaemonOptions {
  fusefs::MountConfig mount;  // its data_dir is the store's
  // The process's log and file-I/O seam, handed to the store and every
  // front-end (daemon_env.h); borrowed, required.
  store::Env* env = nullptr;
};

// Returns 0 after a clean stop, 1 when opening, mounting or closing failed.
int RunDaemon(const DaemonOptions& options);

}  // namespace topicfs::daemon
