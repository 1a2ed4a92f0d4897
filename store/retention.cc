#include "store/retention.h"

namespace topicfs::store {

int SegmentsToDelete(const std::vector<SegmentSummary>& segments, const RetentionPolicy& policy,
                     int64_t now_ms) {
  int64_t total = 0;
  for (const SegmentSummary& s : segments) total += s.size_bytes;
  int64_t excess = policy.retention_bytes < 0 ? -1 : total - policy.retention_bytes;
  int count = 0;
  for (const SegmentSummary& s : segments) {
    if (!s.sealed) break;
    bool expired = policy.retention_ms >= 0 && s.max_timestamp_ms >= 0 &&
                   now_ms - s.max_timestamp_ms > policy.retention_ms;
    bool over_size = excess >= 0 && excess - s.size_bytes >= 0;
    if (!expired && !over_size) break;
    if (excess >= 0) excess -= s.size_bytes;
    ++count;
  }
  return count;
}

}  // namespace topicfs::store
