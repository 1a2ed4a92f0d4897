#include "fusefs/topic_fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fusefs/errno_map.h"
#include "fusefs/mount_options.h"
#include "store/clock.h"
#include "store/names.h"

namespace topicfs::fusefs {
namespace {

void SetTimes(struct stat* st, int64_t ms) {
  st->st_mtim.tv_sec = ms / 1000;
  st->st_mtim.tv_nsec = (ms % 1000) * 1000000;
  st->st_atim = st->st_mtim;
  st->st_ctim = st->st_mtim;
}

// The "preferred I/O size" of the active segment: the largest request the
// kernel sends (max_write, lowlevel_ops.cc). cat, cp and stdio size their
// buffers from it, and one round trip per 1 MiB appended instead of per
// 128 KiB is most of what a bulk append through FUSE costs. Other files keep
// the page size: 1 MiB read buffers make warm reads slower (they overflow
// the CPU cache; docs/PERFORMANCE.md).
constexpr blksize_t kAppendIoSize = 1 << 20;
// from/, since/, follow/ and group files are read through the daemon, a
// round trip per read(): cat, grep, stdio and Python size their buffers
// from st_blksize. 4 KiB made a line-by-line read of from/0 6x slower than
// of a plain file; the default max_read (512 KiB) makes each read() one
// request, and `cat from/0` 3x faster than with 128 KiB (DECISIONS.md).
constexpr blksize_t kStreamIoSize = kDefaultMaxRead;

void FillCommon(struct stat* st, mode_t mode, const store::Ownership& owner, int64_t size) {
  st->st_mode = mode;
  st->st_uid = owner.uid;
  st->st_gid = owner.gid;
  st->st_nlink = S_ISDIR(mode) ? 2 : 1;
  st->st_size = size;
  st->st_blksize = 4096;
  st->st_blocks = (size + 511) / 512;
}

// Whole entries of an index file as they are on disk now.
}  // namespace

TopicFs::TopicFs(store::Store* store, KernelSession* kernel, store::Ownership fallback_owner)
    : store_(store),
      kernel_(*kernel),
      owners_(store, fallback_owner),
      mount_time_ms_(store::NowMs()) {}

store::Result<NodeKey> TopicFs::KeyOf(uint64_t ino) const {
  std::optional<NodeKey> key = inodes_.Find(ino);
  if (!key) return store::Status::NotFound("stale inode " + std::to_string(ino));
  return *key;
}

std::shared_ptr<store::Partition> TopicFs::PartitionOf(const NodeKey& key) const {
  if (key.partition < 0) return nullptr;
  return store_->FindPartition(key.topic, key.partition);
}

bool TopicFs::MayBeWrittenThrough(const NodeKey& key) {
  if (key.kind != NodeKind::kSegmentLog) return false;
  std::optional<uint64_t> ino = inodes_.Peek(key);
  return ino && open_segments_.HasDaemonOpens(*ino);
}

std::optional<int64_t> TopicFs::OpenStreamSize(const NodeKey& key) {
  std::optional<uint64_t> ino = inodes_.Peek(key);
  if (!ino) return std::nullopt;
  return open_streams_.SizeOf(*ino);
}

store::Result<store::ReadStart> TopicFs::Locate(
    const NodeKey& key, const std::shared_ptr<store::Partition>& partition) {
  store::Result<store::ReadStart> start =
      key.kind == NodeKind::kSinceEntry ? partition->LocateTime(key.value)
      : key.value == kFollowEnd         ? partition->LocateOffset(partition->log_end_offset())
                                        : partition->LocateOffset(key.value);
  if (!start.ok() && start.status().Is(store::Code::kOutOfRange)) {
    return store::Status::NotFound(NodePath(key) + " is outside the log");
  }
  return start;
}

store::Status TopicFs::StatSegmentFile(const NodeKey& key, const FileHandle* handle,
                                       const store::Ownership& owner, struct stat* st,
                                       CacheTimes* times) {
  // An open file keeps its segment, even one retention has deleted since.
  std::shared_ptr<const store::SegmentFile> seg;
  if (handle != nullptr && handle->segment != nullptr &&
      handle->segment->base_offset() == key.value) {
    seg = handle->segment;
  } else if (std::shared_ptr<store::Partition> partition = PartitionOf(key)) {
    seg = partition->FindSegment(key.value);
  }
  if (seg == nullptr) {
    if (std::optional<uint64_t> ino = inodes_.Peek(key)) seg = open_segments_.Find(*ino);
  }
  if (seg == nullptr) return store::Status::NotFound(NodePath(key));
  // Sealed is read first: once sealed, every size read after it is final.
  const bool sealed = seg->sealed();
  const mode_t pm = owner.mode;
  switch (key.kind) {
    case NodeKind::kSegmentLog:
      FillCommon(st, S_IFREG | (sealed ? pm & 0444 : pm & 0666), owner, seg->size());
      if (!sealed) st->st_blksize = kAppendIoSize;
      break;
    default:
      FillCommon(st, S_IFREG | (pm & 0444), owner, seg->IndexFileBytes(IndexKindOf(key.kind)));
      break;
  }
  int64_t ts = seg->max_timestamp_ms();
  SetTimes(st, ts >= 0 ? ts : mount_time_ms_);
  // An index goes away with its .log (rm of the oldest segment), and the
  // kernel cannot be told from inside that unlink: its name is checked again
  // at every lookup. The .log's own name may be cached; unlink drops it.
  times->entry = key.kind == NodeKind::kSegmentLog ? kStableTimeout : kNoCache;
  times->attr = sealed && !MayBeWrittenThrough(key) ? kStableTimeout : kNoCache;
  return store::Status::OK();
}

store::Status TopicFs::StatVirtual(const NodeKey& key, const FileHandle* handle,
                                   const store::Ownership& owner, struct stat* st,
                                   CacheTimes* times) {
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  int64_t size;
  if (handle != nullptr && handle->reader != nullptr) {
    size = handle->reader->end().value();
  } else if (std::optional<int64_t> open_size = OpenStreamSize(key)) {
    size = *open_size;
  } else {
    store::Result<store::ReadStart> start = Locate(key, partition);
    if (!start.ok()) return start.status();
    size = std::max<int64_t>(0, partition->stream_end() - start->stream_pos);
  }
  FillGrowingFile(st, S_IFREG | (owner.mode & 0444), owner, size, *partition, times);
  return store::Status::OK();
}

void TopicFs::FillGrowingFile(struct stat* st, mode_t mode, const store::Ownership& owner,
                              int64_t size, store::Partition& partition, CacheTimes* times) {
  FillCommon(st, mode, owner, size);
  st->st_blksize = kStreamIoSize;
  int64_t ts = partition.ActiveSegment()->max_timestamp_ms();
  SetTimes(st, ts >= 0 ? ts : mount_time_ms_);
  *times = {kNoCache, kNoCache};
}

store::Status TopicFs::StatGroup(const NodeKey& key, const FileHandle* handle,
                                 const store::Ownership& owner, struct stat* st,
                                 CacheTimes* times) {
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  int64_t size;
  if (handle != nullptr && handle->reader != nullptr) {
    size = handle->reader->end().value();
  } else {
    store::Result<store::Offset> start = store_->groups().StartOf(*partition, key.group);
    if (!start.ok()) return start.status();
    store::Result<store::ReadStart> at = partition->LocateOffset(start->value());
    size = at.ok() ? std::max<int64_t>(0, partition->stream_end() - at->stream_pos) : 0;
  }
  // Writable by those who may set its committed_offset; opening it for
  // writing is refused.
  FillGrowingFile(st, S_IFREG | (owner.mode & 0666), owner, size, *partition, times);
  return store::Status::OK();
}

store::Status TopicFs::StatKey(const NodeKey& key, const FileHandle* handle, struct stat* st,
                               CacheTimes* times) {
  *st = {};
  switch (key.kind) {
    case NodeKind::kRoot:
      FillCommon(st, S_IFDIR | (owners_.fallback().mode & 07777), owners_.fallback(), 0);
      st->st_nlink = 2 + store_->ListTopics().size();
      SetTimes(st, mount_time_ms_);
      *times = {kStableTimeout, 1.0};
      return store::Status::OK();
    case NodeKind::kTopic: {
      std::shared_ptr<store::Topic> topic = store_->FindTopic(key.topic);
      if (topic == nullptr) return store::Status::NotFound(NodePath(key));
      store::Ownership owner = owners_.Topic(key.topic);
      FillCommon(st, S_IFDIR | (owner.mode & 07777), owner, 0);
      st->st_nlink = 2 + topic->partition_count();
      SetTimes(st, mount_time_ms_);
      *times = {kStableTimeout, 1.0};
      return store::Status::OK();
    }
    default:
      break;
  }
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  store::Ownership owner = owners_.Partition(key.topic, key.partition);
  switch (key.kind) {
    case NodeKind::kPartition: {
      FillCommon(st, S_IFDIR | (owner.mode & 07777), owner, 0);
      st->st_nlink = 6;  // ".", its name, and the ".." of from/, since/, follow/, groups/
      int64_t ts = partition->ActiveSegment()->max_timestamp_ms();
      SetTimes(st, ts >= 0 ? ts : mount_time_ms_);
      *times = {kStableTimeout, kNoCache};
      return store::Status::OK();
    }
    case NodeKind::kCurrent:
      FillCommon(st, S_IFLNK | 0777, owner,
                 store::kSegmentNameDigits + static_cast<int64_t>(store::kLogSuffix.size()));
      SetTimes(st, mount_time_ms_);
      *times = {kStableTimeout, kStableTimeout};
      return store::Status::OK();
    case NodeKind::kFromDir:
    case NodeKind::kSinceDir:
    case NodeKind::kFollowDir:
    case NodeKind::kGroupsDir:
      FillCommon(st, S_IFDIR | (owner.mode & 0555), owner, 0);
      SetTimes(st, mount_time_ms_);
      *times = {kStableTimeout, 1.0};
      return store::Status::OK();
    case NodeKind::kGroupEntry:
      return StatGroup(key, handle, owner, st, times);
    case NodeKind::kFromEntry:
    case NodeKind::kSinceEntry:
    case NodeKind::kFollowEntry:
      return StatVirtual(key, handle, owner, st, times);
    default:
      return StatSegmentFile(key, handle, owner, st, times);
  }
}

store::Status TopicFs::Lookup(uint64_t parent, std::string_view name, EntryReply* out) {
  store::Result<NodeKey> parent_key = KeyOf(parent);
  if (!parent_key.ok()) return parent_key.status();
  if (!IsDirectory(parent_key->kind)) return StatusWithErrno(ENOTDIR, NodePath(*parent_key));
  std::optional<NodeKey> child = ChildKey(*parent_key, name);
  if (!child) return store::Status::NotFound(std::string(name));
  TOPICFS_RETURN_IF_ERROR(StatKey(*child, nullptr, &out->attr, &out->times));
  out->ino = inodes_.Intern(*child, /*count_lookup=*/true);
  out->attr.st_ino = out->ino;
  return store::Status::OK();
}

store::Result<NodeKey> TopicFs::ExistingKey(uint64_t ino) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  struct stat st;
  CacheTimes times;
  TOPICFS_RETURN_IF_ERROR(StatKey(*key, nullptr, &st, &times));
  return key;
}

store::Result<NodeKey> TopicFs::ExistingChild(uint64_t parent, std::string_view name,
                                              struct stat* st) {
  store::Result<NodeKey> parent_key = KeyOf(parent);
  if (!parent_key.ok()) return parent_key.status();
  std::optional<NodeKey> child = ChildKey(*parent_key, name);
  if (!child) return store::Status::NotFound(std::string(name));
  CacheTimes times;
  TOPICFS_RETURN_IF_ERROR(StatKey(*child, nullptr, st, &times));
  return *child;
}

store::Status TopicFs::GetAttr(uint64_t ino, const FileHandle* handle, struct stat* st,
                               double* timeout) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  CacheTimes times;
  TOPICFS_RETURN_IF_ERROR(StatKey(*key, handle, st, &times));
  st->st_ino = ino;
  *timeout = times.attr;
  return store::Status::OK();
}

store::Status TopicFs::ReadLink(uint64_t ino, std::string* target, pid_t caller) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  if (key->kind != NodeKind::kCurrent) return store::Status::InvalidArgument("not a symlink");
  std::shared_ptr<store::Partition> partition = PartitionOf(*key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(*key));
  const int64_t base = partition->ActiveSegment()->base_offset();
  link_resolutions_.Note(caller, partition.get(), base, store::SteadyNowMs());
  *target = store::SegmentFilePrefix(base) + std::string(store::kLogSuffix);
  return store::Status::OK();
}

store::Status TopicFs::StatFs(struct statvfs* out) {
  if (::statvfs(store_->data_dir().c_str(), out) != 0) {
    return store::Status::FromErrno(errno, "statvfs " + store_->data_dir());
  }
  return store::Status::OK();
}

void TopicFs::FillDirEntries(const NodeKey& key, DirHandle* dir) {
  auto add = [&](const NodeKey& child, mode_t type) {
    dir->entries.push_back(DirEntry{NodeName(child), inodes_.Intern(child, false), type});
  };
  dir->entries.push_back(DirEntry{".", inodes_.Intern(key, false), S_IFDIR});
  dir->entries.push_back(DirEntry{"..", inodes_.Intern(ParentKey(key), false), S_IFDIR});
  switch (key.kind) {
    case NodeKind::kRoot:
      for (const std::string& topic : store_->ListTopics()) add(TopicKey(topic), S_IFDIR);
      break;
    case NodeKind::kTopic:
      if (auto topic = store_->FindTopic(key.topic)) {
        for (int32_t p = 0; p < topic->partition_count(); ++p) {
          add(PartitionKey(key.topic, p), S_IFDIR);
        }
      }
      break;
    case NodeKind::kPartition:
      if (auto partition = PartitionOf(key)) {
        for (const auto& seg : partition->Segments()) {
          for (NodeKind kind :
               {NodeKind::kSegmentLog, NodeKind::kSegmentIndex, NodeKind::kSegmentTimeIndex}) {
            add(SegmentKey(key.topic, key.partition, kind, seg->base_offset()), S_IFREG);
          }
        }
        NodeKey child = key;
        child.kind = NodeKind::kCurrent;
        add(child, S_IFLNK);
        child.kind = NodeKind::kFromDir;
        add(child, S_IFDIR);
        child.kind = NodeKind::kSinceDir;
        add(child, S_IFDIR);
        child.kind = NodeKind::kFollowDir;
        add(child, S_IFDIR);
        child.kind = NodeKind::kGroupsDir;
        add(child, S_IFDIR);
      }
      break;
    case NodeKind::kGroupsDir:
      ListGroups(key, dir);
      break;
    default:
      break;  // from/, since/ and follow/ list nothing: their names are looked up only
  }
}

store::Status TopicFs::OpenDir(uint64_t ino, DirHandle** out) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  if (!IsDirectory(key->kind)) return StatusWithErrno(ENOTDIR, NodePath(*key));
  struct stat st;
  CacheTimes times;
  TOPICFS_RETURN_IF_ERROR(StatKey(*key, nullptr, &st, &times));
  auto dir = std::make_unique<DirHandle>();
  FillDirEntries(*key, dir.get());
  *out = dir.release();
  return store::Status::OK();
}

void TopicFs::SegmentsDeleted(std::string_view topic, int32_t partition, int64_t base_offset) {
  // Only names the kernel may have cached need telling; an inode that was
  // never handed out has no dentry.
  uint64_t dir = inodes_.Intern(PartitionKey(topic, partition), false);
  for (NodeKind kind :
       {NodeKind::kSegmentLog, NodeKind::kSegmentIndex, NodeKind::kSegmentTimeIndex}) {
    invalidator_.Entry(dir, NodeName(SegmentKey(topic, partition, kind, base_offset)));
  }
}

}  // namespace topicfs::fusefs
