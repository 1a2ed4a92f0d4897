// The daemon's side of the kernel connection, apart from what the files
// mean: the channel between libfuse and /dev/fuse (the INIT features
// Debian 12's libfuse cannot ask for, replies over io_uring) and the
// passthrough backing files. One per mount, made before the filesystem
// and outliving its session loop: mount.cc drives it (Install once
// mounted, Stop once unmounted), TopicFs borrows it for backing files and
// for what the transport decided.
#pragma once

#include "fusefs/kernel/kernel_channel.h"
#include "fusefs/kernel/passthrough.h"

namespace topicfs::fusefs {

class TopicFs;

class KernelSession {
 public:
  explicit KernelSession(store::Env& env) : passthrough_(env), channel_(&passthrough_, env) {}
  KernelSession(const KernelSession&) = delete;
  KernelSession& operator=(const KernelSession&) = delete;

  Passthrough& passthrough() { return passthrough_; }
  KernelChannel& channel() { return channel_; }

 private:
  Passthrough passthrough_;
  KernelChannel channel_;
};

// What libfuse hands every request handler and I/O hook (the session's
// userdata): the hooks take the kernel session, the handlers the
// filesystem, and neither needs the other.
struct SessionUserdata {
  KernelSession* kernel;
  TopicFs* filesystem;
};

}  // namespace topicfs::fusefs
