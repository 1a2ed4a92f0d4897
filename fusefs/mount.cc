#include "fusefs/mount.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "fusefs/fuse_api.h"
#include "fusefs/libfuse_log.h"
#include "fusefs/lowlevel_ops.h"
#include "fusefs/topic_fs.h"
#include "store/store.h"

namespace topicfs::fusefs {
namespace {

// Whether `mountpoint` is still a mount point: a dead FUSE mount cannot
// be stat-ed (ENOTCONN), a live one is another device than its parent.
bool StillMounted(const std::string& mountpoint) {
  struct stat self {};
  struct stat parent {};
  if (::stat(mountpoint.c_str(), &self) != 0) return true;
  if (::stat((mountpoint + "/..").c_str(), &parent) != 0) return true;
  return self.st_dev != parent.st_dev;
}

void Ready(const MountConfig& options, store::Env& env, const std::string& error) {
  if (!error.empty()) env.LogError(error);
  if (options.on_ready) options.on_ready(error);
}

// libfuse option values use ',' as a separator; escape it in a path.
std::string EscapeOption(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ',' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> FuseArguments(const MountConfig& options) {
  // fsname is the data directory and the type fuse.topicfs, so /proc/mounts
  // tells the CLI which store a mount serves.
  std::vector<std::string> args = {"topicfs", "-o",
                                   "fsname=" + EscapeOption(options.data_dir) + ",subtype=topicfs",
                                   "-o", "max_read=" + std::to_string(options.mount.max_read)};
  if (options.allow_other || options.mount.allow_other) {
    args.push_back("-o");
    args.push_back("allow_other,default_permissions");
  }
  for (const std::string& opt : options.mount.fuse) {
    args.push_back("-o");
    args.push_back(opt);
  }
  if (options.debug) args.push_back("-d");
  return args;
}

// The stack depth FUSE passthrough must allow for the segment files: 2
// when the data directory is on overlayfs (a container's root filesystem,
// say), else 1. A deeper stack also makes this mount unusable as an
// overlayfs layer, so it is not asked for without need.
uint32_t BackingStackDepth(const std::string& data_dir) {
  constexpr decltype(statfs::f_type) kOverlayfsMagic = 0x794c7630;
  struct statfs st;
  return ::statfs(data_dir.c_str(), &st) == 0 && st.f_type == kOverlayfsMagic ? 2 : 1;
}

// SIGUSR1 (sent by `topicfs unmount` to a busy mount) ends every follow/
// reader waiting at the log end with end of file, so that their `cat`s
// exit and close what kept the mount busy.
FollowWaits* g_follow_waits = nullptr;
void EndFollowers(int) {
  if (g_follow_waits != nullptr) g_follow_waits->RequestEnd();
}

}  // namespace

int ServeMount(const MountConfig& options, store::Store* store) {
  store::Env& env = store->env();
  LibfuseLogTo route_libfuse_log(env);
  KernelSession kernel(env);
  TopicFs fs(
      store, &kernel,
      store::Ownership{0755, static_cast<uint32_t>(getuid()), static_cast<uint32_t>(getgid())});
  fs.set_request_stats(options.request_stats);
  std::vector<std::string> arg_strings = FuseArguments(options);
  std::vector<char*> argv;
  for (std::string& a : arg_strings) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_lowlevel_ops ops = MakeLowlevelOps();
  SessionUserdata userdata{&kernel, &fs};
  fuse_session* se = fuse_session_new(&args, &ops, sizeof ops, &userdata);
  if (se == nullptr) {
    Ready(options, env, "libfuse refused the mount options (see the log)");
    return 1;
  }
  int rc = 1;
  if (fuse_set_signal_handlers(se) != 0) {
    Ready(options, env, "cannot install signal handlers");
  } else {
    if (fuse_session_mount(se, options.mountpoint.c_str()) != 0) {
      Ready(options, env,
            "cannot mount on " + options.mountpoint +
                " (is it an existing, empty directory that is not already mounted?)");
    } else {
      kernel.channel().Install(se, {options.mount.passthrough, options.mount.io_uring,
                                    options.mount.max_read, BackingStackDepth(options.data_dir)});
      fs.invalidator().Start(se);
      fs.follow_waits().Start();
      g_follow_waits = &fs.follow_waits();
      struct sigaction end_followers {};
      end_followers.sa_handler = EndFollowers;
      sigemptyset(&end_followers.sa_mask);
      sigaction(SIGUSR1, &end_followers, nullptr);
      // Retention's deletions reach the kernel's caches from here on.
      store->AddListener(&fs);
      env.LogInfo("mounted " + options.data_dir + " on " + options.mountpoint);
      Ready(options, env, "");
      fuse_loop_config* config = fuse_loop_cfg_create();
      fuse_loop_cfg_set_clone_fd(config, 0);
      fuse_loop_cfg_set_max_threads(config, options.max_threads);
      // 0 after an unmount, the signal number after SIGTERM/SIGINT/SIGHUP,
      // a negative errno when the loop failed.
      int loop = fuse_session_loop_mt(se, config);
      if (loop == -ECONNABORTED && !StillMounted(options.mountpoint)) {
        // An unmount that found requests still queued (the releases of
        // many readers that just exited) can end the connection this way;
        // the mount is gone all the same.
        loop = 0;
      }
      rc = loop >= 0 ? 0 : 1;
      if (loop < 0) env.LogError("session loop failed: " + std::string(strerror(-loop)));
      fuse_loop_cfg_destroy(config);
      // Followers end with end of file, before the unmount cuts them off.
      fs.follow_waits().Stop();
      signal(SIGUSR1, SIG_IGN);
      g_follow_waits = nullptr;
      store->RemoveListener(&fs);
      fs.invalidator().Stop();
      fuse_session_unmount(se);
      kernel.channel().Stop();
      fs.ReleaseAllOpen();
    }
    fuse_remove_signal_handlers(se);
  }
  fuse_session_destroy(se);
  fuse_opt_free_args(&args);
  return rc;
}

}  // namespace topicfs::fusefs
