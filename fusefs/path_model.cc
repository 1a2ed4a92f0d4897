#include "fusefs/path_model.h"

#include "store/names.h"
#include "store/units.h"

namespace topicfs::fusefs {
namespace {

// Partition directories must have exactly one name each (a directory inode
// may not have two dentries), so only the canonical decimal is accepted.
std::optional<int32_t> ParsePartitionName(std::string_view name) {
  std::optional<int64_t> n = store::ParseDecimal(name);
  if (!n || *n > INT32_MAX) return std::nullopt;
  if (std::to_string(*n) != name) return std::nullopt;
  return static_cast<int32_t>(*n);
}

std::optional<NodeKey> PartitionChild(const NodeKey& parent, std::string_view name) {
  NodeKey key = parent;
  if (name == kCurrentName) {
    key.kind = NodeKind::kCurrent;
    return key;
  }
  if (name == kFromName) {
    key.kind = NodeKind::kFromDir;
    return key;
  }
  if (name == kSinceName) {
    key.kind = NodeKind::kSinceDir;
    return key;
  }
  if (name == kFollowName) {
    key.kind = NodeKind::kFollowDir;
    return key;
  }
  if (name == kGroupsName) {
    key.kind = NodeKind::kGroupsDir;
    return key;
  }
  std::optional<store::SegmentFileName> file = store::ParseSegmentFileName(name);
  if (!file) return std::nullopt;
  switch (file->kind) {
    case store::SegmentFileKind::kLog:
      key.kind = NodeKind::kSegmentLog;
      break;
    case store::SegmentFileKind::kIndex:
      key.kind = NodeKind::kSegmentIndex;
      break;
    case store::SegmentFileKind::kTimeIndex:
      key.kind = NodeKind::kSegmentTimeIndex;
      break;
  }
  key.value = file->base_offset;
  return key;
}

}  // namespace

bool IsDirectory(NodeKind kind) {
  switch (kind) {
    case NodeKind::kRoot:
    case NodeKind::kTopic:
    case NodeKind::kPartition:
    case NodeKind::kFromDir:
    case NodeKind::kSinceDir:
    case NodeKind::kFollowDir:
    case NodeKind::kGroupsDir:
      return true;
    default:
      return false;
  }
}

bool IsSegmentFile(NodeKind kind) {
  return kind == NodeKind::kSegmentLog || kind == NodeKind::kSegmentIndex ||
         kind == NodeKind::kSegmentTimeIndex;
}

bool IsVirtualEntry(NodeKind kind) {
  return kind == NodeKind::kFromEntry || kind == NodeKind::kSinceEntry ||
         kind == NodeKind::kFollowEntry || kind == NodeKind::kGroupEntry;
}

NodeKey RootKey() { return NodeKey{}; }

NodeKey TopicKey(std::string_view topic) {
  return NodeKey{NodeKind::kTopic, std::string(topic), -1, 0, {}};
}

NodeKey PartitionKey(std::string_view topic, int32_t partition) {
  return NodeKey{NodeKind::kPartition, std::string(topic), partition, 0, {}};
}

NodeKey SegmentKey(std::string_view topic, int32_t partition, NodeKind kind, int64_t base) {
  return NodeKey{kind, std::string(topic), partition, base, {}};
}

std::optional<NodeKey> ChildKey(const NodeKey& parent, std::string_view name) {
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  switch (parent.kind) {
    case NodeKind::kRoot:
      if (!store::IsValidTopicName(name)) return std::nullopt;
      return TopicKey(name);
    case NodeKind::kTopic: {
      std::optional<int32_t> p = ParsePartitionName(name);
      if (!p) return std::nullopt;
      return PartitionKey(parent.topic, *p);
    }
    case NodeKind::kPartition:
      return PartitionChild(parent, name);
    case NodeKind::kFromDir: {
      std::optional<int64_t> n = store::ParseDecimal(name);
      if (!n) return std::nullopt;
      return NodeKey{NodeKind::kFromEntry, parent.topic, parent.partition, *n, {}};
    }
    case NodeKind::kFollowDir: {
      if (name == kFollowEndName) {
        return NodeKey{NodeKind::kFollowEntry, parent.topic, parent.partition, kFollowEnd, {}};
      }
      std::optional<int64_t> n = store::ParseDecimal(name);
      if (!n) return std::nullopt;
      return NodeKey{NodeKind::kFollowEntry, parent.topic, parent.partition, *n, {}};
    }
    case NodeKind::kGroupsDir: {
      // Group names follow topic-name rules (DESIGN §7).
      if (!store::IsValidTopicName(name)) return std::nullopt;
      NodeKey key{NodeKind::kGroupEntry, parent.topic, parent.partition, 0, {}};
      key.group = std::string(name);
      return key;
    }
    case NodeKind::kSinceDir: {
      std::optional<int64_t> t = store::ParseTimeMs(name);
      if (!t) return std::nullopt;
      return NodeKey{NodeKind::kSinceEntry, parent.topic, parent.partition, *t, {}};
    }
    default:
      return std::nullopt;
  }
}

std::string NodeName(const NodeKey& key) {
  switch (key.kind) {
    case NodeKind::kRoot:
      return "";
    case NodeKind::kTopic:
      return key.topic;
    case NodeKind::kPartition:
      return std::to_string(key.partition);
    case NodeKind::kSegmentLog:
      return store::SegmentFilePrefix(key.value) + std::string(store::kLogSuffix);
    case NodeKind::kSegmentIndex:
      return store::SegmentFilePrefix(key.value) + std::string(store::kIndexSuffix);
    case NodeKind::kSegmentTimeIndex:
      return store::SegmentFilePrefix(key.value) + std::string(store::kTimeIndexSuffix);
    case NodeKind::kCurrent:
      return std::string(kCurrentName);
    case NodeKind::kFromDir:
      return std::string(kFromName);
    case NodeKind::kSinceDir:
      return std::string(kSinceName);
    case NodeKind::kFollowDir:
      return std::string(kFollowName);
    case NodeKind::kGroupsDir:
      return std::string(kGroupsName);
    case NodeKind::kGroupEntry:
      return key.group;
    case NodeKind::kFollowEntry:
      return key.value == kFollowEnd ? std::string(kFollowEndName) : std::to_string(key.value);
    case NodeKind::kFromEntry:
    case NodeKind::kSinceEntry:
      return std::to_string(key.value);
  }
  return "";
}

NodeKey ParentKey(const NodeKey& key) {
  switch (key.kind) {
    case NodeKind::kRoot:
    case NodeKind::kTopic:
      return RootKey();
    case NodeKind::kPartition:
      return TopicKey(key.topic);
    case NodeKind::kFromEntry:
      return NodeKey{NodeKind::kFromDir, key.topic, key.partition, 0, {}};
    case NodeKind::kSinceEntry:
      return NodeKey{NodeKind::kSinceDir, key.topic, key.partition, 0, {}};
    case NodeKind::kFollowEntry:
      return NodeKey{NodeKind::kFollowDir, key.topic, key.partition, 0, {}};
    case NodeKind::kGroupEntry:
      return NodeKey{NodeKind::kGroupsDir, key.topic, key.partition, 0, {}};
    default:
      return PartitionKey(key.topic, key.partition);
  }
}

std::optional<NodeKey> ParsePath(std::string_view path) {
  NodeKey key = RootKey();
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty()) continue;
    std::optional<NodeKey> child = ChildKey(key, part);
    if (!child) return std::nullopt;
    key = std::move(*child);
  }
  return key;
}

std::string NodePath(const NodeKey& key) {
  if (key.kind == NodeKind::kRoot) return "/";
  std::vector<std::string> parts;
  for (NodeKey k = key; k.kind != NodeKind::kRoot; k = ParentKey(k)) parts.push_back(NodeName(k));
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += "/" + *it;
  return out;
}

}  // namespace topicfs::fusefs
