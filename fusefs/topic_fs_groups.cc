// groups/<g> (DESIGN §7): reading gives the records from group g's committed
// offset to the log end; the close() that ends the reading commits the
// offset after the last whole record returned, durably, before it returns.
// One handle per group and partition at a time (EBUSY), so two runs of a
// cron job never get the same records.
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fusefs/errno_map.h"
#include "fusefs/topic_fs.h"
#include "store/clock.h"
#include "store/facts.h"
#include "store/units.h"

namespace topicfs::fusefs {
namespace {

const std::string kCommittedOffset = store::facts::Xattr(store::facts::kCommittedOffset);
const std::string kLag = store::facts::Xattr(store::facts::kLag);

store::Status NoGroupData(std::string_view name) {
  return StatusWithErrno(ENODATA, "no attribute " + std::string(name));
}

}  // namespace

store::Status TopicFs::OpenGroup(uint64_t ino, const NodeKey& key, int flags, OpenReply* out) {
  if (WantsWrite(flags)) return store::Status::Permission(NodePath(key) + " is read-only");
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  store::Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim =
      store_->groups().Acquire(key.topic, key.partition, key.group);
  if (!claim.ok()) return claim.status();
  store::Result<std::unique_ptr<store::PartitionReader>> reader =
      store_->groups().ReaderFor(partition, key.group);
  if (!reader.ok()) return reader.status();
  auto handle = std::make_unique<FileHandle>();
  handle->kind = FileHandle::Kind::kGroup;
  handle->partition = partition;
  handle->reader = std::move(*reader);
  handle->ino = ino;
  handle->group = key.group;
  handle->group_claim = std::move(*claim);
  open_streams_.Add(ino, handle->reader.get());
  out->direct_io = true;
  out->flush_on_close = true;
  out->handle = handle.release();
  return store::Status::OK();
}

store::Status TopicFs::ReadGroup(FileHandle* handle, size_t size, int64_t off, ReadReply* out,
                                 uint64_t owner) {
  std::lock_guard lock(handle->group_mu);
  if (owner != 0) handle->group_reader = owner;
  if (handle->group_claim == nullptr) {
    // Read again after the close() that committed (a descriptor that was
    // shared): the group must be taken again.
    store::Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim = store_->groups().Acquire(
        handle->partition->topic(), handle->partition->id(), handle->group);
    if (!claim.ok()) return claim.status();
    handle->group_claim = std::move(*claim);
  }
  // Bytes, not a spliced range: the records among them are counted.
  out->fd = -1;
  out->bytes.resize(size);
  store::Result<size_t> n =
      handle->reader->ReadAt(store::ReadPosition(off), out->bytes.data(), size);
  if (!n.ok()) return n.status();
  out->bytes.resize(*n);
  int64_t records = 0;
  if (off == handle->group_frontier && *n > 0) {
    const char delim = handle->partition->delimiter();
    const std::string& bytes = out->bytes;
    records = std::count(bytes.begin(), bytes.end(), delim);
    handle->group_records += records;
    handle->group_frontier += static_cast<int64_t>(*n);
  }
  handle->partition->traffic().CountRead(static_cast<int64_t>(*n), records);
  return store::Status::OK();
}

store::Status TopicFs::FlushGroup(FileHandle* handle, uint64_t owner) {
  std::lock_guard lock(handle->group_mu);
  if (handle->group_records > handle->group_committed) {
    const store::Offset next = handle->reader->start_offset() + handle->group_records;
    TOPICFS_RETURN_IF_ERROR(
        store_->groups().Commit(*handle->partition, handle->group, next, store::NowMs()));
    handle->group_committed = handle->group_records;
  }
  // The reader's own close() lets the group go, so the next `cat` of it can
  // open at once (the kernel's release comes later, asynchronously). A
  // close of a copy in another process (a child's exit, or the close-on-
  // exec in a fork before exec) commits what was returned but keeps it.
  if (owner != 0 && owner == handle->group_reader) handle->group_claim.reset();
  return store::Status::OK();
}

void TopicFs::ListGroups(const NodeKey& groups_dir, DirHandle* dir) {
  store::Result<std::vector<store::CommittedOffset>> all = store_->groups().List(groups_dir.topic);
  if (!all.ok()) return;
  for (const store::CommittedOffset& c : *all) {
    if (c.partition != groups_dir.partition) continue;
    NodeKey child{NodeKind::kGroupEntry, groups_dir.topic, groups_dir.partition, 0, {}};
    child.group = c.group;
    dir->entries.push_back(DirEntry{c.group, inodes_.Intern(child, false), S_IFREG});
  }
}

store::Status TopicFs::ForgetGroup(const NodeKey& key) {
  store::Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim =
      store_->groups().Acquire(key.topic, key.partition, key.group);
  if (!claim.ok()) return claim.status();
  return store_->groups().Forget(key.topic, key.partition, key.group);
}

store::Result<std::string> TopicFs::GetGroupXattr(const NodeKey& key, std::string_view name) {
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  store::Result<std::optional<store::CommittedOffset>> committed =
      store_->groups().Get(key.topic, key.partition, key.group);
  if (!committed.ok()) return committed.status();
  if (name == kCommittedOffset) {
    if (!committed->has_value()) return NoGroupData(name);
    return std::to_string((*committed)->offset);
  }
  if (name == kLag) {
    const std::optional<int64_t> offset =
        committed->has_value() ? std::optional<int64_t>((*committed)->offset) : std::nullopt;
    return std::to_string(
        store::GroupLag(partition->log_start_offset(), partition->log_end_offset(), offset));
  }
  return NoGroupData(name);
}

store::Status TopicFs::SetGroupXattr(const NodeKey& key, std::string_view name,
                                     std::string_view value) {
  if (name == kLag) return store::Status::Permission(std::string(name) + " is read-only");
  if (name != kCommittedOffset) {
    return store::Status::Permission(NodePath(key) + " holds no attribute " + std::string(name));
  }
  std::shared_ptr<store::Partition> partition = PartitionOf(key);
  if (partition == nullptr) return store::Status::NotFound(NodePath(key));
  std::optional<int64_t> offset = store::ParseDecimal(value);
  if (!offset || *offset < partition->log_start_offset() ||
      *offset > partition->log_end_offset()) {
    return store::Status::InvalidArgument(
        "committed_offset must be in [" + std::to_string(partition->log_start_offset()) + ", " +
        std::to_string(partition->log_end_offset()) + "]");
  }
  store::Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim =
      store_->groups().Acquire(key.topic, key.partition, key.group);
  if (!claim.ok()) return claim.status();
  return store_->groups().Commit(*partition, key.group, store::Offset(*offset),
                                 store::NowMs());
}

store::Result<std::string> TopicFs::ListGroupXattrs(const NodeKey& key) {
  store::Result<std::optional<store::CommittedOffset>> committed =
      store_->groups().Get(key.topic, key.partition, key.group);
  if (!committed.ok()) return committed.status();
  std::string out;
  if (committed->has_value()) out.append(kCommittedOffset).push_back('\0');
  out.append(kLag).push_back('\0');
  return out;
}

}  // namespace topicfs::fusefs
