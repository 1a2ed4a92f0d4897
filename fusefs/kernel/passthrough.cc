#include "fusefs/kernel/passthrough.h"

#include <linux/fuse.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fusefs/kernel/fuse_protocol.h"

namespace topicfs::fusefs {
namespace {

using protocol::BackingMap;
using protocol::kFopenNoflush;
using protocol::kFopenPassthrough;
using protocol::kIocBackingClose;
using protocol::kIocBackingOpen;
using protocol::OpenOut;

}  // namespace

void Passthrough::Enable(int dev_fd) {
  dev_fd_.store(dev_fd, std::memory_order_relaxed);
  enabled_.store(true, std::memory_order_release);
}

store::Result<int> Passthrough::Register(int fd) {
  BackingMap map{fd, 0, 0};
  int id = ::ioctl(dev_fd_.load(std::memory_order_relaxed), kIocBackingOpen, &map);
  if (id > 0) return id;
  int err = id < 0 ? errno : EIO;
  if (err == EPERM || err == ENOTTY || err == EINVAL || err == ELOOP) {
    // Not root (CAP_SYS_ADMIN), not supported after all, or the data
    // directory's filesystem is stacked too deep: stop asking.
    if (enabled_.exchange(false)) {
      env_.LogError("passthrough: the kernel refused a backing file (" +
                    std::string(strerror(err)) +
                    "); sealed segments go through the daemon from now on");
    }
  }
  return store::Status::FromErrno(err, "FUSE_DEV_IOC_BACKING_OPEN");
}

void Passthrough::Unregister(int id) {
  uint32_t backing = static_cast<uint32_t>(id);
  if (::ioctl(dev_fd_.load(std::memory_order_relaxed), kIocBackingClose, &backing) != 0) {
    env_.LogError("passthrough: closing backing id " + std::to_string(id) + ": " + strerror(errno));
  }
}

int ReplyOpenPassthrough(fuse_req_t req, uint64_t fh, bool noflush, int backing_id) {
  OpenOut out{fh, kFopenPassthrough | (noflush ? kFopenNoflush : 0u), backing_id};
  return fuse_reply_buf(req, reinterpret_cast<const char*>(&out), sizeof out);
}

}  // namespace topicfs::fusefs
