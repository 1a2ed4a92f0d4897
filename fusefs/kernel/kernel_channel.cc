#include "fusefs/kernel/kernel_channel.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "fusefs/kernel/fuse_protocol.h"
#include "fusefs/kernel/kernel_session.h"

namespace topicfs::fusefs {
namespace {

using protocol::kInitOutFlags;
using protocol::kInitOutFlags2;
using protocol::kInitOutMaxPages;
using protocol::kInitOutMaxStackDepth;
using protocol::kInitOutMaxWrite;
constexpr uint64_t kFuseDirectIoAllowMmap = protocol::kDirectIoAllowMmap;
constexpr uint64_t kFusePassthrough = protocol::kPassthrough;
constexpr uint64_t kFuseOverIoUring = protocol::kOverIoUring;

template <typename T>
T Load(const void* base, size_t at) {
  T v;
  std::memcpy(&v, static_cast<const char*>(base) + at, sizeof v);
  return v;
}
void Store32(void* base, size_t at, uint32_t v) {
  std::memcpy(static_cast<char*>(base) + at, &v, sizeof v);
}

// libfuse hands the hooks the session's userdata (kernel_session.h).
KernelChannel* Self(void* userdata) {
  return &static_cast<SessionUserdata*>(userdata)->kernel->channel();
}

}  // namespace

bool KernelChannel::Install(fuse_session* se, Wanted wanted) {
  se_ = se;
  wanted_ = wanted;
  dev_fd_ = fuse_session_fd(se);
  fuse_custom_io io{};
  io.read = &KernelChannel::ReadRequest;
  io.writev = &KernelChannel::WriteReply;
  io.splice_send = &KernelChannel::SpliceReply;  // keeps FUSE_CAP_SPLICE_WRITE
  if (fuse_session_custom_io(se, &io, dev_fd_) != 0) {
    env_.LogError("libfuse refused the I/O hook: no passthrough, no io_uring");
    return false;
  }
  return true;
}

ssize_t KernelChannel::ReadRequest(int fd, void* buf, size_t len, void* userdata) {
  ssize_t n = ::read(fd, buf, len);
  KernelChannel* self = Self(userdata);
  if (n > 0 && !self->init_done_.load(std::memory_order_relaxed)) {
    int saved = errno;
    self->NoteInitRequest(buf, static_cast<size_t>(n));
    errno = saved;
  }
  return n;
}

ssize_t KernelChannel::WriteReply(int fd, struct iovec* iov, int count, void* userdata) {
  KernelChannel* self = Self(userdata);
  if (FuseRing::CaptureReply(iov, count) || self->ring_.CaptureParkedReply(iov, count)) {
    size_t total = 0;
    for (int i = 0; i < count; ++i) total += iov[i].iov_len;
    return static_cast<ssize_t>(total);
  }
  bool start_ring = false;
  if (!self->init_done_.load(std::memory_order_relaxed))
    start_ring = self->PatchInitReply(iov, count);
  ssize_t n = ::writev(fd, iov, count);
  if (start_ring && n >= 0) {
    // The kernel holds new requests until every queue is registered.
    self->ring_.Start(self->se_, self->dev_fd_);
    self->env_.LogInfo("io_uring: on; " + std::to_string(self->ring_.queues()) +
                       " queues, each served on its own CPU");
  }
  return n;
}

ssize_t KernelChannel::SpliceReply(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                                   unsigned int flags, void* /*userdata*/) {
  return ::splice(fdin, offin, fdout, offout, len, flags);
}

void KernelChannel::NoteInitRequest(const void* buf, size_t len) {
  if (len < sizeof(fuse_in_header) + sizeof(fuse_init_in)) return;
  fuse_in_header in;
  std::memcpy(&in, buf, sizeof in);
  if (in.opcode != FUSE_INIT) return;
  fuse_init_in init;
  std::memcpy(&init, static_cast<const char*>(buf) + sizeof in, sizeof init);
  uint64_t flags = init.flags;
  if (flags & FUSE_INIT_EXT) flags |= static_cast<uint64_t>(init.flags2) << 32;
  passthrough_offered_.store(wanted_.passthrough && (flags & kFusePassthrough),
                             std::memory_order_relaxed);
  shared_mmap_offered_.store(flags & kFuseDirectIoAllowMmap, std::memory_order_relaxed);
  ring_offered_.store(wanted_.io_uring && (flags & kFuseOverIoUring), std::memory_order_relaxed);
  init_unique_.store(in.unique, std::memory_order_release);
}

bool KernelChannel::PatchInitReply(struct iovec* iov, int count) {
  if (count < 2 || iov[0].iov_len != sizeof(fuse_out_header)) return false;
  fuse_out_header out;
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  if (out.unique == 0 || out.unique != init_unique_.load(std::memory_order_acquire)) return false;
  init_done_.store(true, std::memory_order_relaxed);
  if (out.error != 0 || iov[1].iov_len < kInitOutMaxStackDepth + 4) return false;
  void* reply = iov[1].iov_base;
  const uint32_t flags = Load<uint32_t>(reply, kInitOutFlags);
  uint32_t flags2 = Load<uint32_t>(reply, kInitOutFlags2);
  const bool extended = (flags & FUSE_INIT_EXT) != 0;
  if (!extended) {
    env_.LogInfo("the kernel offers no extended INIT: no passthrough, no io_uring");
    return false;
  }
  // Passthrough excludes the writeback cache (which topicfs never uses).
  if (passthrough_offered_.load(std::memory_order_relaxed) && !(flags & FUSE_WRITEBACK_CACHE)) {
    flags2 |= static_cast<uint32_t>(kFusePassthrough >> 32);
    Store32(reply, kInitOutMaxStackDepth, wanted_.backing_stack_depth);
    passthrough_->Enable(dev_fd_);
    env_.LogInfo("passthrough: on; sealed segments are read by the kernel from their files");
  } else if (wanted_.passthrough) {
    env_.LogInfo("passthrough: not offered by the kernel; sealed segments go through the daemon");
  }
  // The files read through the daemon (the active segment, from/, since/,
  // follow/) can then be mapped MAP_SHARED, as Python's mmap does: the
  // kernel fills the mapping with READs, which the daemon answers with
  // whole records only, and drops its cached pages when it sees the size
  // change (these files' attributes are never cached).
  if (shared_mmap_offered_.load(std::memory_order_relaxed)) {
    flags2 |= static_cast<uint32_t>(kFuseDirectIoAllowMmap >> 32);
    env_.LogInfo("shared mmap: on; files read through the daemon can be mapped MAP_SHARED");
  }
  bool ring = false;
  if (ring_offered_.load(std::memory_order_relaxed)) {
    // The kernel's smallest payload buffer: max(8 KiB, max_write, max_pages).
    size_t payload = std::max<size_t>({8192, Load<uint32_t>(reply, kInitOutMaxWrite),
                                       size_t{Load<uint16_t>(reply, kInitOutMaxPages)} * 4096});
    ring = ring_.Prepare(payload);
    if (ring) flags2 |= static_cast<uint32_t>(kFuseOverIoUring >> 32);
  } else if (wanted_.io_uring) {
    env_.LogInfo("io_uring: not offered by the kernel (/sys/module/fuse/parameters/enable_uring)");
  }
  Store32(reply, kInitOutFlags2, flags2);
  return ring;
}

}  // namespace topicfs::fusefs
