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
#include "store/private_header.h"
#include "store/recovery_reporter.h"
#include "store/segment.h"
#include "store/segment_meta.h"
#include "store/status.h"
#include "store/topic_config.h"

namespace topicfs::store {

// What the scan of one .log found.
struct LogScan {
  int64_t valid_bytes = 0;  // whole records
  int64_t records = 0;
  std::string cut_reason;  // empty when nothing is cut
};

// Scans `data` (a whole .log) for whole records; pure, fuzzed. A trailing
// partial record is a torn tail. With kNewBoot, in a newline topic, a run of
// kNulRunBytes or more NULs in a record past the first `trusted_records`
// (those below the recovery point, synced) is the zero fill a crash leaves
// where data never reached the disk: that record starts the garbage. With
// kSameBoot such NULs are a record's own bytes and are kept.
inline constexpr size_t kNulRunBytes = 8;
LogScan ScanLog(std::string_view data, char delimiter, int64_t trusted_records = 0,
                TailTrust trust = TailTrust::kNewBoot);

struct LoadedPartition {
  PartitionState state;
  std::vector<std::shared_ptr<Segment>> segments;  // sorted, last active, non-empty
  bool changed = false;  // the catalog differs from RocksDB: write segments' Meta() back
};

// How LoadPartition may trust what it finds.
struct LoadOptions {
  bool clean = false;          // the clean-shutdown marker was there
  bool full_recovery = false;  // scan every segment (meta/ lost: topicfs recover)
  TailTrust trust = TailTrust::kNewBoot;
  RecoveryReporter* reporter = nullptr;  // borrowed; may be null
  DescriptorCache* files = nullptr;      // borrowed; the segments' descriptors
  // Look only (verify of a data directory): report what is wrong, change
  // no file; what recovery would cut is left out of the opened segments.
  bool read_only = false;
};

// Opens the partition in `dir` from its catalog, recovering what the catalog
// cannot vouch for (after an unclean stop the segments at or above the
// recovery point; all of them with `full_recovery`).
Result<LoadedPartition> LoadPartition(const std::string& dir, const TopicConfig& config,
                                      std::optional<PartitionState> state,
                                      std::vector<SegmentMeta> catalog, const LoadOptions& options);

}  // namespace topicfs::store
