// The byte layout of a segment's sparse indexes, Kafka's own (DESIGN §3).
// No header, no checksum: an index is rebuilt from its .log when in doubt.
//
//   .index      one 8-byte entry per indexed record, strictly increasing in both:
//                 +0  uint32 BE  relative_offset  (offset - segment base offset)
//                 +4  uint32 BE  position         (byte position of the record in .log)
//
//   .timeindex  one 12-byte entry per .index entry whose time is newer than the last:
//                 +0  int64  BE  timestamp_ms     (append wall-clock time, never decreasing)
//                 +8  uint32 BE  relative_offset
//
// Worked example, base offset 100: record 105 at byte 4200 appended at
// 1700000000000 gives .index bytes 00 00 00 05 00 00 10 68 and .timeindex
// bytes 00 00 01 8b cf e5 68 00 00 00 00 05.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

inline constexpr size_t kOffsetIndexEntrySize = 8;
inline constexpr size_t kTimeIndexEntrySize = 12;
static_assert(kOffsetIndexEntrySize == sizeof(uint32_t) + sizeof(uint32_t));
static_assert(kTimeIndexEntrySize == sizeof(int64_t) + sizeof(uint32_t));

struct OffsetIndexEntry {
  int64_t offset;     // absolute
  uint32_t position;  // in the .log
  bool operator==(const OffsetIndexEntry&) const = default;
};

struct TimeIndexEntry {
  int64_t timestamp_ms;
  int64_t offset;  // absolute
  bool operator==(const TimeIndexEntry&) const = default;
};

// A segment's two sparse indexes.
enum class IndexKind : uint8_t { kOffset, kTime };
inline constexpr size_t IndexEntryBytes(IndexKind kind) {
  return kind == IndexKind::kOffset ? kOffsetIndexEntrySize : kTimeIndexEntrySize;
}

// The entry at `src` of an index of the segment based at `base_offset`.
OffsetIndexEntry DecodeOffsetIndexEntry(const char* src, int64_t base_offset);
TimeIndexEntry DecodeTimeIndexEntry(const char* src, int64_t base_offset);
// The checks a sound index passes (whole entries, strictly increasing,
// offsets below `next_offset`, positions below `log_size`): what recovery
// and `verify` hold every index to.
Status CheckIndex(IndexKind kind, std::string_view bytes, int64_t base_offset, int64_t next_offset,
                  int64_t log_size);

}  // namespace topicfs::store
