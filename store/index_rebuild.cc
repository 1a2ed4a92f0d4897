#include "store/index_rebuild.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "store/data_dir.h"
#include "store/file_io.h"
#include "store/index_format.h"
#include "store/names.h"
#include "store/offset_index.h"
#include "store/record_scan.h"
#include "store/time_index.h"

namespace topicfs::store {
namespace {

// Old time-index entries that still describe records below `next_offset`.
std::vector<TimeIndexEntry> SalvageTimeEntries(std::string_view bytes, int64_t base,
                                               int64_t next_offset) {
  std::vector<TimeIndexEntry> out;
  for (size_t i = 0; i + kTimeIndexEntrySize <= bytes.size(); i += kTimeIndexEntrySize) {
    TimeIndexEntry e = TimeIndex::Decode(bytes.data() + i, base);
    if (e.offset >= next_offset || e.offset < base) break;
    if (!out.empty() &&
        (e.timestamp_ms < out.back().timestamp_ms || e.offset <= out.back().offset)) {
      break;
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace

bool IndexesSound(std::optional<std::string_view> index, std::optional<std::string_view> time_index,
                  const SegmentMeta& meta) {
  return index && time_index &&
         OffsetIndex::Check(*index, meta.base_offset, meta.next_offset, meta.size_bytes).ok() &&
         TimeIndex::Check(*time_index, meta.base_offset, meta.next_offset).ok();
}

BuiltIndexes BuildIndexes(std::string_view log, int64_t base, int64_t next_offset,
                          int64_t latest_ms, std::string_view old_time_index, char delimiter,
                          int64_t index_interval_bytes) {
  std::vector<TimeIndexEntry> old = SalvageTimeEntries(old_time_index, base, next_offset);
  BuiltIndexes out;
  const int64_t interval = std::max<int64_t>(1, index_interval_bytes);
  int64_t offset = base, last_indexed = 0, last_ts = -1;
  size_t pos = 0, old_i = 0;
  while (pos < log.size()) {
    size_t threshold = last_indexed + interval;
    if (threshold >= log.size()) break;
    const void* d = std::memchr(log.data() + threshold - 1, delimiter, log.size() - threshold + 1);
    if (d == nullptr) break;  // no whole record starts past the threshold
    size_t start = static_cast<const char*>(d) - log.data() + 1;
    if (start >= log.size()) break;
    offset += CountDelimiters(log.data() + pos, start - pos, delimiter);
    char entry[kTimeIndexEntrySize];
    OffsetIndex::Encode(entry, base, offset, static_cast<uint32_t>(start));
    out.index.append(entry, kOffsetIndexEntrySize);
    while (old_i < old.size() && old[old_i].offset < offset) ++old_i;
    int64_t ts = old_i < old.size() ? old[old_i].timestamp_ms : latest_ms;
    if (ts > last_ts) {
      TimeIndex::Encode(entry, base, ts, offset);
      out.time_index.append(entry, kTimeIndexEntrySize);
      last_ts = ts;
    }
    last_indexed = start;
    pos = start;
  }
  out.newest_time_ms = std::max(last_ts, old.empty() ? -1 : old.back().timestamp_ms);
  return out;
}

Status ReplaceIndexFile(Env& env, const std::string& path, std::string_view bytes) {
  const std::string temp = path + std::string(kRebuiltSuffix);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return Status::FromErrno(errno, "open " + temp);
  Status s = WriteFully(env, fd, bytes.data(), bytes.size(), 0, temp);
  ::close(fd);
  if (s.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    s = Status::FromErrno(errno, "rename " + temp);
  }
  if (!s.ok()) ::unlink(temp.c_str());
  return s;
}

}  // namespace topicfs::store
