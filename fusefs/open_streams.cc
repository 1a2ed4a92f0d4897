#include "fusefs/open_streams.h"

#include <algorithm>

namespace topicfs::fusefs {

void OpenStreams::Add(uint64_t ino, const store::PartitionReader* reader) {
  std::lock_guard lock(mu_);
  readers_[ino].push_back(reader);
}

void OpenStreams::Remove(uint64_t ino, const store::PartitionReader* reader) {
  std::lock_guard lock(mu_);
  auto it = readers_.find(ino);
  if (it == readers_.end()) return;
  std::erase(it->second, reader);
  if (it->second.empty()) readers_.erase(it);
}

std::optional<int64_t> OpenStreams::SizeOf(uint64_t ino) {
  std::lock_guard lock(mu_);
  auto it = readers_.find(ino);
  if (it == readers_.end()) return std::nullopt;
  // Every open of one name starts at the same record, so any one will do.
  return it->second.front()->end().value();
}

}  // namespace topicfs::fusefs
