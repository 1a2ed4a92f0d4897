#include "fusefs/passthrough.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "fusefs/log.h"
#include "fusefs/topic_fs.h"

namespace topicfs::fusefs {
namespace {

// Protocol 7.40 additions, absent from the 7.38 headers of Debian 12.
constexpr uint64_t kFusePassthrough = 1ULL << 37;  // INIT flag (flags2 bit 5)
constexpr uint32_t kFopenPassthrough = 1u << 7;    // open_out.open_flags
constexpr uint32_t kFopenNoflush = 1u << 5;
struct BackingMap {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
constexpr unsigned long kIocBackingOpen = _IOW(229, 1, BackingMap);
constexpr unsigned long kIocBackingClose = _IOW(229, 2, uint32_t);

// fuse_init_out as of 7.40: max_stack_depth took the first unused word.
constexpr size_t kInitOutFlags = offsetof(fuse_init_out, flags);
constexpr size_t kInitOutFlags2 = offsetof(fuse_init_out, flags2);
constexpr size_t kInitOutMaxStackDepth = kInitOutFlags2 + 4;
static_assert(kInitOutFlags == 12 && kInitOutFlags2 == 32);

// fuse_open_out as of 7.40: backing_id took the padding word.
struct OpenOut {
  uint64_t fh;
  uint32_t open_flags;
  int32_t backing_id;
};
static_assert(sizeof(OpenOut) == sizeof(fuse_open_out));

uint32_t Load32(const void* base, size_t at) {
  uint32_t v;
  std::memcpy(&v, static_cast<const char*>(base) + at, sizeof v);
  return v;
}
void Store32(void* base, size_t at, uint32_t v) {
  std::memcpy(static_cast<char*>(base) + at, &v, sizeof v);
}

// libfuse hands the hooks the session's userdata, which is the TopicFs
// (as for every handler, lowlevel_ops.cc).
Passthrough* Self(void* userdata) { return &static_cast<TopicFs*>(userdata)->passthrough(); }

}  // namespace

bool Passthrough::Install(fuse_session* se) {
  fuse_custom_io io{};
  io.read = &Passthrough::ReadRequest;
  io.writev = &Passthrough::WriteReply;
  io.splice_send = &Passthrough::SpliceReply;  // keeps FUSE_CAP_SPLICE_WRITE
  dev_fd_ = fuse_session_fd(se);
  if (fuse_session_custom_io(se, &io, dev_fd_) != 0) {
    LogError("passthrough: libfuse refused the I/O hook; sealed segments go through the daemon");
    return false;
  }
  return true;
}

ssize_t Passthrough::ReadRequest(int fd, void* buf, size_t len, void* userdata) {
  ssize_t n = ::read(fd, buf, len);
  Passthrough* p = Self(userdata);
  if (n > 0 && !p->init_done_.load(std::memory_order_relaxed)) {
    int saved = errno;
    p->NoteRequest(buf, static_cast<size_t>(n));
    errno = saved;
  }
  return n;
}

ssize_t Passthrough::WriteReply(int fd, struct iovec* iov, int count, void* userdata) {
  Passthrough* p = Self(userdata);
  if (!p->init_done_.load(std::memory_order_relaxed)) p->PatchInitReply(iov, count);
  return ::writev(fd, iov, count);
}

ssize_t Passthrough::SpliceReply(int fdin, off_t* offin, int fdout, off_t* offout, size_t len,
                                 unsigned int flags, void* /*userdata*/) {
  return ::splice(fdin, offin, fdout, offout, len, flags);
}

void Passthrough::NoteRequest(const void* buf, size_t len) {
  if (len < sizeof(fuse_in_header) + sizeof(fuse_init_in)) return;
  fuse_in_header in;
  std::memcpy(&in, buf, sizeof in);
  if (in.opcode != FUSE_INIT) return;
  fuse_init_in init;
  std::memcpy(&init, static_cast<const char*>(buf) + sizeof in, sizeof init);
  uint64_t flags = init.flags;
  if (flags & FUSE_INIT_EXT) flags |= static_cast<uint64_t>(init.flags2) << 32;
  offered_.store((flags & kFusePassthrough) != 0, std::memory_order_relaxed);
  init_unique_.store(in.unique, std::memory_order_release);
}

void Passthrough::PatchInitReply(struct iovec* iov, int count) {
  if (count < 2 || iov[0].iov_len != sizeof(fuse_out_header)) return;
  fuse_out_header out;
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  if (out.unique == 0 || out.unique != init_unique_.load(std::memory_order_acquire)) return;
  init_done_.store(true, std::memory_order_relaxed);
  if (out.error != 0 || iov[1].iov_len < kInitOutMaxStackDepth + 4) return;
  void* reply = iov[1].iov_base;
  uint32_t flags = Load32(reply, kInitOutFlags);
  // Passthrough needs the extended flags and excludes the writeback cache.
  if (!offered_.load(std::memory_order_relaxed) || !(flags & FUSE_INIT_EXT) ||
      (flags & FUSE_WRITEBACK_CACHE)) {
    LogInfo("passthrough: not offered by the kernel; sealed segments go through the daemon");
    return;
  }
  Store32(reply, kInitOutFlags2,
          Load32(reply, kInitOutFlags2) | static_cast<uint32_t>(kFusePassthrough >> 32));
  // Our backing files live on a plain filesystem: one level of stacking.
  Store32(reply, kInitOutMaxStackDepth, 1);
  enabled_.store(true, std::memory_order_release);
  LogInfo("passthrough: on; sealed segments are read by the kernel from their files");
}

store::Result<int> Passthrough::Register(int fd) {
  BackingMap map{fd, 0, 0};
  int id = ::ioctl(dev_fd_, kIocBackingOpen, &map);
  if (id > 0) return id;
  int err = id < 0 ? errno : EIO;
  if (err == EPERM || err == ENOTTY || err == EINVAL) {
    // Not root (CAP_SYS_ADMIN) or not supported after all: stop asking.
    if (enabled_.exchange(false)) {
      LogError("passthrough: the kernel refused a backing file (" + std::string(strerror(err)) +
               "); sealed segments go through the daemon from now on");
    }
  }
  return store::Status::FromErrno(err, "FUSE_DEV_IOC_BACKING_OPEN");
}

void Passthrough::Unregister(int id) {
  uint32_t backing = static_cast<uint32_t>(id);
  if (::ioctl(dev_fd_, kIocBackingClose, &backing) != 0) {
    LogError("passthrough: closing backing id " + std::to_string(id) + ": " + strerror(errno));
  }
}

int ReplyOpenPassthrough(fuse_req_t req, uint64_t fh, bool noflush, int backing_id) {
  OpenOut out{fh, kFopenPassthrough | (noflush ? kFopenNoflush : 0u), backing_id};
  return fuse_reply_buf(req, reinterpret_cast<const char*>(&out), sizeof out);
}

}  // namespace topicfs::fusefs
