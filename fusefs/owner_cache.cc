#include "fusefs/owner_cache.h"

namespace topicfs::fusefs {

OwnerCache::OwnerCache(store::Store* store, store::Ownership fallback)
    : store_(store), fallback_(fallback) {}

std::string OwnerCache::Key(std::string_view topic, int32_t partition) {
  return partition == store::Store::kTopicItself ? store::TopicObjectKey(topic)
                                                 : store::PartitionObjectKey(topic, partition);
}

std::optional<store::Ownership> OwnerCache::Load(std::string_view topic, int32_t partition) {
  const std::string key = Key(topic, partition);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  store::Result<std::optional<store::Ownership>> got = store_->GetOwner(topic, partition);
  if (!got.ok()) return std::nullopt;  // not cached: tried again next time
  std::lock_guard<std::mutex> lock(mu_);
  cache_[key] = *got;
  return *got;
}

store::Status OwnerCache::Save(std::string_view topic, int32_t partition,
                               const store::Ownership& owner) {
  TOPICFS_RETURN_IF_ERROR(store_->SetOwner(topic, partition, owner));
  std::lock_guard<std::mutex> lock(mu_);
  cache_[Key(topic, partition)] = owner;
  return store::Status::OK();
}

store::Ownership OwnerCache::Topic(std::string_view topic) {
  return Load(topic, store::Store::kTopicItself).value_or(fallback_);
}

store::Ownership OwnerCache::Partition(std::string_view topic, int32_t partition) {
  std::optional<store::Ownership> own = Load(topic, partition);
  return own ? *own : Topic(topic);
}

store::Status OwnerCache::SetTopic(std::string_view topic, const store::Ownership& owner) {
  return Save(topic, store::Store::kTopicItself, owner);
}

store::Status OwnerCache::SetPartition(std::string_view topic, int32_t partition,
                                       const store::Ownership& owner) {
  return Save(topic, partition, owner);
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
