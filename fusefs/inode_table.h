// Inode numbers for the objects of the tree: distinct for every object and
// stable while mounted, with the kernel's lookup counts (nlookup) kept so
// that FORGET can drop the entries that are cheap to recreate (from/ and
// since/ names, which would otherwise grow without bound).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fusefs/path_model.h"

namespace topicfs::fusefs {

inline constexpr uint64_t kRootInode = 1;  // FUSE_ROOT_ID

class InodeTable {
 public:
  InodeTable();
  InodeTable(const InodeTable&) = delete;
  InodeTable& operator=(const InodeTable&) = delete;

  // The inode of `key`, assigned on first use. With `count_lookup` the
  // kernel now holds one more reference (a lookup, mkdir or create reply).
  uint64_t Intern(const NodeKey& key, bool count_lookup);
  // The inode of `key` if it has one; never assigns.
  std::optional<uint64_t> Peek(const NodeKey& key) const;
  // nullopt for an inode the table does not know (forgotten or never made).
  std::optional<NodeKey> Find(uint64_t ino) const;
  // The kernel dropped `n` references.
  void Forget(uint64_t ino, uint64_t n);
  // Sets `flag` on `ino` and returns whether it was already set. Flags are
  // per-inode facts the daemon learns once (e.g. "page cache known clean").
  bool TestAndSetFlag(uint64_t ino, uint32_t flag);

  // Every inode of a topic's objects (of one partition when partition >= 0).
  std::vector<uint64_t> InodesOf(std::string_view topic, int32_t partition) const;

  uint64_t nlookup(uint64_t ino) const;
  size_t size() const;

 private:
  struct Entry {
    NodeKey key;
    uint64_t nlookup = 0;
    uint32_t flags = 0;
  };

  mutable std::mutex mu_;                       // leaf lock: nothing is called while holding it
  std::unordered_map<uint64_t, Entry> by_ino_;  // guarded by mu_
  std::map<NodeKey, uint64_t> by_key_;          // guarded by mu_
  uint64_t next_ino_ = kRootInode + 1;          // guarded by mu_
};

}  // namespace topicfs::fusefs
