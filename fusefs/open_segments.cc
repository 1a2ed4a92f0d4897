#include "fusefs/open_segments.h"

#include <utility>

namespace topicfs::fusefs {

int OpenSegments::BackingIdOf(Inode& inode) {
  if (inode.backing_id > 0 || backing_ == nullptr || !backing_->enabled()) {
    return inode.backing_id;
  }
  // The kernel holds its own reference to the file once registered, so the
  // descriptor is pinned only for the registration.
  store::Result<store::FileRef> log = inode.segment->OpenLog();
  if (!log.ok()) return 0;
  store::Result<int> id = backing_->Register(log->fd());
  if (id.ok()) inode.backing_id = *id;
  return inode.backing_id;
}

store::Result<OpenSegments::Grant> OpenSegments::Open(
    uint64_t ino, std::shared_ptr<const store::SegmentFile> segment, ReadPath wanted) {
  std::lock_guard<std::mutex> lock(mu_);
  Inode& inode = inodes_[ino];
  if (inode.segment == nullptr) inode.segment = std::move(segment);
  Grant grant{wanted, 0};
  switch (wanted) {
    case ReadPath::kDaemon:
      if (inode.count(ReadPath::kPassthrough) > 0) {
        if (inode.total() == 0) inodes_.erase(ino);
        return store::Status::Permission("the file is open for passthrough reads");
      }
      break;
    case ReadPath::kPageCache:
      if (inode.count(ReadPath::kPassthrough) > 0) grant.path = ReadPath::kPassthrough;
      break;
    case ReadPath::kPassthrough:
      // A direct-I/O open (a reader or appender from before the seal) may
      // hold a MAP_SHARED mapping, which puts the inode in the kernel's
      // page-cache mode, and the kernel then fails a passthrough open with
      // EIO. Writes through such a handle (an append handle opened before
      // the roll) also move the kernel's idea of its size past the data, so
      // a page-cache reader would read zeros: read through the daemon while
      // any is open.
      if (inode.count(ReadPath::kDaemon) > 0) {
        grant.path = ReadPath::kDaemon;
      } else if (inode.count(ReadPath::kPageCache) > 0 || BackingIdOf(inode) <= 0) {
        grant.path = ReadPath::kPageCache;
      }
      break;
  }
  if (grant.path == ReadPath::kPassthrough) grant.backing_id = inode.backing_id;
  ++inode.count(grant.path);
  return grant;
}

void OpenSegments::Release(uint64_t ino, ReadPath path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inodes_.find(ino);
  if (it == inodes_.end()) return;
  Inode& inode = it->second;
  if (inode.count(path) > 0) --inode.count(path);
  if (inode.count(ReadPath::kPassthrough) == 0 && inode.backing_id > 0) {
    // The kernel let go of the inode's backing file before it sent the
    // RELEASE, so the id can go; the next passthrough open registers anew.
    backing_->Unregister(inode.backing_id);
    inode.backing_id = 0;
  }
  if (inode.total() == 0) inodes_.erase(it);
}

std::shared_ptr<const store::SegmentFile> OpenSegments::Find(uint64_t ino) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inodes_.find(ino);
  return it == inodes_.end() ? nullptr : it->second.segment;
}

bool OpenSegments::HasDaemonOpens(uint64_t ino) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = inodes_.find(ino);
  return it != inodes_.end() && it->second.count(ReadPath::kDaemon) > 0;
}

}  // namespace topicfs::fusefs
