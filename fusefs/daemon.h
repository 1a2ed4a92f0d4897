// The topicfs daemon: opens the store, mounts it, runs libfuse's
// multithreaded session loop in the calling thread until unmounted
// (fusermount3 -u, topicfs unmount, SIGTERM/SIGINT/SIGHUP), then closes the
// store cleanly so the next mount opens without a scan.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fusefs/mount_options.h"

namespace topicfs::fusefs {

struct DaemonOptions {
  std::string data_dir;  // created when missing
  std::string mountpoint;
  bool allow_other = false;  // adds allow_other and default_permissions
  bool debug = false;        // libfuse's -d
  MountOptions mount;        // from -o
  int max_threads = 16;
  // Called exactly once: with "" once mounted (the loop starts right after),
  // or with one line saying why mounting failed.
  std::function<void(const std::string& error)> on_ready;
};

// Returns 0 after a clean unmount, 1 when mounting or closing failed.
int RunDaemon(const DaemonOptions& options);

}  // namespace topicfs::fusefs
