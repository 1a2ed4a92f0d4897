// FUSE passthrough (Linux >= 6.9) on Debian 12's libfuse 3.14, which
// predates it. A sealed segment opened with FOPEN_PASSTHROUGH is read by the
// kernel straight from the segment file: no request reaches the daemon, the
// ext4 readahead and large folios apply, so `cat` of a sealed segment runs
// at the speed of the plain file (docs/PERFORMANCE.md).
//
// libfuse 3.14 can neither ask for it at INIT nor put a backing id in an
// open reply, so this class sits in its documented I/O hook
// (fuse_session_custom_io): requests and replies pass through unchanged,
// except that the INIT reply also sets FUSE_PASSTHROUGH and a stack depth
// of 1 when the kernel offered it. Open replies with a backing id go out
// through ReplyOpenPassthrough(). With libfuse >= 3.17 all of this is
// fuse_passthrough_open() and conn->want_ext, and this file goes away.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>

#include "fusefs/fuse_api.h"
#include "fusefs/open_segments.h"

namespace topicfs::fusefs {

class Passthrough : public BackingFiles {
 public:
  Passthrough() = default;
  Passthrough(const Passthrough&) = delete;
  Passthrough& operator=(const Passthrough&) = delete;

  // Call after fuse_session_mount() and before the session loop; the
  // session must not outlive this object. False (and a log line) when
  // libfuse refused the hook: the mount then works without passthrough.
  bool Install(fuse_session* se);

  bool enabled() const override { return enabled_.load(std::memory_order_acquire); }
  store::Result<int> Register(int fd) override;
  void Unregister(int id) override;

 private:
  // libfuse's I/O hooks; `userdata` is the session's (the TopicFs).
  static ssize_t ReadRequest(int fd, void* buf, size_t len, void* userdata);
  static ssize_t WriteReply(int fd, struct iovec* iov, int count, void* userdata);
  static ssize_t SpliceReply(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                             unsigned int flags, void* userdata);
  void NoteRequest(const void* buf, size_t len);
  void PatchInitReply(struct iovec* iov, int count);

  int dev_fd_ = -1;                       // /dev/fuse, owned by the session
  std::atomic<bool> init_done_{false};    // the INIT reply went out
  std::atomic<uint64_t> init_unique_{0};  // the INIT request's id
  std::atomic<bool> offered_{false};      // the kernel offered passthrough
  std::atomic<bool> enabled_{false};      // and the reply asked for it
};

// Replies to an OPEN so that the kernel reads the file through `backing_id`
// (from Register()). Returns fuse_reply_*'s result.
int ReplyOpenPassthrough(fuse_req_t req, uint64_t fh, bool noflush, int backing_id);

}  // namespace topicfs::fusefs
