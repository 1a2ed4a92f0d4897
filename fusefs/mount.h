// The mount front-end: serves an open store::Store as the filesystem of
// DESIGN §1 and §7 on a mount point, running libfuse's multithreaded
// session loop in the calling thread until it is unmounted (fusermount3 -u,
// topicfs unmount, SIGTERM/SIGINT/SIGHUP). The composing daemon
// (daemon/daemon.h) opens the store before and closes it after.
#pragma once

#include <functional>
#include <string>

#include "fusefs/mount_options.h"

namespace topicfs::store {
class RequestStats;
class Store;
}

namespace topicfs::fusefs {

struct MountConfig {
  std::string data_dir;  // named in /proc/mounts (fsname)
  std::string mountpoint;
  bool allow_other = false;  // adds allow_other and default_permissions
  bool debug = false;        // libfuse's -d
  MountOptions mount;        // from -o
  // Counts and times every request (metrics); borrowed, may be null.
  store::RequestStats* request_stats = nullptr;
  int max_threads = 16;
  // Called exactly once: with "" once mounted (the loop starts right after),
  // or with one line saying why mounting failed.
  std::function<void(const std::string& error)> on_ready;
};

// Returns 0 after a clean unmount, 1 when mounting failed. `store` is
// borrowed and stays open.
int ServeMount(const MountConfig& config, store::Store* store);

}  // namespace topicfs::fusefs
