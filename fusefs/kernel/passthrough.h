// FUSE passthrough (Linux >= 6.9) on Debian 12's libfuse 3.14, which
// predates it. A sealed segment opened with FOPEN_PASSTHROUGH is read by the
// kernel straight from the segment file: no request reaches the daemon, the
// ext4 readahead and large folios apply, so `cat` of a sealed segment runs
// at the speed of the plain file (docs/PERFORMANCE.md). KernelChannel asks
// for it at INIT; this class registers backing files and replies to opens
// with their ids. With libfuse >= 3.17 this is fuse_passthrough_open().
#pragma once

#include <atomic>
#include <cstdint>

#include "fusefs/fuse_api.h"
#include "fusefs/open_segments.h"
#include "store/env.h"

namespace topicfs::fusefs {

class Passthrough : public BackingFiles {
 public:
  explicit Passthrough(store::Env& env) : env_(env) {}
  Passthrough(const Passthrough&) = delete;
  Passthrough& operator=(const Passthrough&) = delete;

  // The kernel agreed at INIT; `dev_fd` is the session's /dev/fuse.
  void Enable(int dev_fd);

  bool enabled() const override { return enabled_.load(std::memory_order_acquire); }
  store::Result<int> Register(int fd) override;
  void Unregister(int id) override;

 private:
  store::Env& env_;  // where refusals are logged
  std::atomic<int> dev_fd_{-1};
  std::atomic<bool> enabled_{false};
};

// Replies to an OPEN so that the kernel reads the file through `backing_id`
// (from Register()). Returns fuse_reply_*'s result.
int ReplyOpenPassthrough(fuse_req_t req, uint64_t fh, bool noflush, int backing_id);

}  // namespace topicfs::fusefs
