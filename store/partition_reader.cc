#include "store/partition_reader.h"

#include <algorithm>
#include <cstring>

#include "store/record_scan.h"
#include "store/segment.h"

namespace topicfs::store {
namespace {

// How much more ReadRecords reads at a time when one record is longer than
// what was asked for.
constexpr size_t kLongRecordStep = 64 << 10;

}  // namespace

PartitionReader::PartitionReader(std::shared_ptr<Partition> partition)
    : partition_(std::move(partition)) {}

PartitionReader::~PartitionReader() {
  if (wait_ != 0) partition_->CancelWait(wait_);
  partition_->ReleaseClaim(&claim_);
}

void PartitionReader::GoOnAtLogStartWhenOvertaken() {
  std::lock_guard lock(mu_);
  live_only_ = true;
}

Result<WaitId> PartitionReader::WhenReadable(ReadPosition at, WakeFn wake) {
  std::lock_guard lock(mu_);
  Result<WaitId> id = partition_->WhenStreamPast(StreamPosLocked(at.value()), std::move(wake));
  if (id.ok() && *id != 0) wait_ = *id;
  return id;
}

Result<std::unique_ptr<PartitionReader>> PartitionReader::Open(std::shared_ptr<Partition> partition,
                                                               Partition::StartAt how,
                                                               int64_t value) {
  std::unique_ptr<PartitionReader> reader(new PartitionReader(std::move(partition)));
  Result<ReadStart> start = reader->partition_->Locate(how, value, &reader->claim_);
  if (!start.ok()) return start.status();
  reader->start_offset_ = Offset(start->offset);
  reader->start_stream_ = start->stream_pos;
  reader->cursor_ = std::move(start->segment);
  reader->next_stream_ = reader->start_stream_;
  reader->next_offset_ = reader->start_offset_;
  return reader;
}

Result<std::unique_ptr<PartitionReader>> PartitionReader::FromOffset(
    std::shared_ptr<Partition> partition, Offset offset) {
  return Open(std::move(partition), Partition::StartAt::kOffset, offset.value());
}

Result<std::unique_ptr<PartitionReader>> PartitionReader::FromTime(
    std::shared_ptr<Partition> partition, int64_t ts_ms) {
  return Open(std::move(partition), Partition::StartAt::kTime, ts_ms);
}

Result<std::unique_ptr<PartitionReader>> PartitionReader::FromLogStart(
    std::shared_ptr<Partition> partition) {
  return Open(std::move(partition), Partition::StartAt::kLogStart, 0);
}

ReadPosition PartitionReader::end() const {
  return ReadPosition(std::max<int64_t>(
      0, partition_->stream_end() - start_stream_ - skipped_.load(std::memory_order_relaxed)));
}

Result<PartitionReader::Piece> PartitionReader::PieceAtLocked(int64_t pos, size_t len) {
  std::shared_ptr<Segment> seg = cursor_;
  if (pos < seg->stream_base()) {
    seg = partition_->ClaimHolding(&claim_, pos);
    if (seg == nullptr) {
      return Status::OutOfRange("the bytes at " + std::to_string(pos - start_stream_) +
                                " were deleted after this reader had read past them");
    }
  }
  for (;;) {
    // Sealed first: only then is the size final and can a newer segment exist.
    const bool sealed = seg->sealed();
    if (pos < seg->stream_base() + seg->size()) break;
    if (!sealed) {
      // Sealed since: its size read above may be short of its final one,
      // and the next segment may hold bytes already counted in stream_end().
      if (seg->sealed()) continue;
      break;
    }
    std::shared_ptr<Segment> next = partition_->ClaimNext(&claim_, seg->base_offset(), live_only_);
    if (next == nullptr) break;
    // Past a gap only when retention overtook a follower: it goes on there.
    const int64_t gap = next->stream_base() - (seg->stream_base() + seg->size());
    if (gap > 0) {
      NoteSkipLocked(*seg, *next);
      skipped_.fetch_add(gap, std::memory_order_relaxed);
      pos += gap;
    }
    seg = std::move(next);
  }
  cursor_ = seg;
  Piece piece{std::move(seg), 0, 0};
  piece.local = pos - piece.segment->stream_base();
  const int64_t avail = piece.segment->size() - piece.local;
  if (avail > 0) piece.len = static_cast<size_t>(std::min<int64_t>(len, avail));
  return piece;
}

Result<size_t> PartitionReader::ReadAt(ReadPosition at, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    Result<Piece> piece = [&] {
      std::lock_guard lock(mu_);
      return PieceAtLocked(StreamPosLocked(at.value() + static_cast<int64_t>(done)), len - done);
    }();
    // The bytes already read are the answer; the error comes with the next call.
    if (!piece.ok()) return done > 0 ? Result<size_t>(done) : piece.status();
    if (piece->len == 0) break;
    // Without the lock: the Piece holds the segment, readable even if deleted.
    partition_->PrefetchAcross(*piece->segment, piece->local + static_cast<int64_t>(piece->len));
    Result<size_t> n = piece->segment->Read(buf + done, piece->len, piece->local);
    if (!n.ok()) return done > 0 ? Result<size_t>(done) : n.status();
    if (*n == 0) break;
    done += *n;
  }
  return done;
}

Result<FileExtent> PartitionReader::ExtentAt(ReadPosition at, size_t len) {
  Result<Piece> piece = [&] {
    std::lock_guard lock(mu_);
    return PieceAtLocked(StreamPosLocked(at.value()), len);
  }();
  if (!piece.ok()) return piece.status();
  FileExtent extent;
  if (piece->len == 0) return extent;
  if (piece->segment->remote_only()) {  // no descriptor: ReadAt copies them
    extent.len = piece->len;
    return extent;
  }
  Result<FileRef> file = piece->segment->OpenLog();
  if (!file.ok()) return file.status();
  extent.file = std::move(*file);
  extent.file_pos = piece->local;
  extent.len = piece->len;
  return extent;
}

Result<RecordRun> PartitionReader::ReadRecords(size_t max_bytes, std::string* out) {
  std::lock_guard lock(mu_);
  out->clear();
  Result<Piece> piece = PieceAtLocked(next_stream_, std::max<size_t>(max_bytes, 1));
  if (!piece.ok()) return piece.status();
  // A segment starts with its base offset, also after a gap in offsets (a
  // segment removed behind the store's back).
  if (piece->local == 0) next_offset_ = Offset(piece->segment->base_offset());
  next_stream_ = piece->segment->stream_base() + piece->local;  // moved on if it skipped
  RecordRun run;
  run.first_offset = next_offset_;
  run.position = ReadPosition(next_stream_ - start_stream_ - skipped_);
  run.newest_time_ms = piece->segment->max_timestamp_ms();
  if (piece->len == 0) return run;
  partition_->PrefetchAcross(*piece->segment, piece->local + static_cast<int64_t>(piece->len));
  out->resize(piece->len);
  for (size_t got = 0; got < piece->len;) {
    Result<size_t> n = piece->segment->Read(out->data() + got, piece->len - got,
                                            piece->local + static_cast<int64_t>(got));
    if (!n.ok()) return n.status();
    if (*n == 0)
      return Status::Corruption(piece->segment->log_path() + " is shorter than its size");
    got += *n;
  }
  const char delim = partition_->delimiter();
  size_t whole = WholeRecordPrefix(out->data(), out->size(), delim);
  if (whole == 0) {
    TOPICFS_RETURN_IF_ERROR(ReadToRecordEndLocked(*piece, out));
    whole = out->size();
  }
  out->resize(whole);
  run.bytes = whole;
  run.records = static_cast<int64_t>(CountDelimiters(out->data(), whole, delim));
  next_stream_ += static_cast<int64_t>(whole);
  next_offset_ = next_offset_ + run.records;
  return run;
}

void PartitionReader::NoteSkipLocked(const Segment& from, const Segment& to) {
  partition_->traffic().CountOvertaken();
  partition_->env_.LogInfo(partition_->topic() + "-" + std::to_string(partition_->id()) +
                           ": retention overtook a follower; it goes on at the log start, " +
                           "offset " + std::to_string(to.base_offset()) + ", past offsets " +
                           std::to_string(from.next_offset()) + " to " +
                           std::to_string(to.base_offset() - 1));
}

Status PartitionReader::ReadToRecordEndLocked(const Piece& piece, std::string* out) {
  // Bytes below a segment's size are whole records, so the delimiter is there.
  const char delim = partition_->delimiter();
  for (;;) {
    const size_t old = out->size();
    const size_t step = std::max(old, kLongRecordStep);
    out->resize(old + step);
    Result<size_t> n =
        piece.segment->Read(out->data() + old, step, piece.local + static_cast<int64_t>(old));
    if (!n.ok()) return n.status();
    out->resize(old + *n);
    if (*n == 0) return Status::Corruption(piece.segment->log_path() + " ends inside a record");
    if (const void* hit = std::memchr(out->data() + old, delim, *n)) {
      out->resize(static_cast<const char*>(hit) - out->data() + 1);
      return Status::OK();
    }
  }
}

}  // namespace topicfs::store
