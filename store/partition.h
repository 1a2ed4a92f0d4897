// One partition of a topic: an ordered run of segments, the newest active.
//
// Lock order: Store::mu_, then Topic::mu_, then Partition::flush_mu_, then
// Partition::mu_. flush_mu_ serializes fsyncs without blocking appenders.
// Appends hold mu_ for the write of whole records and nothing else; readers
// take it only to locate a start position, then read segments without it.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/append_waiters.h"
#include "store/env.h"
#include "store/log_position.h"
#include "store/read_claims.h"
#include "store/remote_segment.h"
#include "store/segment_file.h"
#include "store/status.h"
#include "store/topic_config.h"
#include "store/traffic.h"

namespace topicfs::store {

class Metadata;
class Segment;
class TierCache;

struct PartitionState {
  int64_t log_start_offset = 0;
  int64_t recovery_point = 0;  // every record below it is synced
  std::string Encode() const;
  static Result<PartitionState> Decode(std::string_view bytes);
};

// Where a reader starts: the segment holding the first record it wants.
struct ReadStart {
  std::shared_ptr<Segment> segment;
  int64_t offset = 0;      // the first record's offset
  int64_t position = 0;    // its byte position in `segment`
  int64_t stream_pos = 0;  // segment->stream_base + position
};

class Partition {
 public:
  // Takes ownership of `segments` (sorted, non-empty, the last active; the
  // first may be remote-only) and `remote`, the partition's records in the
  // remote tier's catalog.
  Partition(std::string topic, int32_t id, std::string dir, Metadata* meta /* borrowed */,
            Env& env /* borrowed */, const TopicConfig& config, PartitionState state,
            std::vector<std::shared_ptr<Segment>> segments, std::vector<RemoteSegment> remote = {});
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  // Appends `first` then `rest`, each a run of whole records (every record
  // ends with the delimiter), as one unit: no other append lands between
  // them. Rolls as needed. Returns the bytes appended; on error fewer than
  // given (whole records only) and the status says why. A piece that does
  // not end with the topic's delimiter is InvalidArgument, nothing appended.
  struct AppendResult {
    size_t bytes = 0;
    Status status;
  };
  AppendResult Append(std::string_view first, std::string_view rest, int64_t now_ms);

  // Appends `records` as one batch, all or nothing (a Kafka Produce): they
  // land together in one segment, no other append between them, after a
  // roll when they do not fit in the active one. Nothing is appended on any
  // error: InvalidArgument when the batch is empty or does not end with the
  // delimiter; MessageTooLarge when a record is longer than
  // max.message.bytes or the batch than segment.bytes (Kafka refuses a
  // batch over segment.bytes too); NotFound once the topic is deleted.
  struct BatchAppended {
    Offset base_offset;  // the offset of the batch's first record
    int64_t records = 0;
    int64_t append_time_ms = 0;  // the time stored for every record of it
  };
  Result<BatchAppended> AppendBatch(std::string_view records, int64_t now_ms);

  // The start of `from/<offset>`: OutOfRange outside [log start, log end].
  // Readers use PartitionReader, which also keeps what it reads readable.
  Result<ReadStart> LocateOffset(int64_t offset) {
    return Locate(StartAt::kOffset, offset, nullptr);
  }
  // The start of `since/<ts>`: at or before the first record appended at or
  // after `ts_ms`, at most one index interval before it; the log end if none.
  Result<ReadStart> LocateTime(int64_t ts_ms) { return Locate(StartAt::kTime, ts_ms, nullptr); }
  // The segment after the one based at `base_offset`, or nullptr.
  std::shared_ptr<Segment> SegmentAfter(int64_t base_offset) const;
  // A reader of the remote-only `seg` got to `pos` in it: within the last
  // read-ahead chunk, the next segment's first bytes are fetched ahead when
  // it is remote-only too, so reading on across the boundary never waits
  // for a cold fetch.
  void PrefetchAcross(const SegmentFile& seg, int64_t pos) const;
  // The segment based at `base_offset`, or nullptr.
  std::shared_ptr<const SegmentFile> FindSegment(int64_t base_offset) const;
  std::shared_ptr<const SegmentFile> ActiveSegment() const;
  // The active segment's base offset without the lock: a writer compares it
  // after each write to notice a roll.
  int64_t active_base_offset() const { return active_base_.load(std::memory_order_acquire); }
  // Every segment, oldest first, the last active.
  std::vector<std::shared_ptr<const SegmentFile>> Segments() const;
  // The same as store/'s own segments, for store/ and its white-box tests.
  std::vector<std::shared_ptr<Segment>> SegmentChain() const;
  // Partition-wide byte position just past the last record.
  int64_t stream_end() const;

  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  // Bytes of the whole log, remote-only segments included.
  int64_t size_bytes() const;

  // ---- The remote tier (DESIGN §9; partition_tier.cc).
  // The first offset whose segment is on the local disk.
  int64_t local_log_start_offset() const;
  int64_t local_size_bytes() const;
  // The oldest sealed segments not yet copied (or whose copy was cut
  // short), at most `max`, oldest first.
  std::vector<std::shared_ptr<Segment>> NextToCopy(size_t max) const;
  // Records `record` as COPY_SEGMENT_STARTED (synced) before any object is
  // written. NotFound when `segment` is no longer in the partition.
  Status BeginCopy(const std::shared_ptr<Segment>& segment, const RemoteSegment& record);
  // COPY_SEGMENT_FINISHED (synced). NotFound when retention or a deletion
  // took the segment meanwhile (its record is then DELETE_SEGMENT_STARTED).
  Status FinishCopy(const std::shared_ptr<Segment>& segment);
  // The records whose objects are to be deleted (DELETE_SEGMENT_STARTED).
  std::vector<RemoteSegment> PendingRemoteDeletes() const;
  // The objects of the record based at `base` are gone: the record goes.
  Status FinishRemoteDelete(int64_t base);
  // The record of the segment based at `base`, if it has one.
  std::optional<RemoteSegment> RemoteRecord(int64_t base) const;
  // Every record of the partition's remote catalog, oldest first.
  std::vector<RemoteSegment> RemoteRecords() const;
  // Drops the local copy of the oldest local segments that are copied and
  // for which `should_drop` holds (local.retention.*): their reads move to
  // the tier through `cache`. Returns how many went.
  Result<int> DropLocalCopies(const std::function<bool(const Segment&)>& should_drop,
                              const std::shared_ptr<TierCache>& cache);
  // Fetches the indexes of a remote-only segment a lookup needs, without
  // the lock, and installs them under it.
  Status LoadRemoteIndexes(const std::shared_ptr<Segment>& segment);
  // Checks a sealed segment's index files if no lookup has yet (a store
  // opened from its catalog reads none), rebuilding unsound ones from the
  // .log: the files read without the lock, the result installed under it.
  // Before anything reads the files themselves (a copy to the tier, a read
  // of an .index through the mount).
  Status CheckIndexes(const std::shared_ptr<Segment>& segment);
  // The same for the segment based at `base_offset` (a front-end about to
  // show its index files); OK when there is none.
  Status CheckIndexes(int64_t base_offset);
  // What a lookup needs first (Segment::NeedsIndexes): one of the two above.
  Status LoadIndexes(const std::shared_ptr<Segment>& segment);
  int64_t segment_count() const;
  // Appends (counted here) and reads (counted by the front-end that
  // served them) since the store opened.
  PartitionTraffic& traffic() { return traffic_; }
  const PartitionTraffic& traffic() const { return traffic_; }
  int64_t recovery_point() const;
  int32_t id() const { return id_; }
  const std::string& topic() const { return topic_; }
  const std::string& dir() const { return dir_; }
  // The topic's delimiter and max.message.bytes, read without the lock (a
  // writer's handle checks them on every write).
  char delimiter() const { return delimiter_.load(std::memory_order_relaxed); }
  int64_t max_message_bytes() const { return max_message_bytes_.load(std::memory_order_relaxed); }
  TopicConfig config() const;
  void set_config(const TopicConfig& config);

  // Calls `wake` once (append_waiters.h) when a record starts at
  // partition-wide byte position `stream_pos`, or the topic is deleted, or
  // WakeAllWaiters() is called. 0, and no call, when one is already there;
  // NotFound, and no call, when the topic is deleted.
  Result<WaitId> WhenStreamPast(int64_t stream_pos, WakeFn wake);
  // True when the wait was still pending; it will not be woken. False: its
  // wake-up has run or is running.
  bool CancelWait(WaitId id);
  // Wakes every waiter with `why` (the store closing).
  void WakeAllWaiters(const Status& why);

  // Makes every record appended so far durable: segments, indexes, catalog.
  Status Flush();
  // The fsync failure that stopped this partition, OK when none. A failed
  // fsync cannot be retried into success (the kernel may have dropped the
  // dirty pages and cleared the error), so from then on appends and flushes
  // fail with it (EIO) until the store is opened again; reads go on.
  Status failure() const;
  // The failure, once: true the first time it is asked for after it happened.
  bool TakeFailureToReport();
  // Runs the flush.ms policy.
  Status MaybeFlushOnTime(int64_t now_ms);
  // Deletes the oldest sealed segments while `should_delete(segment)` holds,
  // never the active one; returns how many went.
  Result<int> DeleteOldest(const std::function<bool(const Segment&)>& should_delete);
  // Manual trim (`rm`): only the oldest sealed segment may go.
  Status TrimSegment(int64_t base_offset);
  // Writes the catalog for a clean close (active hash state included).
  Status CloseClean();
  // Marks every partition of a topic deleted, so appends and flushes fail
  // with NotFound and retention leaves it alone, atomically with respect to
  // appends: every flush_mu_, then every mu_, is held together (in the given
  // order; only a deletion, under Store::mu_, takes two partitions'), so with
  // `require_empty` either an append got in first and nothing is marked
  // (false), or every partition is marked and no append can follow.
  static bool MarkDeleted(const std::vector<std::shared_ptr<Partition>>& partitions,
                          bool require_empty);
  // Undoes MarkDeleted when the deletion could not be committed.
  static void UnmarkDeleted(const std::vector<std::shared_ptr<Partition>>& partitions);
  bool deleted() const;

 private:
  friend class PartitionReader;
  enum class StartAt { kOffset, kTime, kLogStart };
  // Finds where a reader starts (partition_read.cc). With `claim`, claims
  // the segments from the start's on for it, atomically with the lookup, so
  // no deletion can come between; ReleaseClaim() gives the claim back.
  Result<ReadStart> Locate(StartAt how, int64_t value, ReadClaim* claim);
  void ReleaseClaim(ReadClaim* claim);
  // For a claim's reader: the segment after the one based at `base_offset`,
  // retired or live (nullptr when none yet); the claim moves on to it. With
  // `live_only`, retired segments are passed over while the topic lives:
  // the next segment is then the first one still in the log.
  std::shared_ptr<Segment> ClaimNext(ReadClaim* claim, int64_t base_offset, bool live_only);
  // For a claim's reader going back: the segment holding stream position
  // `pos`, retired or live, or nullptr when it was deleted and nobody kept
  // it; the claim moves back to it.
  std::shared_ptr<Segment> ClaimHolding(ReadClaim* claim, int64_t pos);

  Status RollLocked();
  int64_t StreamEndLocked() const;
  // Wakes the waiters the last append reached; unlocks `lock` to do it.
  void WakeReached(std::unique_lock<std::mutex>& lock);
  // Records `sync_error` as the partition's failure (the first one stays).
  Status Fail(const Status& sync_error);
  Status MaybeFlushOnCountLocked(std::unique_lock<std::mutex>& lock);
  // What a lookup learns under mu_ (partition_read.cc).
  struct PendingLocate;
  Result<PendingLocate> LocateOffsetLocked(int64_t offset);
  Result<PendingLocate> LocateTimeLocked(int64_t ts_ms);
  Result<ReadStart> FinishLocate(const PendingLocate& pending) const;
  Status DeleteFrontLocked(int count);

  const std::string topic_;
  const int32_t id_;
  const std::string dir_;
  Metadata* const meta_;
  Env& env_;

  mutable std::mutex mu_;
  TopicConfig config_;                             // guarded by mu_
  PartitionState state_;                           // guarded by mu_
  std::deque<std::shared_ptr<Segment>> segments_;  // guarded by mu_; never empty
  int64_t last_flush_ms_ = 0;                      // guarded by mu_
  bool deleted_ = false;                           // guarded by mu_
  Status failure_;                                 // guarded by mu_
  bool failure_reported_ = false;                  // guarded by mu_
  ReadClaims claims_;                              // guarded by mu_
  std::map<int64_t, RemoteSegment> remote_;        // guarded by mu_; by base offset
  AppendWaiters waiters_;                          // guarded by mu_
  std::atomic<char> delimiter_;                    // mirrors config_
  std::atomic<int64_t> max_message_bytes_;         // mirrors config_
  std::atomic<int64_t> active_base_;               // mirrors segments_.back()
  PartitionTraffic traffic_;

  std::mutex flush_mu_;  // serializes Flush()
};

}  // namespace topicfs::store
