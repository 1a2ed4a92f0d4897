// One segment of a partition: its .log and the two sparse indexes.
//
// Durability points, in order, for the bytes of an append:
//   appended  written to the .log with one pwrite; size() then covers them,
//             so readers see whole records only, never part of one;
//   synced    WritePendingIndexEntries() then Sync() returned: on stable
//             storage with their index entries.
// Appending, sealing and lookups run under the owning partition's lock;
// base_offset(), next_offset(), size(), max_timestamp_ms() and Read() are
// safe from any thread without it, and so is reading the index files from
// disk (each append writes its index entries after its data). A sealed
// segment never changes again.
//
// Descriptors come from the store's DescriptorCache: none is held for the
// segment's lifetime, and a segment costs none until it is read or written.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/descriptor_cache.h"
#include "store/names.h"
#include "store/offset_index.h"
#include "store/private_header.h"
#include "store/remote_segment.h"
#include "store/segment_file.h"
#include "store/segment_meta.h"
#include "store/status.h"
#include "store/time_index.h"

struct XXH3_state_s;

namespace topicfs::store {

class TierCache;

// A copy of a segment in the remote tier, as a reader of the segment sees
// it: where its objects are and the cache its reads go through.
struct RemoteCopy {
  std::shared_ptr<TierCache> cache;
  RemoteSegment record;
};

// How a segment's indexes are built from its .log (the topic's settings).
struct IndexRules {
  char delimiter = '\n';
  int64_t index_interval_bytes = 4096;
};

// What CheckIndexes found for InstallCheckedIndexes: sound files, or both
// indexes rebuilt from the .log.
struct CheckedIndexes {
  bool sound = true;
  std::string index;  // rebuilt bytes when !sound
  std::string time_index;
};

// What an append needs from the topic's configuration.
struct AppendLimits {
  int64_t segment_bytes;
  int64_t index_interval_bytes;
  char delimiter;
  bool whole = false;  // all of the records or none (a batch)
};

class Segment final : public SegmentFile {
  struct Key {
    explicit Key() = default;
  };

 public:
  // Only Segment makes one (through New(): Key is private).
  explicit Segment(Key) {}
  // Creates an empty active segment with base `base_offset` in `dir`.
  static Result<std::shared_ptr<Segment>> Create(const std::string& dir, int64_t base_offset,
                                                 int64_t segment_index_bytes,
                                                 DescriptorCache& files);
  // Opens a segment described by its catalog entry (sizes already checked);
  // opens no file (an active one reads its index files).
  static Result<std::shared_ptr<Segment>> Open(const std::string& dir, const SegmentMeta& meta,
                                               int64_t segment_index_bytes, DescriptorCache& files);
  // A sealed segment held only in the remote tier (DESIGN §9): it opens no
  // file; reads go through the copy's cache and its indexes are fetched on
  // the first lookup that needs them.
  static std::shared_ptr<Segment> OpenRemote(const std::string& dir, RemoteCopy copy);
  ~Segment() override;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Appends the longest prefix of whole records in `first` then `rest` that
  // fits under segment.bytes and the index capacity (at least one record
  // when empty), with one write; with `limits.whole`, all of them or none.
  // Returns the bytes taken; 0 means "roll first". On error nothing was taken.
  Result<size_t> Append(std::string_view first, std::string_view rest, int64_t now_ms,
                        const AppendLimits& limits);
  Result<size_t> Append(std::string_view records, int64_t now_ms, const AppendLimits& limits) {
    return Append(records, {}, now_ms, limits);
  }
  // True when an append at `now_ms` must first roll (age or full index).
  bool ShouldRoll(int64_t now_ms, int64_t segment_ms);
  // Makes the segment immutable: trims the indexes, fixes the XXH3-64.
  Status Seal();
  // Writes buffered index entries to their files (under the partition lock).
  Status WritePendingIndexEntries();
  // fsync of the .log and both index files; needs no lock, so appends go on
  // while a flush waits for the disk.
  Status Sync() const;

  // Byte position of record `offset` (base <= offset <= next_offset) found
  // through the offset index and a forward scan.
  Result<int64_t> PositionOf(int64_t offset, char delimiter);
  // The two halves of PositionOf, so the scan can run without the partition
  // lock: the floor index entry (under the lock), then the forward scan
  // (bytes below a size once read never change).
  struct ScanStart {
    int64_t offset;
    int64_t position;
  };
  ScanStart FloorEntry(int64_t offset);
  Result<int64_t> ScanTo(ScanStart from, int64_t offset, char delimiter, int64_t end) const;
  // An offset at or before the first record appended at or after `ts_ms`, at
  // most one index interval before it (the segment must hold such a record;
  // the caller holds the partition lock).
  int64_t OffsetNotAfterTime(int64_t ts_ms);

  // Reads up to `len` bytes at `pos`; fewer at the end of the data. A
  // remote-only segment's reads are taken as a sequential reader's (the
  // chunks after are fetched ahead).
  Result<size_t> Read(char* buf, size_t len, int64_t pos) const override;
  // The .log's descriptor, pinned for as long as the FileRef lives (for a
  // splice, a passthrough registration, a reader that must outlast a
  // deletion). Read bytes below size() only. NotSupported for a segment
  // held only remotely: Read() instead.
  Result<FileRef> OpenLog() const override;

  // ---- Index files trusted from the catalog (DESIGN §4, docs/DECISIONS.md).
  // A sealed segment opened from the catalog has not read its index files;
  // the first lookup through them checks them (CheckIndexes, without the
  // partition lock: it reads files only) and installs the result
  // (InstallCheckedIndexes, under it): unsound files are rebuilt from the
  // .log, replaced on disk and served from memory.
  bool NeedsIndexCheck() const { return !indexes_checked_ && !remote_only(); }
  Result<CheckedIndexes> CheckIndexes(const IndexRules& rules) const;
  // Under the partition lock; a no-op once checked. A rebuilt index that
  // cannot be written is still served from memory; the error is returned.
  Status InstallCheckedIndexes(CheckedIndexes checked);
  // What a lookup in this segment must first bring: a remote-only segment's
  // indexes, or a check of its local ones. Under the partition lock.
  bool NeedsIndexes() const { return NeedsRemoteIndexes() || NeedsIndexCheck(); }

  // ---- The remote tier (DESIGN §9).
  // True when the .log is no longer on the local disk.
  bool remote_only() const override { return remote_.load(std::memory_order_acquire) != nullptr; }
  // A remote-only segment's first bytes fetched ahead (TierCache::Prefetch);
  // nothing for a local one.
  void PrefetchRemote() const;
  // The local copy goes: reads move to `copy`, the three local files are
  // unlinked (whoever reads them now goes on) and their space comes back.
  // Under the partition lock.
  void DropLocalCopy(RemoteCopy copy);
  // Whether a lookup in this segment must first fetch its indexes
  // (FetchRemoteIndexes without the partition lock, then
  // InstallRemoteIndexes under it). Under the partition lock.
  bool NeedsRemoteIndexes() const { return remote_only() && !indexes_loaded_; }
  Result<RemoteIndexes> FetchRemoteIndexes() const override;
  void InstallRemoteIndexes(RemoteIndexes indexes);
  // How far the copy to the remote tier went, mirroring the catalog.
  TierCopy tier_copy() const override { return tier_copy_.load(std::memory_order_acquire); }
  void set_tier_copy(TierCopy c) { tier_copy_.store(c, std::memory_order_release); }
  // Unlinks the three files. With `held` (someone besides the caller holds
  // this segment: an open handle, a reader), the .log stays readable through
  // this object until it is destroyed.
  void RemoveFiles(bool held);
  // Keeps the .log readable through this object even once its name is gone
  // (a topic being deleted); best effort, under the partition lock.
  void KeepReadable();
  DescriptorCache& descriptor_cache() const { return log_->cache(); }

  int64_t base_offset() const override { return base_offset_; }
  int64_t next_offset() const override { return next_offset_.load(std::memory_order_acquire); }
  int64_t size() const override { return size_.load(std::memory_order_acquire); }
  int64_t max_timestamp_ms() const override {
    return max_timestamp_ms_.load(std::memory_order_acquire);
  }
  int64_t first_timestamp_ms() const { return first_timestamp_ms_; }
  bool sealed() const override { return sealed_.load(std::memory_order_acquire); }
  // When this process sealed it (SteadyNowMs); 0 if it was sealed when opened.
  int64_t sealed_at_ms() const override { return sealed_at_ms_.load(std::memory_order_acquire); }
  uint64_t xxh3() const override { return xxh3_; }
  // The name is kept once, by the descriptor cache's entry (a segment held
  // only remotely from the start has none, and keeps its own).
  const std::string& log_path() const override {
    return log_ != nullptr ? log_->path() : remote_log_path_;
  }
  std::string index_path() const override { return PathWith(kIndexSuffix); }
  std::string time_index_path() const override { return PathWith(kTimeIndexSuffix); }
  // Sizes of the index files; safe from any thread.
  int64_t index_bytes() const;
  int64_t time_index_bytes() const;
  int64_t IndexFileBytes(IndexKind kind) const override;
  // Under the partition lock; a sealed segment's are built here if no
  // lookup has built them yet.
  OffsetIndex& offset_index() {
    BuildSealedIndexObjects();
    return *index_;
  }
  TimeIndex& time_index() {
    BuildSealedIndexObjects();
    return *time_index_;
  }
  // The catalog entry; with `with_hash_state` the active hash state too.
  SegmentMeta Meta(bool with_hash_state) const;
  // Partition-wide byte position of this segment's first byte, set by the
  // partition (under its lock, before anyone reads it) so that a reader's
  // size is one subtraction.
  int64_t stream_base() const { return stream_base_; }
  void set_stream_base(int64_t base) { stream_base_ = base; }

 private:
  // Builds the Segment and its shared_ptr's control block in one allocation.
  static std::shared_ptr<Segment> New();
  Status OpenFiles(const std::string& dir, bool create, int64_t segment_index_bytes,
                   DescriptorCache& files);
  // Plans the longest fitting prefix of whole records in `records`, placed
  // at byte `start`: buffers its index entries and advances the counters.
  Result<size_t> PlanPiece(std::string_view records, int64_t start, int64_t now_ms,
                           const AppendLimits& limits, int64_t* offset, int64_t* last_indexed);
  // DIR/<20-digit base> followed by `suffix`.
  std::string PathWith(std::string_view suffix) const;
  // A sealed segment opened from the catalog has no index objects until its
  // first lookup (a mount of 100,000 segments builds none of them: about
  // eight allocations per segment); under the partition lock.
  void BuildSealedIndexObjects();
  // Reads an opened active segment's index files, before its first append.
  Status LoadIndexes();
  // Resumes hashing from a state saved at a clean close; false (hash from
  // the file at seal) unless it is this library's and covers size() bytes.
  bool RestoreHashState(std::string_view saved);
  // The hash state after a crash cannot be trusted: recompute from the file.
  Status RehashFromFile();

  int64_t base_offset_ = 0;
  int64_t stream_base_ = 0;
  std::string remote_log_path_;      // only without log_ (OpenRemote)
  std::shared_ptr<CachedFile> log_;  // holds the .log's path
  FileRef kept_;                     // set once the files are removed while the segment is held
  // Null for a sealed segment opened from the catalog until its first use
  // (BuildSealedIndexObjects, InstallCheckedIndexes); index_objects_ says,
  // to a reader without the partition lock, that they are there.
  std::unique_ptr<OffsetIndex> index_;
  std::unique_ptr<TimeIndex> time_index_;
  std::atomic<bool> index_objects_{false};
  std::atomic<int64_t> next_offset_{0};
  std::atomic<int64_t> size_{0};
  std::atomic<int64_t> max_timestamp_ms_{-1};
  int64_t first_timestamp_ms_ = -1;
  int64_t last_index_position_ = 0;  // position of the last indexed record
  bool indexes_loaded_ = false;      // an active segment's indexes are read
  bool indexes_checked_ = true;      // false: sealed, opened without reading its indexes
  std::atomic<bool> sealed_{false};
  std::atomic<int64_t> sealed_at_ms_{0};
  uint64_t xxh3_ = 0;
  XXH3_state_s* hash_ = nullptr;  // owned; active segments only
  bool hash_valid_ = false;
  // Set once, when the segment is or becomes remote-only; remote_ points
  // into remote_holder_ and is what readers test without a lock.
  std::shared_ptr<const RemoteCopy> remote_holder_;
  std::atomic<const RemoteCopy*> remote_{nullptr};
  std::atomic<TierCopy> tier_copy_{TierCopy::kNone};
  // Unavailable: a remote-only segment of a store opened without its tier.
  Status NoTier() const;
  // Reads of the remote copy (`sequential`: fetch the chunks after too).
  Result<size_t> ReadRemote(const RemoteCopy& copy, char* buf, size_t len, int64_t pos,
                            bool sequential) const;
};

}  // namespace topicfs::store
