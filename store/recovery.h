// Bringing a partition's files and catalog into line at open (DESIGN §4).
// A torn last record or bytes that are not records are cut and reported;
// indexes that are missing or fail their checks are rebuilt from the .log.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/partition.h"
#include "store/segment.h"
#include "store/segment_meta.h"
#include "store/status.h"
#include "store/topic_config.h"

namespace topicfs::store {

// Told about everything recovery changes; the default prints nothing.
class RecoveryReporter {
 public:
  virtual ~RecoveryReporter() = default;
  // `path` lost `bytes` bytes (or a rebuilt index, bytes 0) because of `why`.
  virtual void Cut(const std::string& path, int64_t bytes, std::string_view why) = 0;
};

// What the scan of one .log found.
struct LogScan {
  int64_t valid_bytes = 0;  // whole records
  int64_t records = 0;
  std::string cut_reason;   // empty when nothing is cut
};

// Scans `data` (a whole .log) for whole records; pure, fuzzed. A trailing
// partial record is a torn tail. In a newline topic, a run of
// kNulRunBytes or more NULs in a record past the first `trusted_records`
// (those below the recovery point, synced) is the zero fill a crash leaves
// where data never reached the disk: that record starts the garbage.
inline constexpr size_t kNulRunBytes = 8;
LogScan ScanLog(std::string_view data, char delimiter, int64_t trusted_records = 0);

struct LoadedPartition {
  PartitionState state;
  std::vector<std::shared_ptr<Segment>> segments;  // sorted, last active, non-empty
  std::vector<SegmentMeta> catalog;                // to write back
  bool changed = false;                             // catalog differs from RocksDB
};

// Opens the partition in `dir` from its catalog, recovering what the catalog
// cannot vouch for (all of it when `trust_catalog` is false, e.g. after an
// unclean stop for the segments at or above the recovery point).
Result<LoadedPartition> LoadPartition(const std::string& dir, const TopicConfig& config,
                                      std::optional<PartitionState> state,
                                      std::vector<SegmentMeta> catalog, bool clean,
                                      bool full_recovery, RecoveryReporter* reporter);

}  // namespace topicfs::store
