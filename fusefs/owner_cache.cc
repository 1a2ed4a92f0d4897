#include "fusefs/owner_cache.h"

namespace topicfs::fusefs {

OwnerCache::OwnerCache(store::Metadata* meta, store::Ownership fallback)
    : meta_(meta), fallback_(fallback) {}

std::optional<store::Ownership> OwnerCache::Load(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  store::Result<std::optional<store::Ownership>> got = meta_->GetOwner(key);
  if (!got.ok()) return std::nullopt;  // not cached: tried again next time
  std::lock_guard<std::mutex> lock(mu_);
  cache_[key] = *got;
  return *got;
}

store::Status OwnerCache::Store(const std::string& key, const store::Ownership& owner) {
  TOPICFS_RETURN_IF_ERROR(meta_->PutOwner(key, owner));
  std::lock_guard<std::mutex> lock(mu_);
  cache_[key] = owner;
  return store::Status::OK();
}

store::Ownership OwnerCache::Topic(std::string_view topic) {
  return Load(store::TopicObjectKey(topic)).value_or(fallback_);
}

store::Ownership OwnerCache::Partition(std::string_view topic, int32_t partition) {
  std::optional<store::Ownership> own = Load(store::PartitionObjectKey(topic, partition));
  return own ? *own : Topic(topic);
}

store::Status OwnerCache::SetTopic(std::string_view topic, const store::Ownership& owner) {
  return Store(store::TopicObjectKey(topic), owner);
}

store::Status OwnerCache::SetPartition(std::string_view topic, int32_t partition,
                                       const store::Ownership& owner) {
  return Store(store::PartitionObjectKey(topic, partition), owner);
}

void OwnerCache::ForgetTopic(std::string_view topic) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(store::TopicObjectKey(topic));
  // Partition keys of this topic share the prefix "p/<topic>/".
  std::string prefix = store::PartitionObjectKey(topic, 0);
  prefix.resize(prefix.size() - 1);
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.starts_with(prefix);) {
    it = cache_.erase(it);
  }
}

}  // namespace topicfs::fusefs
