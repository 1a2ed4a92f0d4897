// The operations that change the tree: mkdir of topics and partitions, rmdir
// of empty topics, deletion with data through user.topicfs.delete, rm of the
// oldest sealed segment, chmod/chown (DESIGN §1.1,
// §1.5, §1.6); everything else the tree does not offer is EPERM (§1.7).
#include <cerrno>

#include "fusefs/errno_map.h"
#include "fusefs/fuse_api.h"
#include "fusefs/topic_fs.h"
#include "store/names.h"

namespace topicfs::fusefs {
namespace {

store::Status NotOffered(const NodeKey& key, std::string_view what) {
  return store::Status::Permission(std::string(what) + " is not allowed on " + NodePath(key));
}

}  // namespace

store::Status TopicFs::MkDir(uint64_t parent, std::string_view name, mode_t mode, uid_t uid,
                             gid_t gid, EntryReply* out) {
  store::Result<NodeKey> parent_key = KeyOf(parent);
  if (!parent_key.ok()) return parent_key.status();
  std::optional<NodeKey> child = ChildKey(*parent_key, name);
  switch (parent_key->kind) {
    case NodeKind::kRoot: {
      if (!child)
        return store::Status::InvalidArgument("bad topic name '" + std::string(name) + "'");
      if (store_->FindTopic(name) != nullptr) {
        return store::Status::AlreadyExists("topic " + std::string(name));
      }
      // The owner is recorded with the topic, in one commit: a failed
      // mkdir leaves nothing behind (DESIGN §3).
      const store::Ownership owner{static_cast<uint32_t>(mode & 07777),
                                   static_cast<uint32_t>(uid), static_cast<uint32_t>(gid)};
      owners_.ForgetTopic(name);
      TOPICFS_RETURN_IF_ERROR(store_->CreateTopic(name, 1, store::TopicConfig(), owner));
      owners_.ForgetTopic(name);
      break;
    }
    case NodeKind::kTopic: {
      if (!child)
        return store::Status::InvalidArgument("bad partition name '" + std::string(name) + "'");
      std::shared_ptr<store::Topic> topic = store_->FindTopic(parent_key->topic);
      if (topic == nullptr) return store::Status::NotFound(NodePath(*parent_key));
      int32_t count = topic->partition_count();
      if (child->partition < count) return store::Status::AlreadyExists(NodePath(*child));
      if (child->partition > count) {
        return store::Status::InvalidArgument("the next partition of " + parent_key->topic +
                                              " is " + std::to_string(count));
      }
      TOPICFS_RETURN_IF_ERROR(store_->SetPartitionCount(parent_key->topic, count + 1));
      break;
    }
    default:
      return NotOffered(*parent_key, "mkdir");
  }
  TOPICFS_RETURN_IF_ERROR(StatKey(*child, nullptr, &out->attr, &out->times));
  out->ino = inodes_.Intern(*child, /*count_lookup=*/true);
  out->attr.st_ino = out->ino;
  return store::Status::OK();
}

store::Status TopicFs::RmDir(uint64_t parent, std::string_view name) {
  struct stat st;
  store::Result<NodeKey> child = ExistingChild(parent, name, &st);
  if (!child.ok()) return child.status();
  if (!S_ISDIR(st.st_mode)) return StatusWithErrno(ENOTDIR, NodePath(*child));
  if (child->kind != NodeKind::kTopic) return NotOffered(*child, "rmdir");
  TOPICFS_RETURN_IF_ERROR(store_->DeleteTopic(child->topic, /*require_empty=*/true));
  TopicGone(child->topic);
  return store::Status::OK();
}

store::Status TopicFs::DeleteTopicAs(uint64_t ino, std::string_view confirm, uid_t caller) {
  store::Result<NodeKey> key = ExistingKey(ino);
  if (!key.ok()) return key.status();
  if (key->kind != NodeKind::kTopic) return NotOffered(*key, kDeleteXattr);
  // The value names the topic again, so a setfattr on the wrong directory
  // (a shell loop, a typo) deletes nothing.
  if (confirm != key->topic) {
    return store::Status::InvalidArgument(std::string(kDeleteXattr) +
                                          " takes the topic's own name: " + key->topic);
  }
  if (caller != 0 && caller != owners_.Topic(key->topic).uid) {
    return store::Status::Permission("only the owner of topic " + key->topic +
                                     " or root may delete it");
  }
  TOPICFS_RETURN_IF_ERROR(store_->DeleteTopic(key->topic, /*require_empty=*/false));
  TopicGone(key->topic);
  // No rmdir told the kernel the name went: drop its entry in the root.
  invalidator_.Entry(kRootInode, key->topic);
  return store::Status::OK();
}

void TopicFs::TopicGone(const std::string& topic) {
  owners_.ForgetTopic(topic);
  // A topic made again under this name reuses these inode numbers: drop
  // what the kernel cached of the old one (a `current` target, sizes).
  for (uint64_t ino : inodes_.InodesOf(topic, -1)) invalidator_.Inode(ino);
}

store::Status TopicFs::Unlink(uint64_t parent, std::string_view name) {
  struct stat st;
  store::Result<NodeKey> child = ExistingChild(parent, name, &st);
  if (!child.ok()) return child.status();
  if (child->kind == NodeKind::kGroupEntry) return ForgetGroup(*child);
  if (child->kind != NodeKind::kSegmentLog) return NotOffered(*child, "rm");
  std::shared_ptr<store::Partition> partition = PartitionOf(*child);
  if (partition == nullptr) return store::Status::NotFound(NodePath(*child));
  TOPICFS_RETURN_IF_ERROR(partition->TrimSegment(child->value));
  // The kernel drops the .log's name itself; the indexes went with it.
  for (NodeKind kind : {NodeKind::kSegmentIndex, NodeKind::kSegmentTimeIndex}) {
    NodeKey index = *child;
    index.kind = kind;
    invalidator_.Entry(parent, NodeName(index));
  }
  return store::Status::OK();
}

store::Status TopicFs::SetAttr(uint64_t ino, const struct stat& attr, int to_set, struct stat* st,
                               double* timeout) {
  store::Result<NodeKey> key = KeyOf(ino);
  if (!key.ok()) return key.status();
  CacheTimes times;
  TOPICFS_RETURN_IF_ERROR(StatKey(*key, nullptr, st, &times));
  if (to_set & FUSE_SET_ATTR_SIZE) return NotOffered(*key, "truncate");
  // Times are the append times, not settable (DESIGN §1.7: what the tree
  // does not offer is refused): `touch` of an existing file is EPERM, as
  // its open for write without O_APPEND already is.
  const int time_bits = FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
                        FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME;
  if (to_set & time_bits) return NotOffered(*key, "setting times");
  const int owner_bits = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID;
  if (to_set & owner_bits) {
    if (key->kind != NodeKind::kTopic && key->kind != NodeKind::kPartition) {
      return NotOffered(*key, "chmod/chown");
    }
    store::Ownership owner{static_cast<uint32_t>(st->st_mode & 07777),
                           static_cast<uint32_t>(st->st_uid), static_cast<uint32_t>(st->st_gid)};
    if (to_set & FUSE_SET_ATTR_MODE) owner.mode = attr.st_mode & 07777;
    if (to_set & FUSE_SET_ATTR_UID) owner.uid = attr.st_uid;
    if (to_set & FUSE_SET_ATTR_GID) owner.gid = attr.st_gid;
    TOPICFS_RETURN_IF_ERROR(key->kind == NodeKind::kTopic
                                ? owners_.SetTopic(key->topic, owner)
                                : owners_.SetPartition(key->topic, key->partition, owner));
    // Segments take their owner and mode from the partition, and sealed
    // ones are cached for long: tell the kernel they changed.
    for (uint64_t other : inodes_.InodesOf(key->topic, key->partition)) {
      if (other != ino) invalidator_.Inode(other);
    }
  }
  return GetAttr(ino, nullptr, st, timeout);
}

}  // namespace topicfs::fusefs
