// One segment of a partition as a front-end sees it: its offsets, sizes and
// times, its bytes, and the names of its files. `Partition::FindSegment`,
// `ActiveSegment` and `Segments` hand these out; appending, sealing, the
// indexes and the tier's bookkeeping stay inside store/ (store/segment.h,
// issue 18).
//
// Every member is safe from any thread. The numbers only grow while the
// segment is active; a sealed segment never changes again, except that its
// data may move to the remote tier (remote_only()), after which it has no
// local files and no descriptor, and Read() fetches.
#pragma once

#include <cstdint>
#include <string>

#include "store/descriptor_cache.h"
#include "store/index_format.h"
#include "store/status.h"

namespace topicfs::store {

// The two index files of a remote-only segment, fetched from the tier.
struct RemoteIndexes {
  std::string index;
  std::string time_index;
};

class SegmentFile {
 public:
  // How far the copy to the remote tier went (DESIGN §9).
  enum class TierCopy : uint8_t { kNone, kCopying, kCopied };

  virtual ~SegmentFile() = default;

  virtual int64_t base_offset() const = 0;
  virtual int64_t next_offset() const = 0;
  // Bytes of whole records; a reader never reads past it.
  virtual int64_t size() const = 0;
  virtual int64_t max_timestamp_ms() const = 0;
  virtual bool sealed() const = 0;
  // When this process sealed it (SteadyNowMs); 0 if it was sealed when opened.
  virtual int64_t sealed_at_ms() const = 0;
  // The XXH3-64 of a sealed segment's bytes.
  virtual uint64_t xxh3() const = 0;
  virtual bool remote_only() const = 0;
  virtual TierCopy tier_copy() const = 0;

  virtual const std::string& log_path() const = 0;
  virtual std::string index_path() const = 0;
  virtual std::string time_index_path() const = 0;
  std::string IndexPath(IndexKind kind) const {
    return kind == IndexKind::kOffset ? index_path() : time_index_path();
  }
  // Bytes of whole entries a reader of that index file sees now (the remote
  // copy's, for a remote-only segment).
  virtual int64_t IndexFileBytes(IndexKind kind) const = 0;

  // Reads up to `len` bytes at `pos`; fewer at the end of the data.
  virtual Result<size_t> Read(char* buf, size_t len, int64_t pos) const = 0;
  // The .log's descriptor, pinned while the FileRef lives (a splice, a
  // passthrough registration); read below size() only. NotSupported for a
  // remote-only segment: Read() instead.
  virtual Result<FileRef> OpenLog() const = 0;
  // A remote-only segment's index files, fetched; empty for a local one.
  virtual Result<RemoteIndexes> FetchRemoteIndexes() const = 0;
};

}  // namespace topicfs::store
