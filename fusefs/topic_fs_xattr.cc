// Extended attributes (DESIGN §1.6): topic configuration under Kafka's names,
// read-only facts on partitions and segments, and any other user.* attribute
// kept in RocksDB. Other namespaces are ENOTSUP.
#include <sys/xattr.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <utility>
#include <vector>

#include "fusefs/errno_map.h"
#include "fusefs/topic_fs.h"
#include "store/facts.h"
#include "store/file_hash.h"
#include "store/topic_config.h"

namespace topicfs::fusefs {
namespace {

constexpr std::string_view kUserPrefix = "user.";
constexpr std::string_view kTopicfsPrefix = store::facts::kPrefix;
constexpr size_t kMaxUserValue = 64 * 1024;

using Facts = std::vector<std::pair<std::string, std::string>>;

namespace facts = store::facts;

Facts PartitionFacts(store::Store& store, store::Partition& p) {
  Facts facts = {
      {std::string(facts::kLogStartOffset), std::to_string(p.log_start_offset())},
      {std::string(facts::kLogEndOffset), std::to_string(p.log_end_offset())},
      {std::string(facts::kSizeBytes), std::to_string(p.size_bytes())},
      {std::string(facts::kSegmentCount), std::to_string(p.segment_count())},
      {std::string(facts::kLocalLogStartOffset), std::to_string(p.local_log_start_offset())}};
  // Only while the partition is stopped by a failed fsync.
  if (store::Status failure = p.failure(); !failure.ok()) {
    facts.emplace_back(facts::kError, failure.message());
  }
  if (store::Result<store::Store::TierStatus> tier = store.PartitionTierStatus(p.topic(), p.id());
      tier.ok()) {
    facts.emplace_back(facts::kLocalSizeBytes, std::to_string(tier->local_bytes));
    facts.emplace_back(facts::kRemoteSizeBytes, std::to_string(tier->remote_bytes));
    facts.emplace_back(facts::kTierPendingCopies, std::to_string(tier->pending_copies));
    facts.emplace_back(facts::kTierPendingDeletes, std::to_string(tier->pending_deletes));
    if (!tier->last_error.empty()) facts.emplace_back(facts::kTierError, tier->last_error);
  }
  return facts;
}

Facts SegmentFacts(const store::SegmentFile& seg) {
  // Sealed first: the counts read after it are final.
  const bool sealed = seg.sealed();
  Facts facts = {
      {std::string(facts::kBaseOffset), std::to_string(seg.base_offset())},
      {std::string(facts::kNextOffset), std::to_string(seg.next_offset())},
      {std::string(facts::kRecordCount), std::to_string(seg.next_offset() - seg.base_offset())},
      {std::string(facts::kMaxTimestampMs), std::to_string(seg.max_timestamp_ms())}};
  if (sealed) facts.emplace_back(facts::kXxh3, store::Xxh3Hex(seg.xxh3()));
  facts.emplace_back(facts::kTier, seg.remote_only() ? "remote"
                                   : seg.tier_copy() == store::SegmentFile::TierCopy::kCopied
                                       ? "both"
                                       : "local");
  return facts;
}

bool IsFactName(std::string_view name) {
  for (std::string_view n : facts::kReadOnly) {
    if (n == name) return true;
  }
  return false;
}

store::Status NoData(std::string_view name) {
  return StatusWithErrno(ENODATA, "no attribute " + std::string(name));
}

// Objects that carry attributes: topics, partitions and segment .log files.
bool HoldsAttributes(NodeKind kind) {
  return kind == NodeKind::kTopic || kind == NodeKind::kPartition || kind == NodeKind::kSegmentLog;
}

store::Store::AttributeHolder HolderOf(const NodeKey& key) {
  switch (key.kind) {
    case NodeKind::kTopic:
      return {key.topic};
    case NodeKind::kPartition:
      return {key.topic, key.partition};
    default:
      return {key.topic, key.partition, key.value};
  }
}

}  // namespace

// Facts of `key` (empty for topics); NotFound when the object is gone.
static store::Result<Facts> FactsOf(store::Store& store, const NodeKey& key) {
  if (key.kind == NodeKind::kTopic) return Facts{};
  std::shared_ptr<store::Partition> partition = store.FindPartition(key.topic, key.partition);
  if (partition == nullptr) return store::Status::NotFound("no partition");
  if (key.kind == NodeKind::kPartition) return PartitionFacts(store, *partition);
  std::shared_ptr<const store::SegmentFile> seg = partition->FindSegment(key.value);
  if (seg == nullptr) return store::Status::NotFound("no segment");
  return SegmentFacts(*seg);
}

store::Result<std::string> TopicFs::GetXattr(uint64_t ino, std::string_view name) {
  if (!name.starts_with(kUserPrefix)) {
    if (name == "security.capability") return NoData(name);
    return StatusWithErrno(ENOTSUP, "only user.* attributes");
  }
  store::Result<NodeKey> key = ExistingKey(ino);
  if (!key.ok()) return key.status();
  if (key->kind == NodeKind::kGroupEntry) return GetGroupXattr(*key, name);
  if (!HoldsAttributes(key->kind)) return NoData(name);
  if (name.starts_with(kTopicfsPrefix)) {
    std::string_view short_name = name.substr(kTopicfsPrefix.size());
    if (key->kind == NodeKind::kTopic) {
      std::shared_ptr<store::Topic> topic = store_->FindTopic(key->topic);
      if (topic == nullptr) return store::Status::NotFound(key->topic);
      if (short_name == facts::kTierPaused) {
        store::Result<bool> paused = store_->TierPaused(key->topic);
        if (!paused.ok()) return paused.status();
        return std::string(*paused ? "true" : "false");
      }
      if (store::FindConfigSpec(short_name) == nullptr) return NoData(name);
      return topic->config().Get(short_name);
    }
    store::Result<Facts> facts = FactsOf(*store_, *key);
    if (!facts.ok()) return facts.status();
    for (auto& [fact, value] : *facts) {
      if (fact == short_name) return value;
    }
    return NoData(name);
  }
  store::Result<std::optional<std::string>> value = store_->GetUserAttribute(HolderOf(*key), name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return NoData(name);
  return std::move(**value);
}

store::Status TopicFs::SetXattr(uint64_t ino, std::string_view name, std::string_view value,
                                int flags) {
  if (!name.starts_with(kUserPrefix)) return StatusWithErrno(ENOTSUP, "only user.* attributes");
  store::Result<NodeKey> key = ExistingKey(ino);
  if (!key.ok()) return key.status();
  if (key->kind == NodeKind::kGroupEntry) return SetGroupXattr(*key, name, value);
  if (!HoldsAttributes(key->kind)) {
    return store::Status::Permission(NodePath(*key) + " holds no attributes");
  }
  if (name.starts_with(kTopicfsPrefix)) {
    std::string_view short_name = name.substr(kTopicfsPrefix.size());
    if (key->kind == NodeKind::kTopic && short_name == facts::kTierPaused) {
      if (value != "true" && value != "false") {
        return store::Status::InvalidArgument(std::string(name) + " takes true or false");
      }
      return store_->SetTierPaused(key->topic, value == "true");
    }
    if (key->kind == NodeKind::kTopic) {
      return store_->SetTopicConfig(key->topic, short_name, value);
    }
    if (IsFactName(short_name))
      return store::Status::Permission(std::string(name) + " is read-only");
    return store::Status::InvalidArgument("unknown attribute " + std::string(name));
  }
  if (value.size() > kMaxUserValue) return store::Status::TooBig("value over 64 KiB");
  using Mode = store::Store::SetMode;
  const Mode mode = (flags & XATTR_CREATE)    ? Mode::kCreate
                    : (flags & XATTR_REPLACE) ? Mode::kReplace
                                              : Mode::kAny;
  store::Status set = store_->SetUserAttribute(HolderOf(*key), name, value, mode);
  return set.Is(store::Code::kNotFound) ? NoData(name) : set;
}

store::Status TopicFs::RemoveXattr(uint64_t ino, std::string_view name) {
  if (!name.starts_with(kUserPrefix)) return StatusWithErrno(ENOTSUP, "only user.* attributes");
  store::Result<NodeKey> key = ExistingKey(ino);
  if (!key.ok()) return key.status();
  if (!HoldsAttributes(key->kind)) return NoData(name);
  if (name.starts_with(kTopicfsPrefix)) {
    std::string_view short_name = name.substr(kTopicfsPrefix.size());
    if (key->kind == NodeKind::kTopic) return store_->UnsetTopicConfig(key->topic, short_name);
    if (IsFactName(short_name))
      return store::Status::Permission(std::string(name) + " is read-only");
    return store::Status::InvalidArgument("unknown attribute " + std::string(name));
  }
  store::Status removed = store_->RemoveUserAttribute(HolderOf(*key), name);
  return removed.Is(store::Code::kNotFound) ? NoData(name) : removed;
}

store::Result<std::string> TopicFs::ListXattr(uint64_t ino) {
  store::Result<NodeKey> key = ExistingKey(ino);
  if (!key.ok()) return key.status();
  if (key->kind == NodeKind::kGroupEntry) return ListGroupXattrs(*key);
  std::string out;
  if (!HoldsAttributes(key->kind)) return out;
  auto add = [&out](std::string_view name) {
    out.append(name);
    out.push_back('\0');
  };
  if (key->kind == NodeKind::kTopic) {
    for (const store::ConfigSpec& spec : store::AllConfigSpecs()) {
      add(std::string(kTopicfsPrefix) + std::string(spec.name));
    }
    add(facts::Xattr(facts::kTierPaused));
  } else {
    store::Result<Facts> facts = FactsOf(*store_, *key);
    if (!facts.ok()) return facts.status();
    for (auto& [fact, value] : *facts) add(std::string(kTopicfsPrefix) + fact);
  }
  store::Result<std::vector<std::string>> names = store_->ListUserAttributes(HolderOf(*key));
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) add(name);
  return out;
}

}  // namespace topicfs::fusefs
