// from/<N> and since/<T> files held open, by inode. The kernel's fstat of
// an open file reaches the daemon as a getattr without the handle, and the
// name may be out of the log by then (a trim or retention moved the log
// start past N): an open reader still answers it, with its own size, until
// its last release (DESIGN §1.4).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/partition_reader.h"

namespace topicfs::fusefs {

class OpenStreams {
 public:
  // `reader` is borrowed until the matching Remove().
  void Add(uint64_t ino, const store::PartitionReader* reader);
  void Remove(uint64_t ino, const store::PartitionReader* reader);
  // The current size of an open reader of `ino`, if one is open.
  std::optional<int64_t> SizeOf(uint64_t ino);

 private:
  std::mutex mu_;  // leaf lock
  std::unordered_map<uint64_t, std::vector<const store::PartitionReader*>> readers_;  // by mu_
};

}  // namespace topicfs::fusefs
