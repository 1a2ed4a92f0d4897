// The daemon's end of /dev/fuse, between libfuse 3.14 and the kernel. Debian
// 12's libfuse predates three kernel features that matter here: shared
// mappings of direct-I/O files (Linux 6.6, libfuse 3.16), passthrough reads
// (Linux 6.9, libfuse 3.17) and FUSE over io_uring (Linux 6.14, libfuse
// 3.18). This class sits in libfuse's documented I/O hook
// (fuse_session_custom_io): requests and replies pass through unchanged,
// except that the INIT reply also asks for the features the kernel offered
// and the mount wants, and that replies to requests that came over io_uring
// go back over it (fuse_ring.h). When libfuse >= 3.18 is the baseline, this
// becomes conn->want_ext and libfuse's own ring.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>

#include "fusefs/fuse_api.h"
#include "fusefs/kernel/fuse_ring.h"
#include "fusefs/kernel/passthrough.h"

namespace topicfs::fusefs {

class KernelChannel {
 public:
  struct Wanted {
    bool passthrough = true;
    bool io_uring = true;
    uint32_t max_read = 0;  // the mount's max_read, which INIT must repeat
    // How deep the segment files' filesystem is stacked, plus one: the
    // kernel refuses (ELOOP) backing files deeper than the INIT reply says.
    uint32_t backing_stack_depth = 1;
  };

  // `passthrough` is borrowed; it is enabled when the kernel agrees.
  KernelChannel(Passthrough* passthrough, store::Env& env)
      : passthrough_(passthrough), env_(env), ring_(env) {}
  KernelChannel(const KernelChannel&) = delete;
  KernelChannel& operator=(const KernelChannel&) = delete;

  // Call after fuse_session_mount() and before the session loop; the
  // session must not outlive this object. False (and a log line) when
  // libfuse refused the hook: the mount then works without either feature.
  bool Install(fuse_session* se, Wanted wanted);
  // Ends the io_uring threads; after the loop returned and the session was
  // unmounted, before fuse_session_destroy().
  void Stop() { ring_.Stop(); }

  // While the INIT request is being answered (libfuse's init callback):
  // the reply will ask for io_uring, so every later reply is copied into a
  // ring buffer and splicing it would only add work.
  bool io_uring_coming() const { return ring_offered_.load(std::memory_order_relaxed); }
  uint32_t max_read() const { return wanted_.max_read; }
  // The request the calling handler serves will be answered later, from
  // another thread (fuse_ring.h ReplyLater). True when it came over
  // io_uring, where the kernel may not send its INTERRUPT
  // (caller_state.h).
  bool ReplyLater() { return ring_.ReplyLater(); }

 private:
  // libfuse's I/O hooks; `userdata` is the session's (the TopicFs).
  static ssize_t ReadRequest(int fd, void* buf, size_t len, void* userdata);
  static ssize_t WriteReply(int fd, struct iovec* iov, int count, void* userdata);
  static ssize_t SpliceReply(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                             unsigned int flags, void* userdata);
  void NoteInitRequest(const void* buf, size_t len);
  // Returns true when the reply asked for io_uring.
  bool PatchInitReply(struct iovec* iov, int count);

  Passthrough* const passthrough_;
  store::Env& env_;  // where what the kernel offered is logged
  FuseRing ring_;
  fuse_session* se_ = nullptr;
  int dev_fd_ = -1;  // owned by the session
  Wanted wanted_;
  std::atomic<bool> init_done_{false};    // the INIT reply went out
  std::atomic<uint64_t> init_unique_{0};  // the INIT request's id
  std::atomic<bool> passthrough_offered_{false};
  std::atomic<bool> shared_mmap_offered_{false};
  std::atomic<bool> ring_offered_{false};  // offered by the kernel and wanted
};

}  // namespace topicfs::fusefs
