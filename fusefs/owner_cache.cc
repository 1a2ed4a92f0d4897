#include "fusefs/owner_cache.h"

#include <limits>

namespace topicfs::fusefs {

OwnerCache::OwnerCache(store::Store* store, store::Ownership fallback)
    : store_(store), fallback_(fallback) {}

std::optional<store::Ownership> OwnerCache::Load(std::string_view topic, int32_t partition) {
  const Key key{std::string(topic), partition};
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
  cache_[Key{std::string(topic), partition}] = owner;
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
  // The topic's own entry and its partitions' sort together.
  const std::string name(topic);
  cache_.erase(cache_.lower_bound(Key{name, std::numeric_limits<int32_t>::min()}),
               cache_.upper_bound(Key{name, std::numeric_limits<int32_t>::max()}));
}

}  // namespace topicfs::fusefs
