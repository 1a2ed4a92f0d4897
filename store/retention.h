// Retention as a pure decision (which oldest sealed segments to delete) and
// a separate step that deletes them (Partition::DeleteOldest).
#pragma once

#include <cstdint>
#include <vector>

namespace topicfs::store {

struct SegmentSummary {
  int64_t base_offset;
  int64_t size_bytes;
  int64_t max_timestamp_ms;  // -1 when empty
  bool sealed;
};

struct RetentionPolicy {
  int64_t retention_ms = -1;     // -1: no time limit
  int64_t retention_bytes = -1;  // -1: no size limit (per partition)
};

// How many segments, from the oldest, retention deletes: a prefix of sealed
// segments each of which is older than retention.ms or whose removal still
// leaves at least retention.bytes (Kafka's rule). Never the active segment.
int SegmentsToDelete(const std::vector<SegmentSummary>& segments, const RetentionPolicy& policy,
                     int64_t now_ms);

}  // namespace topicfs::store
