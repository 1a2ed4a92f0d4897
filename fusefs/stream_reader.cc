#include "fusefs/stream_reader.h"

#include <algorithm>

namespace topicfs::fusefs {

StreamReader::StreamReader(std::shared_ptr<store::Partition> partition, store::ReadStart start)
    : partition_(std::move(partition)), start_(std::move(start)), cursor_(start_.segment) {}

int64_t StreamReader::Size() const {
  return std::max<int64_t>(0, partition_->stream_end() - start_.stream_pos);
}

std::shared_ptr<store::Segment> StreamReader::SegmentFor(int64_t pos) {
  std::shared_ptr<store::Segment> seg;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seg = cursor_;
  }
  if (seg == nullptr || seg->stream_base > pos) seg = start_.segment;
  while (seg != nullptr) {
    // Sealed first: a sealed segment's size is final, and only then can a
    // newer segment exist.
    bool sealed = seg->sealed();
    if (pos < seg->stream_base + seg->size() || !sealed) break;
    std::shared_ptr<store::Segment> next = partition_->SegmentAfter(seg->base_offset());
    if (next == nullptr) break;
    seg = std::move(next);
  }
  std::lock_guard<std::mutex> lock(mu_);
  cursor_ = seg;
  return seg;
}

store::Status StreamReader::Read(int64_t off, size_t len, std::string* out) {
  int64_t pos = start_.stream_pos + off;
  while (len > 0) {
    std::shared_ptr<store::Segment> seg = SegmentFor(pos);
    if (seg == nullptr) break;
    int64_t local = pos - seg->stream_base;
    int64_t avail = seg->size() - local;
    if (local < 0 || avail <= 0) break;
    size_t n = static_cast<size_t>(std::min<int64_t>(len, avail));
    size_t old = out->size();
    out->resize(old + n);
    store::Result<size_t> got = seg->Read(out->data() + old, n, local);
    if (!got.ok()) {
      out->resize(old);
      return got.status();
    }
    out->resize(old + *got);
    if (*got == 0) break;
    pos += *got;
    len -= *got;
  }
  return store::Status::OK();
}

}  // namespace topicfs::fusefs
