#include "store/time_index.h"

#include "store/coding.h"

namespace topicfs::store {

void TimeIndex::Encode(char* dst, int64_t base_offset, int64_t timestamp_ms, int64_t offset) {
  EncodeBigEndian64(dst, static_cast<uint64_t>(timestamp_ms));
  EncodeBigEndian32(dst + 8, static_cast<uint32_t>(offset - base_offset));
}

TimeIndexEntry TimeIndex::Decode(const char* src, int64_t base_offset) {
  return {static_cast<int64_t>(DecodeBigEndian64(src)),
          base_offset + DecodeBigEndian32(src + 8)};
}

std::optional<TimeIndexEntry> TimeIndex::FindLastBefore(int64_t timestamp_ms) {
  std::string_view bytes = file_->bytes();
  size_t n = bytes.size() / kTimeIndexEntrySize;
  size_t lo = 0, hi = n;  // first entry with timestamp >= target
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int64_t ts = static_cast<int64_t>(DecodeBigEndian64(bytes.data() + mid * kTimeIndexEntrySize));
    if (ts < timestamp_ms) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return Decode(bytes.data() + (lo - 1) * kTimeIndexEntrySize, base_offset_);
}

std::optional<TimeIndexEntry> TimeIndex::Last() {
  std::string_view bytes = file_->bytes();
  if (bytes.empty()) return std::nullopt;
  return Decode(bytes.data() + bytes.size() - kTimeIndexEntrySize, base_offset_);
}

void TimeIndex::MaybeAppend(int64_t timestamp_ms, int64_t offset) {
  std::optional<TimeIndexEntry> last = Last();
  if (last && (timestamp_ms <= last->timestamp_ms || offset <= last->offset)) return;
  char entry[kTimeIndexEntrySize];
  Encode(entry, base_offset_, timestamp_ms, offset);
  file_->Append(entry);
}

Status TimeIndex::Check(std::string_view bytes, int64_t base_offset, int64_t next_offset) {
  if (bytes.size() % kTimeIndexEntrySize != 0) {
    return Status::Corruption("size " + std::to_string(bytes.size()) +
                              " is not a multiple of 12");
  }
  for (size_t i = 0; i < bytes.size(); i += kTimeIndexEntrySize) {
    TimeIndexEntry e = Decode(bytes.data() + i, base_offset);
    if (e.offset >= next_offset) {
      return Status::Corruption("entry " + std::to_string(i / 12) + " points past the data");
    }
    if (i > 0) {
      TimeIndexEntry prev = Decode(bytes.data() + i - kTimeIndexEntrySize, base_offset);
      if (e.timestamp_ms < prev.timestamp_ms || e.offset <= prev.offset) {
        return Status::Corruption("entry " + std::to_string(i / 12) + " does not increase");
      }
    }
  }
  return Status::OK();
}

}  // namespace topicfs::store
