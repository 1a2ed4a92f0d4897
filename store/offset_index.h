// A segment's sparse offset index (.index): maps an offset to the byte
// position of that record. Readers take the floor entry and scan forward.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "store/index_file.h"
#include "store/index_format.h"
#include "store/private_header.h"

namespace topicfs::store {

class OffsetIndex {
 public:
  OffsetIndex(std::unique_ptr<IndexFile> file, int64_t base_offset, size_t max_entries)
      : file_(std::move(file)), base_offset_(base_offset), max_entries_(max_entries) {}

  // The greatest entry whose offset <= `offset`; nullopt when there is none.
  std::optional<OffsetIndexEntry> FindFloor(int64_t offset);
  std::optional<OffsetIndexEntry> Last();
  OffsetIndexEntry EntryAt(size_t i);
  size_t entries() { return file_->entries(); }
  bool IsFull() { return entries() >= max_entries_; }
  void set_max_entries(size_t n) { max_entries_ = n; }
  // Buffers an entry; the caller guarantees offset and position increase.
  void Append(int64_t offset, uint32_t position);
  IndexFile& file() { return *file_; }

  // Sanity check of Kafka's AbstractIndex plus our stricter rules: whole
  // entries, strictly increasing, relative offsets below `next_offset`,
  // positions below `log_size`.
  static Status Check(std::string_view bytes, int64_t base_offset, int64_t next_offset,
                      int64_t log_size);
  static void Encode(char* dst, int64_t base_offset, int64_t offset, uint32_t position);
  static OffsetIndexEntry Decode(const char* src, int64_t base_offset);

 private:
  std::unique_ptr<IndexFile> file_;
  int64_t base_offset_;
  size_t max_entries_;
};

}  // namespace topicfs::store
