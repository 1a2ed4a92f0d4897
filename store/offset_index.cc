#include "store/offset_index.h"

#include "store/coding.h"

namespace topicfs::store {

void OffsetIndex::Encode(char* dst, int64_t base_offset, int64_t offset, uint32_t position) {
  EncodeBigEndian32(dst, static_cast<uint32_t>(offset - base_offset));
  EncodeBigEndian32(dst + 4, position);
}

OffsetIndexEntry OffsetIndex::Decode(const char* src, int64_t base_offset) {
  return {base_offset + DecodeBigEndian32(src), DecodeBigEndian32(src + 4)};
}

OffsetIndexEntry OffsetIndex::EntryAt(size_t i) {
  return Decode(file_->bytes().data() + i * kOffsetIndexEntrySize, base_offset_);
}

std::optional<OffsetIndexEntry> OffsetIndex::FindFloor(int64_t offset) {
  std::string_view bytes = file_->bytes();
  size_t n = bytes.size() / kOffsetIndexEntrySize;
  if (n == 0 || offset < base_offset_) return std::nullopt;
  const uint64_t rel = static_cast<uint64_t>(offset - base_offset_);
  // Find the first entry whose relative offset > rel; the floor is before it.
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (DecodeBigEndian32(bytes.data() + mid * kOffsetIndexEntrySize) <= rel) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return Decode(bytes.data() + (lo - 1) * kOffsetIndexEntrySize, base_offset_);
}

std::optional<OffsetIndexEntry> OffsetIndex::Last() {
  size_t n = entries();
  if (n == 0) return std::nullopt;
  return EntryAt(n - 1);
}

void OffsetIndex::Append(int64_t offset, uint32_t position) {
  char entry[kOffsetIndexEntrySize];
  Encode(entry, base_offset_, offset, position);
  file_->Append(entry);
}

Status OffsetIndex::Check(std::string_view bytes, int64_t base_offset, int64_t next_offset,
                          int64_t log_size) {
  if (bytes.size() % kOffsetIndexEntrySize != 0) {
    return Status::Corruption("size " + std::to_string(bytes.size()) +
                              " is not a multiple of 8");
  }
  int64_t prev_offset = base_offset;  // relative 0 is the implicit first entry
  int64_t prev_position = -1;
  for (size_t i = 0; i < bytes.size(); i += kOffsetIndexEntrySize) {
    OffsetIndexEntry e = Decode(bytes.data() + i, base_offset);
    if ((i > 0 && e.offset <= prev_offset) || e.offset < prev_offset ||
        static_cast<int64_t>(e.position) <= prev_position) {
      return Status::Corruption("entry " + std::to_string(i / 8) + " does not increase");
    }
    if (e.offset >= next_offset || static_cast<int64_t>(e.position) >= log_size) {
      return Status::Corruption("entry " + std::to_string(i / 8) + " points past the data");
    }
    prev_offset = e.offset;
    prev_position = e.position;
  }
  return Status::OK();
}

}  // namespace topicfs::store
