#include "metrics/store_collector.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "metrics/families.h"
#include "store/partition.h"
#include "store/store.h"

namespace topicfs::metrics {
namespace {

void AddPartition(Families& out, const store::Partition& p, const Labels& at) {
  const double log_end = static_cast<double>(p.log_end_offset());
  out.Gauge("topicfs_partition_log_start_offset", "First offset still in the log", at,
            static_cast<double>(p.log_start_offset()));
  out.Gauge("topicfs_partition_log_end_offset", "Offset the next record gets", at, log_end);
  out.Gauge("topicfs_partition_size_bytes", "Bytes of the log, remote part included", at,
            static_cast<double>(p.size_bytes()));
  out.Gauge("topicfs_partition_segments", "Segments of the log, remote part included", at,
            static_cast<double>(p.segment_count()));
  out.Gauge("topicfs_partition_failed",
            "1 while a failed fsync stops the partition's appends (EIO)", at,
            p.failure().ok() ? 0 : 1);
  const store::PartitionTraffic::Totals t = p.traffic().totals();
  out.Counter("topicfs_partition_appended_bytes_total", "Bytes appended since the mount", at,
              static_cast<double>(t.appended_bytes));
  out.Counter("topicfs_partition_appended_records_total", "Records appended since the mount", at,
              static_cast<double>(t.appended_records));
  out.Counter("topicfs_partition_read_bytes_total",
              "Bytes served from from/, since/, follow/, groups/ and Kafka Fetch", at,
              static_cast<double>(t.read_bytes));
  out.Counter("topicfs_partition_read_records_total",
              "Records served as whole records (groups/ and Kafka Fetch)", at,
              static_cast<double>(t.read_records));
  out.Counter("topicfs_partition_overtaken_followers_total",
              "follow/ readers moved on to the log start because retention deleted the "
              "segments ahead of them",
              at, static_cast<double>(t.overtaken_followers));
}

void AddGroups(Families& out, store::Store& store, const std::string& topic,
               const std::vector<std::shared_ptr<store::Partition>>& partitions) {
  store::Result<std::vector<store::CommittedOffset>> committed = store.groups().List(topic);
  if (!committed.ok()) return;
  for (const store::CommittedOffset& c : *committed) {
    if (c.partition < 0 || static_cast<size_t>(c.partition) >= partitions.size()) continue;
    const store::Partition& p = *partitions[static_cast<size_t>(c.partition)];
    const Labels at{
        {"group", c.group}, {"topic", topic}, {"partition", std::to_string(c.partition)}};
    out.Gauge("topicfs_group_committed_offset", "The next offset the group will read", at,
              static_cast<double>(c.offset));
    out.Gauge(
        "topicfs_group_lag_records", "Records the group has still to read", at,
        static_cast<double>(store::GroupLag(p.log_start_offset(), p.log_end_offset(), c.offset)));
  }
}

void AddTierPartition(Families& out, store::Store& store, const store::Partition& p,
                      const Labels& at) {
  store::Result<store::Store::TierStatus> tier = store.PartitionTierStatus(p.topic(), p.id());
  if (!tier.ok()) return;
  out.Gauge("topicfs_partition_local_size_bytes", "Bytes of the log on the local disk", at,
            static_cast<double>(tier->local_bytes));
  out.Gauge("topicfs_partition_remote_size_bytes", "Bytes of the log copied to the remote tier", at,
            static_cast<double>(tier->remote_bytes));
  out.Gauge("topicfs_partition_tier_pending_copies", "Sealed segments not yet copied", at,
            static_cast<double>(tier->pending_copies));
  out.Gauge("topicfs_partition_tier_pending_deletes",
            "Segments retention let go whose objects are not yet deleted", at,
            static_cast<double>(tier->pending_deletes));
}

void AddTier(Families& out, const store::Store::TierTotals& tier) {
  out.Counter("topicfs_tier_copied_segments_total", "Segments copied to the remote tier", {},
              static_cast<double>(tier.copied_segments));
  out.Counter("topicfs_tier_copied_bytes_total", "Bytes uploaded (.log and indexes)", {},
              static_cast<double>(tier.copied_bytes));
  out.Counter("topicfs_tier_deleted_segments_total", "Segments whose objects were deleted", {},
              static_cast<double>(tier.deleted_segments));
  out.Counter("topicfs_tier_failures_total", "Failed tier attempts (each retried)", {},
              static_cast<double>(tier.failures));
  out.Counter("topicfs_tier_remote_reads_total", "Ranged GETs made for remote-only reads", {},
              static_cast<double>(tier.remote_reads));
  out.Counter("topicfs_tier_remote_read_bytes_total", "Bytes fetched for remote-only reads", {},
              static_cast<double>(tier.remote_read_bytes));
  out.Counter("topicfs_tier_cache_hits_total", "Remote-only reads served from the cache", {},
              static_cast<double>(tier.cache_hits));
  out.Gauge("topicfs_tier_cache_bytes", "Bytes held by the cache of remote reads", {},
            static_cast<double>(tier.cache_bytes));
  out.Gauge("topicfs_tier_cache_capacity_bytes", "The cache's capacity (tier.cache.bytes)", {},
            static_cast<double>(tier.cache_capacity_bytes));
}

}  // namespace

std::vector<prometheus::MetricFamily> StoreCollector::Collect() const {
  Families out;
  store::Store& store = *store_;
  const std::optional<store::Store::TierTotals> tier = store.TierTotalsNow();
  const std::vector<std::string> topics = store.ListTopics();
  out.Gauge("topicfs_topics", "Topics in the store", {}, static_cast<double>(topics.size()));
  for (const std::string& name : topics) {
    std::shared_ptr<store::Topic> topic = store.FindTopic(name);
    if (topic == nullptr) continue;  // deleted meanwhile
    const std::vector<std::shared_ptr<store::Partition>> partitions = topic->partitions();
    for (const std::shared_ptr<store::Partition>& p : partitions) {
      const Labels at{{"topic", name}, {"partition", std::to_string(p->id())}};
      AddPartition(out, *p, at);
      if (tier) AddTierPartition(out, store, *p, at);
    }
    AddGroups(out, store, name, partitions);
  }
  if (tier) AddTier(out, *tier);
  return out.Take();
}

}  // namespace topicfs::metrics
