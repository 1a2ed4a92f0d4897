#include "fusefs/inode_table.h"

namespace topicfs::fusefs {

InodeTable::InodeTable() {
  by_ino_[kRootInode] = Entry{RootKey(), 1, 0};
  by_key_[RootKey()] = kRootInode;
}

uint64_t InodeTable::Intern(const NodeKey& key, bool count_lookup) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(key);
  uint64_t ino;
  if (it != by_key_.end()) {
    ino = it->second;
  } else {
    ino = next_ino_++;
    by_key_.emplace(key, ino);
    by_ino_.emplace(ino, Entry{key, 0, 0});
  }
  if (count_lookup) ++by_ino_[ino].nlookup;
  return ino;
}

std::optional<uint64_t> InodeTable::Peek(const NodeKey& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<NodeKey> InodeTable::Find(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return std::nullopt;
  return it->second.key;
}

void InodeTable::Forget(uint64_t ino, uint64_t n) {
  if (ino == kRootInode) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return;
  Entry& e = it->second;
  e.nlookup = n >= e.nlookup ? 0 : e.nlookup - n;
  // Only from/ and since/ names are dropped: every other object keeps its
  // number for the life of the mount, so a name never changes inode.
  if (e.nlookup == 0 && IsVirtualEntry(e.key.kind)) {
    by_key_.erase(e.key);
    by_ino_.erase(it);
  }
}

bool InodeTable::TestAndSetFlag(uint64_t ino, uint32_t flag) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return false;
  bool was = (it->second.flags & flag) != 0;
  it->second.flags |= flag;
  return was;
}

std::vector<uint64_t> InodeTable::InodesOf(std::string_view topic, int32_t partition) const {
  std::vector<uint64_t> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [ino, e] : by_ino_) {
    if (e.key.kind == NodeKind::kRoot || e.key.topic != topic) continue;
    if (partition >= 0 && e.key.partition != partition) continue;
    out.push_back(ino);
  }
  return out;
}

uint64_t InodeTable::nlookup(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_ino_.find(ino);
  return it == by_ino_.end() ? 0 : it->second.nlookup;
}

size_t InodeTable::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_ino_.size();
}

}  // namespace topicfs::fusefs
