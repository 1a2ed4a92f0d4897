// chmod/chown of topics and partitions, kept by the store (Store::SetOwner:
// meta/ and the directory) and cached here so getattr does not read RocksDB. A partition
// without its own record takes its topic's; a topic without one takes the
// mount's default (the daemon's user, 0755).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/ownership.h"
#include "store/status.h"
#include "store/store.h"

namespace topicfs::fusefs {

class OwnerCache {
 public:
  OwnerCache(store::Store* store /* borrowed */, store::Ownership fallback);
  OwnerCache(const OwnerCache&) = delete;
  OwnerCache& operator=(const OwnerCache&) = delete;

  store::Ownership Topic(std::string_view topic);
  store::Ownership Partition(std::string_view topic, int32_t partition);
  store::Status SetTopic(std::string_view topic, const store::Ownership& owner);
  store::Status SetPartition(std::string_view topic, int32_t partition,
                             const store::Ownership& owner);
  // Drops what is cached for a deleted topic and its partitions.
  void ForgetTopic(std::string_view topic);
  const store::Ownership& fallback() const { return fallback_; }

 private:
  std::optional<store::Ownership> Load(std::string_view topic, int32_t partition);
  store::Status Save(std::string_view topic, int32_t partition, const store::Ownership& owner);
  // A topic's own entry has partition Store::kTopicItself.
  using Key = std::pair<std::string, int32_t>;

  store::Store* const store_;
  const store::Ownership fallback_;
  std::mutex mu_;  // leaf lock; RocksDB is never called under it
  std::map<Key, std::optional<store::Ownership>> cache_;  // guarded by mu_
};

}  // namespace topicfs::fusefs
