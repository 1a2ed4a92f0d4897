// Reads one partition forward from an offset or a time, across segments:
// the one reader behind the mount's from/<N> and since/<T>, `topicfs
// consume`, and later the Kafka Fetch (DESIGN §1.4; redpanda's log_reader).
//
// A reader sees a byte stream that starts at its first record and grows
// with every append; positions in it are ReadPositions. It offers the bytes
// at any position (a file's read) and, moving forward on its own, runs of
// whole records with the offset of the first one (a Fetch).
//
// What it reads stays readable: a reader claims every segment from the one
// it is reading to the log end, so when retention, a trim (`rm` of the
// oldest .log) or a topic deletion removes such a segment, the reader still
// reads it, and the segments after it, byte for byte, as a reader of an
// unlinked file would (read_claims.h). A read pins the segment's descriptor
// only for its own length. Bytes before the segment the reader last read may
// be gone once deleted: going back to them is OutOfRange.
//
// A follower (DESIGN §7) is instead moved on when retention overtakes it:
// it finishes the segment it is in, so that it never returns part of a
// record, and goes on at the first segment still in the log. Its stream
// then leaves out the deleted bytes, so its positions stay contiguous.
//
// Thread-safe. Lock order: PartitionReader::mu_, then Partition::mu_.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "store/descriptor_cache.h"
#include "store/log_position.h"
#include "store/partition.h"
#include "store/read_claims.h"
#include "store/status.h"

namespace topicfs::store {

// A run of whole records, oldest first, as ReadRecords returns it.
struct RecordRun {
  Offset first_offset;    // the offset of the run's first record
  ReadPosition position;  // where its first byte is in the reader's stream
  size_t bytes = 0;       // 0: nothing past the log end yet
  int64_t records = 0;
  // The newest append time in the run's segment, -1 when unknown: no
  // record of the run is newer (topicfs keeps no time per record).
  int64_t newest_time_ms = -1;
};

// Bytes of one segment file, for a caller that sends them on without
// copying (splice): `len` bytes at `file_pos` of `file`, pinned.
// Bytes of a segment as a descriptor range; `file` is not set when they are
// held only in the remote tier (ReadAt copies those).
struct FileExtent {
  FileRef file;
  int64_t file_pos = 0;
  size_t len = 0;
};

class PartitionReader {
 public:
  // From record `offset`: OutOfRange outside [log start, log end].
  static Result<std::unique_ptr<PartitionReader>> FromOffset(std::shared_ptr<Partition> partition,
                                                             Offset offset);
  // From the first record appended at or after `ts_ms`, or up to one index
  // interval before it, never after; the log end when there is none.
  static Result<std::unique_ptr<PartitionReader>> FromTime(std::shared_ptr<Partition> partition,
                                                           int64_t ts_ms);
  // From the log start, whatever retention does meanwhile.
  static Result<std::unique_ptr<PartitionReader>> FromLogStart(
      std::shared_ptr<Partition> partition);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Makes this reader a follower that goes on at the log start when
  // retention deletes the segments ahead of it, rather than read them. Each
  // such skip is logged and counted in the partition's traffic.
  void GoOnAtLogStartWhenOvertaken();

  Offset start_offset() const { return start_offset_; }
  // Just past the last record now: the stream's current length.
  ReadPosition end() const;
  Partition& partition() const { return *partition_; }

  // Calls `wake` once a record starts at `at`, or the topic is deleted
  // (Partition::WhenStreamPast): how a follower waits at the log end. 0,
  // and no call, when one already does. A reader has one wait at a time;
  // destroying it cancels the wait.
  Result<WaitId> WhenReadable(ReadPosition at, WakeFn wake);
  // True when the wait was still pending and now never wakes.
  bool CancelWait(WaitId id) { return partition_->CancelWait(id); }

  // Copies up to `len` bytes found at `at` into `buf`; fewer only at the
  // log end (0 there).
  Result<size_t> ReadAt(ReadPosition at, char* buf, size_t len);
  // The bytes at `at`, up to `len` and to the end of the segment holding
  // them; `len` 0 only at the log end.
  Result<FileExtent> ExtentAt(ReadPosition at, size_t len);

  // The next run of whole records after the last one returned (the first
  // starts at the reader's start), from one segment: at most `max_bytes`,
  // but always a whole record when one is there, however long. The bytes
  // replace `*out`, whose capacity is reused.
  Result<RecordRun> ReadRecords(size_t max_bytes, std::string* out);

 private:
  // The segment holding `pos`, and where.
  struct Piece {
    std::shared_ptr<Segment> segment;
    int64_t local = 0;  // byte position in the segment
    size_t len = 0;     // bytes there from `local`, up to what was asked
  };
  static Result<std::unique_ptr<PartitionReader>> Open(std::shared_ptr<Partition> partition,
                                                       Partition::StartAt how, int64_t value);
  explicit PartitionReader(std::shared_ptr<Partition> partition);
  // Where the reader's position `at` is in the partition-wide stream.
  int64_t StreamPosLocked(int64_t at) const { return start_stream_ + skipped_ + at; }
  // Walks the cursor to the segment holding stream position `pos` (or at
  // whose end it sits when no later segment exists yet).
  Result<Piece> PieceAtLocked(int64_t pos, size_t len);
  // A follower passed from `from` over deleted segments to `to`.
  void NoteSkipLocked(const Segment& from, const Segment& to);
  // Reads on in `piece`'s segment until `out` ends with a whole record.
  Status ReadToRecordEndLocked(const Piece& piece, std::string* out);

  const std::shared_ptr<Partition> partition_;
  ReadClaim claim_;  // guarded by the partition's mu_
  Offset start_offset_;
  int64_t start_stream_ = 0;  // partition-wide stream position of the first byte

  std::mutex mu_;
  bool live_only_ = false;           // guarded by mu_; a follower that skips deleted segments
  // Stream bytes a follower passed over; written under mu_, read by end().
  std::atomic<int64_t> skipped_{0};
  std::shared_ptr<Segment> cursor_;  // guarded by mu_; the segment read last
  int64_t next_stream_ = 0;          // guarded by mu_; where ReadRecords goes on
  Offset next_offset_;               // guarded by mu_; the record there
  WaitId wait_ = 0;                  // guarded by mu_; the last wait registered
};

}  // namespace topicfs::store
