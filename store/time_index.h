// A segment's sparse time index (.timeindex): maps append time to the first
// offset appended at that time. Lookups return the last entry strictly before
// a time, so a reader starting there never starts after the record it wants.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "store/index_file.h"
#include "store/index_format.h"
#include "store/private_header.h"

namespace topicfs::store {

class TimeIndex {
 public:
  TimeIndex(std::unique_ptr<IndexFile> file, int64_t base_offset, size_t max_entries)
      : file_(std::move(file)), base_offset_(base_offset), max_entries_(max_entries) {}

  // The last entry whose timestamp < `timestamp_ms`; nullopt when none.
  std::optional<TimeIndexEntry> FindLastBefore(int64_t timestamp_ms);
  std::optional<TimeIndexEntry> Last();
  size_t entries() { return file_->entries(); }
  // Kafka keeps one slot free for the entry written at roll.
  bool IsFull() { return entries() + 1 >= max_entries_; }
  void set_max_entries(size_t n) { max_entries_ = n; }
  // Buffers an entry when `timestamp_ms` is newer than the last one.
  void MaybeAppend(int64_t timestamp_ms, int64_t offset);
  IndexFile& file() { return *file_; }

  // Whole entries, timestamps never decreasing, offsets strictly increasing
  // and below `next_offset`.
  static Status Check(std::string_view bytes, int64_t base_offset, int64_t next_offset);
  static void Encode(char* dst, int64_t base_offset, int64_t timestamp_ms, int64_t offset);
  static TimeIndexEntry Decode(const char* src, int64_t base_offset);

 private:
  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
  size_t max_entries_;
};

}  // namespace topicfs::store
