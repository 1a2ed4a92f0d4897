// Reads a partition as one byte stream from a fixed start (the content of
// from/<N> and since/<T>): the file offset maps to a partition-wide byte
// position, and the reader walks forward through the segments as it goes.
// Holding a segment keeps its file open, so retention cannot pull the bytes
// from under a reader (DESIGN §1.4).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "store/partition.h"
#include "store/status.h"

namespace topicfs::fusefs {

class StreamReader {
 public:
  StreamReader(std::shared_ptr<store::Partition> partition, store::ReadStart start);
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // The current length of the stream: every byte from the start to the log end.
  int64_t Size() const;
  // Appends up to `len` bytes found at stream offset `off` to `out`; fewer at
  // the end of the data.
  store::Status Read(int64_t off, size_t len, std::string* out);

 private:
  // The segment holding stream position `pos`, or the segment at whose end
  // `pos` sits when no newer one exists; nullptr when none.
  std::shared_ptr<store::Segment> SegmentFor(int64_t pos);

  const std::shared_ptr<store::Partition> partition_;
  const store::ReadStart start_;
  std::mutex mu_;
  std::shared_ptr<store::Segment> cursor_;  // guarded by mu_; last segment read
};

}  // namespace topicfs::fusefs
