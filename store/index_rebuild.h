// A segment's two sparse indexes checked against its catalog entry and
// rebuilt from its .log with the append-time rule (DESIGN §4). Recovery uses
// both at open; a sealed segment trusted from the catalog uses them on the
// first lookup through its indexes (docs/DECISIONS.md, "What a clean mount
// trusts").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/env.h"
#include "store/private_header.h"
#include "store/segment_meta.h"
#include "store/status.h"

namespace topicfs::store {

struct BuiltIndexes {
  std::string index;
  std::string time_index;
  // The newest time the old time index vouched for or an entry got; -1
  // when neither had one. The segment is at least this new.
  int64_t newest_time_ms = -1;
};

// Whether both files pass OffsetIndex::Check and TimeIndex::Check for the
// segment `meta` describes; a missing file (nullopt) does not.
bool IndexesSound(std::optional<std::string_view> index, std::optional<std::string_view> time_index,
                  const SegmentMeta& meta);

// Both indexes of the whole records in `log` (a segment with base `base`
// and `next_offset`), an entry at the first record starting
// `index_interval_bytes` after the previous one. A rebuilt entry's time is
// an upper bound of its record's append time: the next entry salvaged from
// `old_time_index` (its sound prefix), else `latest_ms`; so a time lookup
// may start early, never late. Pure.
BuiltIndexes BuildIndexes(std::string_view log, int64_t base, int64_t next_offset,
                          int64_t latest_ms, std::string_view old_time_index, char delimiter,
                          int64_t index_interval_bytes);

// Replaces the file at `path` by `bytes` through a new file renamed over it,
// so whoever maps or reads the old file keeps whole old bytes.
Status ReplaceIndexFile(Env& env, const std::string& path, std::string_view bytes);

}  // namespace topicfs::store
