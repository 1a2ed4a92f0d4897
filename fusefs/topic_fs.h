// The filesystem of DESIGN §1 over a store::Store: every operation as a
// method returning a Status, with no fuse_reply_* in sight; lowlevel_ops.cc
// turns these into replies. State is reached through the daemon's userdata.
//
// Locks: the inode table, owner cache and invalidator each hold leaf locks;
// store locks are taken inside store calls only. Nothing here holds a lock
// across a store call that takes another, nor across a reply.
#pragma once

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "fusefs/follow_waits.h"
#include "fusefs/handles.h"
#include "fusefs/inode_table.h"
#include "fusefs/invalidator.h"
#include "fusefs/kernel/kernel_session.h"
#include "fusefs/link_resolutions.h"
#include "fusefs/open_segments.h"
#include "fusefs/open_streams.h"
#include "fusefs/owner_cache.h"
#include "fusefs/path_model.h"
#include "store/facts.h"
#include "store/status.h"
#include "store/store.h"

namespace topicfs::store {
class RequestStats;
}

namespace topicfs::fusefs {

// Which index a .index or .timeindex node is.
inline store::IndexKind IndexKindOf(NodeKind kind) {
  return kind == NodeKind::kSegmentIndex ? store::IndexKind::kOffset : store::IndexKind::kTime;
}

// What the kernel may cache, in seconds.
struct CacheTimes {
  double entry = 0;
  double attr = 0;
};

// The parts of a struct fuse_entry_param the methods fill.
struct EntryReply {
  uint64_t ino = 0;
  struct stat attr {};
  CacheTimes times;
};

// Open flags the kernel should be told (fuse_file_info bits).
struct OpenReply {
  FileHandle* handle = nullptr;  // owned by the caller after a successful open
  bool direct_io = false;
  bool keep_cache = false;
  int backing_id = 0;           // > 0: reply with FOPEN_PASSTHROUGH and this id
  bool flush_on_close = false;  // a read-only open that still needs FLUSH (a group's commit)
};

// What a read sends back: a range of a file descriptor (spliced where the
// kernel allows) or bytes in memory.
struct ReadReply {
  store::FileRef pin;  // keeps `fd` open until the reply is sent
  int fd = -1;
  int64_t pos = 0;
  size_t len = 0;
  std::string bytes;  // used when fd < 0
};

class TopicFs : public store::StoreListener {
 public:
  // `store` and `kernel` are borrowed and must outlive this object.
  TopicFs(store::Store* store, KernelSession* kernel, store::Ownership fallback_owner);
  TopicFs(const TopicFs&) = delete;
  TopicFs& operator=(const TopicFs&) = delete;

  Invalidator& invalidator() { return invalidator_; }
  InodeTable& inodes() { return inodes_; }
  FollowWaits& follow_waits() { return follow_waits_; }
  store::Store& store() { return *store_; }
  // Where requests are counted and timed (op_stats.h); null: nowhere.
  store::RequestStats* request_stats() const { return request_stats_; }
  void set_request_stats(store::RequestStats* stats) { request_stats_ = stats; }

  // Namespace (topic_fs.cc).
  store::Status Lookup(uint64_t parent, std::string_view name, EntryReply* out);
  void Forget(uint64_t ino, uint64_t n) { inodes_.Forget(ino, n); }
  store::Status GetAttr(uint64_t ino, const FileHandle* handle, struct stat* st, double* timeout);
  // `caller` as for Open.
  store::Status ReadLink(uint64_t ino, std::string* target, pid_t caller);
  store::Status StatFs(struct statvfs* out);
  store::Status OpenDir(uint64_t ino, DirHandle** out);

  // Changes to the tree (topic_fs_change.cc).
  store::Status MkDir(uint64_t parent, std::string_view name, mode_t mode, uid_t uid, gid_t gid,
                      EntryReply* out);
  store::Status RmDir(uint64_t parent, std::string_view name);
  // `setfattr -n user.topicfs.delete -v NAME MNT/NAME`: deletes the topic
  // with its data (`topicfs topic delete` on a mount). `confirm` must be the
  // topic's name; only its owner or root (`caller`, as the kernel reports
  // the request's uid) may.
  static inline const std::string kDeleteXattr = store::facts::Xattr(store::facts::kDelete);
  store::Status DeleteTopicAs(uint64_t ino, std::string_view confirm, uid_t caller);
  store::Status Unlink(uint64_t parent, std::string_view name);
  // `to_set` is FUSE_SET_ATTR_* bits.
  store::Status SetAttr(uint64_t ino, const struct stat& attr, int to_set, struct stat* st,
                        double* timeout);

  // Data (topic_fs_io.cc). A read of a follow/ file at the log end is
  // WouldBlock (the caller parks it in follow_waits()).
  // `caller`: the task opening (the FUSE request's pid), 0 when unknown.
  store::Status Open(uint64_t ino, int flags, OpenReply* out, pid_t caller);
  // `owner`: the kernel's lock owner of the reading process (its file
  // table), 0 when unknown.
  store::Status Read(FileHandle* handle, size_t size, int64_t off, ReadReply* out,
                     uint64_t owner = 0);
  store::Result<size_t> Write(FileHandle* handle, std::string_view data);
  // `closer`: the task that closed a descriptor (the FUSE request's pid),
  // 0 when unknown.
  // `owner` as for Read.
  store::Status Flush(FileHandle* handle, pid_t closer = 0, uint64_t owner = 0);
  store::Status Fsync(FileHandle* handle);
  void Release(FileHandle* handle);
  // After the session ended: releases the handles the kernel never released
  // (an unmount aborts the RELEASE requests still queued in the kernel).
  void ReleaseAllOpen();

  // Extended attributes (topic_fs_xattr.cc).
  store::Result<std::string> GetXattr(uint64_t ino, std::string_view name);
  store::Status SetXattr(uint64_t ino, std::string_view name, std::string_view value, int flags);
  store::Status RemoveXattr(uint64_t ino, std::string_view name);
  // NUL-separated names.
  store::Result<std::string> ListXattr(uint64_t ino);

  // After retention deleted segments: drop their cached names.
  void SegmentsDeleted(std::string_view topic, int32_t partition, int64_t base_offset);
  // store::StoreListener: retention, from whichever thread ran it.
  void OnSegmentDeleted(std::string_view topic, int32_t partition, int64_t base_offset) override {
    SegmentsDeleted(topic, partition, base_offset);
  }

  // Inode flag: the kernel's page cache for this sealed file was dropped once
  // after it was sealed, so later opens may keep it.
  static constexpr uint32_t kCacheClean = 1;

 private:
  store::RequestStats* request_stats_ = nullptr;  // borrowed; set before the mount
  store::Result<NodeKey> KeyOf(uint64_t ino) const;
  // After a topic was deleted: forget its owner and what the kernel cached.
  void TopicGone(const std::string& topic);
  // KeyOf, and NotFound unless the object still exists.
  store::Result<NodeKey> ExistingKey(uint64_t ino);
  // The key of `name` under `parent`, NotFound unless it exists; `st` gets
  // its attributes.
  store::Result<NodeKey> ExistingChild(uint64_t parent, std::string_view name, struct stat* st);
  // Fills `st` (all but st_ino) and the cache times of the object `key`;
  // NotFound when it does not exist. `handle` gives an open file's view.
  store::Status StatKey(const NodeKey& key, const FileHandle* handle, struct stat* st,
                        CacheTimes* times);
  store::Status StatSegmentFile(const NodeKey& key, const FileHandle* handle,
                                const store::Ownership& owner, struct stat* st, CacheTimes* times);
  store::Status StatVirtual(const NodeKey& key, const FileHandle* handle,
                            const store::Ownership& owner, struct stat* st, CacheTimes* times);
  // A file that grows with the partition (from/, since/, follow/, groups/
  // entries): `size` bytes, the last append's time, never cached.
  void FillGrowingFile(struct stat* st, mode_t mode, const store::Ownership& owner, int64_t size,
                       store::Partition& partition, CacheTimes* times);
  // Where from/<N> or since/<T> starts; NotFound when it does not exist.
  store::Result<store::ReadStart> Locate(const NodeKey& key,
                                         const std::shared_ptr<store::Partition>& partition);
  std::shared_ptr<store::Partition> PartitionOf(const NodeKey& key) const;
  // Whether a sealed .log may still have append handles opened before its
  // roll. The kernel moves a file's size by every write() through such a
  // handle, while the records go to the new segment; between that and its
  // own invalidation a cached size would be served, so none is cached.
  bool MayBeWrittenThrough(const NodeKey& key);
  // The size of from/<N> or since/<T> as an open reader of it sees it.
  std::optional<int64_t> OpenStreamSize(const NodeKey& key);
  store::Status OpenHandle(uint64_t ino, int flags, OpenReply* out, pid_t caller);
  store::Status OpenSegmentLog(uint64_t ino, const NodeKey& key, int flags, OpenReply* out,
                               pid_t caller);

  // Consumer groups (topic_fs_groups.cc, DESIGN §7).
  store::Status StatGroup(const NodeKey& key, const FileHandle* handle,
                          const store::Ownership& owner, struct stat* st, CacheTimes* times);
  store::Status OpenGroup(uint64_t ino, const NodeKey& key, int flags, OpenReply* out);
  store::Status ReadGroup(FileHandle* handle, size_t size, int64_t off, ReadReply* out,
                          uint64_t owner);
  // Commits the offset after the last whole record returned; when the
  // process that read closes (`owner`), lets the group go too (a later read
  // takes it again).
  store::Status FlushGroup(FileHandle* handle, uint64_t owner);
  void ListGroups(const NodeKey& groups_dir, DirHandle* dir);
  store::Status ForgetGroup(const NodeKey& key);
  store::Result<std::string> GetGroupXattr(const NodeKey& key, std::string_view name);
  store::Status SetGroupXattr(const NodeKey& key, std::string_view name, std::string_view value);
  store::Result<std::string> ListGroupXattrs(const NodeKey& key);
  store::Status OpenIndexFile(uint64_t ino, const NodeKey& key, int flags, OpenReply* out);
  void FillDirEntries(const NodeKey& key, DirHandle* dir);

  // Registers the open `handle` of a segment file with the read path it
  // would like, and fills `out` with the one it got.
  store::Status HoldOpenSegment(std::unique_ptr<FileHandle> handle, ReadPath wanted,
                                OpenReply* out);

  store::Store* const store_;
  KernelSession& kernel_;
  // Segment files held open, by inode: a segment deleted (rm, retention)
  // while open keeps answering getattr (fstat) until its last release.
  OpenSegments open_segments_{&kernel_.passthrough()};
  // from/ and since/ files held open, for the same reason.
  OpenStreams open_streams_;
  LinkResolutions link_resolutions_;
  InodeTable inodes_;
  OwnerCache owners_;
  Invalidator invalidator_;
  FollowWaits follow_waits_{this};
  std::mutex handles_mu_;
  std::unordered_set<FileHandle*> open_handles_;  // guarded by handles_mu_
  const int64_t mount_time_ms_;
};

// Cache lifetimes (seconds) for names and attributes that never change
// behind the kernel's back, and for those that may.
inline constexpr double kStableTimeout = 3600.0;
inline constexpr double kNoCache = 0.0;

}  // namespace topicfs::fusefs
