// The shape of the mounted tree (DESIGN §1.1) as pure data: which name under
// which directory is a topic, a partition, a segment file, `current`, or a
// from/since entry. No FUSE and no store state: whether the object exists
// is decided by the caller; this only says what a name would denote.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace topicfs::fusefs {

enum class NodeKind {
  kRoot,
  kTopic,
  kPartition,
  kSegmentLog,
  kSegmentIndex,
  kSegmentTimeIndex,
  kCurrent,  // symlink to the active segment's .log
  kFromDir,
  kSinceDir,
  kFollowDir,
  kFromEntry,    // from/<offset>
  kSinceEntry,   // since/<epoch ms>
  kFollowEntry,  // follow/<offset> or follow/end (value kFollowEnd)
  kGroupsDir,
  kGroupEntry,   // groups/<group> (`group` names it)
};

// The value of follow/end: the log end at open.
inline constexpr int64_t kFollowEnd = -1;

// Identifies one object of the tree. `value` is the segment base offset, the
// from/ or follow/ offset or the since/ time (epoch ms), and 0 otherwise.
struct NodeKey {
  NodeKind kind = NodeKind::kRoot;
  std::string topic;
  int32_t partition = -1;
  int64_t value = 0;
  std::string group;  // kGroupEntry only

  auto operator<=>(const NodeKey&) const = default;
  bool operator==(const NodeKey&) const = default;
};

bool IsDirectory(NodeKind kind);
bool IsSegmentFile(NodeKind kind);
// from/<N>, since/<T>, follow/<N> and groups/<g>: never cached, looked up
// afresh each time.
bool IsVirtualEntry(NodeKind kind);

NodeKey RootKey();
NodeKey TopicKey(std::string_view topic);
NodeKey PartitionKey(std::string_view topic, int32_t partition);
NodeKey SegmentKey(std::string_view topic, int32_t partition, NodeKind kind, int64_t base);

// What `name` inside `parent` denotes, or nullopt when the tree has no name
// of that shape there (not a valid topic name, a partition number with a
// leading zero, a from/ name that is not a decimal, a since/ name that is
// not a time, ...). "." and ".." are never children.
std::optional<NodeKey> ChildKey(const NodeKey& parent, std::string_view name);

// The name of `key` in its parent directory ("" for the root). since/
// entries are named by their epoch milliseconds.
std::string NodeName(const NodeKey& key);
// The directory holding `key` (the root for the root).
NodeKey ParentKey(const NodeKey& key);

// "/orders/0/from/42" <-> key; nullopt for a path the tree cannot hold.
std::optional<NodeKey> ParsePath(std::string_view path);
std::string NodePath(const NodeKey& key);

// The fixed entries of a partition directory besides its segment files.
inline constexpr std::string_view kCurrentName = "current";
inline constexpr std::string_view kFromName = "from";
inline constexpr std::string_view kSinceName = "since";
inline constexpr std::string_view kFollowName = "follow";
inline constexpr std::string_view kFollowEndName = "end";
inline constexpr std::string_view kGroupsName = "groups";

}  // namespace topicfs::fusefs
