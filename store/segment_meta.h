// A segment's catalog entry, as kept in RocksDB (DESIGN §3.4). The .log is
// the truth for data; this is what lets a clean mount open without a scan.
//
// Encoding (all big-endian): u8 version(=1), u8 flags (bit0 sealed, bit1
// hash_state valid), i64 base_offset, i64 next_offset, i64 size_bytes,
// i64 first_timestamp_ms, i64 max_timestamp_ms, u64 xxh3, then the rest of
// the value is the saved XXH3 streaming state of an active segment (tagged
// with the library version; see Segment::RestoreHashState).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

struct SegmentMeta {
  int64_t base_offset = 0;
  int64_t next_offset = 0;
  int64_t size_bytes = 0;
  int64_t first_timestamp_ms = -1;  // -1 while empty
  int64_t max_timestamp_ms = -1;
  bool sealed = false;
  uint64_t xxh3 = 0;       // of the .log bytes; valid once sealed
  std::string hash_state;  // active segment only: XXH3 state at clean close

  int64_t record_count() const { return next_offset - base_offset; }
  std::string Encode() const;
  static Result<SegmentMeta> Decode(std::string_view bytes);
};

}  // namespace topicfs::store
