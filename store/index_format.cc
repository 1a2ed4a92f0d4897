#include "store/index_format.h"

#include "store/offset_index.h"
#include "store/time_index.h"

namespace topicfs::store {

OffsetIndexEntry DecodeOffsetIndexEntry(const char* src, int64_t base_offset) {
  return OffsetIndex::Decode(src, base_offset);
}

TimeIndexEntry DecodeTimeIndexEntry(const char* src, int64_t base_offset) {
  return TimeIndex::Decode(src, base_offset);
}

Status CheckIndex(IndexKind kind, std::string_view bytes, int64_t base_offset, int64_t next_offset,
                  int64_t log_size) {
  return kind == IndexKind::kOffset ? OffsetIndex::Check(bytes, base_offset, next_offset, log_size)
                                    : TimeIndex::Check(bytes, base_offset, next_offset);
}

}  // namespace topicfs::store
