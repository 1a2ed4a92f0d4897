// The store's metadata in RocksDB (DATA/meta), one column family per kind:
//   topics      <topic>                          -> TopicRecord
//   partitions  <topic> 0x00 <p as BE32>         -> PartitionState
//   segments    <topic> 0x00 <p BE32> <base BE64> -> SegmentMeta
//   xattrs      <object key> 0x00 <name>         -> value
//   owners      <object key>                     -> mode, uid, gid
//   groups      <topic> 0x00 <p BE32> <group>     -> committed offset BE64,
//                                                    commit time ms BE64
//   remote      <topic>                          -> the topic's tier id
//               <topic> 0x00 <p BE32> <base BE64> -> RemoteSegment record
//               0x01 <object name>                -> RemoteSegment of a deleted
//                                                    topic, awaiting deletion
// Object keys name topics ("t/<topic>"), partitions ("p/<topic>/<p>") and
// segments ("s/<topic>/<p>/<base>"). Appends never write here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/consumer_groups.h"
#include "store/ownership.h"
#include "store/partition.h"
#include "store/private_header.h"
#include "store/remote_segment.h"
#include "store/segment_meta.h"
#include "store/status.h"
#include "store/topic_config.h"

namespace rocksdb {
class DB;
struct WriteOptions;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace topicfs::store {

struct TopicRecord {
  TopicConfig config;
  int32_t partitions = 1;
  std::string Encode() const;
  static Result<TopicRecord> Decode(std::string_view bytes);
};

std::string TopicObjectKey(std::string_view topic);
std::string PartitionObjectKey(std::string_view topic, int32_t partition);
std::string SegmentObjectKey(std::string_view topic, int32_t partition, int64_t base);

class Metadata;

// A group of changes applied atomically by Commit().
class MetadataBatch {
 public:
  explicit MetadataBatch(Metadata* meta);
  ~MetadataBatch();
  void PutTopic(std::string_view topic, const TopicRecord& record);
  void PutPartition(std::string_view topic, int32_t p, const PartitionState& state);
  void PutSegment(std::string_view topic, int32_t p, const SegmentMeta& seg);
  // The segment's entry and what hangs on it (its xattrs, its owner).
  void DeleteSegment(std::string_view topic, int32_t p, int64_t base);
  // The entry alone: the segment lives on in the remote tier.
  void DeleteSegmentEntry(std::string_view topic, int32_t p, int64_t base);
  // Everything under the topic: record, partitions, segments, xattrs, owners.
  void DeleteTopic(std::string_view topic);
  void DeletePartitionSegments(std::string_view topic, int32_t p);
  // The partition's state and segments (a partition whose creation failed).
  void DeletePartition(std::string_view topic, int32_t p);
  void PutOwner(std::string_view object, const Ownership& owner);
  // The remote tier's catalog (DESIGN §9).
  void PutRemote(std::string_view topic, int32_t p, const RemoteSegment& seg);
  void DeleteRemote(std::string_view topic, int32_t p, int64_t base);
  // A deleted topic's segment, kept until its objects are gone.
  void PutOrphanRemote(const RemoteSegment& seg);
  void DeleteOrphanRemote(std::string_view object);
  void PutTopicTierId(std::string_view topic, std::string_view id);
  bool empty() const;
  rocksdb::WriteBatch& raw() { return *batch_; }

 private:
  Metadata* meta_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
};

class Metadata {
 public:
  // OK when `dir` holds topicfs's RocksDB, or nothing yet (missing or
  // empty: a new store, or meta/ lost). Corruption when RocksDB cannot read
  // it (a missing CURRENT, a bad MANIFEST); NotSupported when it is a
  // RocksDB without topicfs's column families (another program's). Reads
  // only: no LOG, no LOCK.
  static Status CheckDir(const std::string& dir);
  // With `read_only`, RocksDB is opened read-only (no lock, no LOG, nothing
  // created or rotated, works on a read-only filesystem) and every write
  // fails. A damaged database is Corruption.
  static Result<std::unique_ptr<Metadata>> Open(const std::string& dir, bool read_only = false);
  ~Metadata();
  Metadata(const Metadata&) = delete;
  Metadata& operator=(const Metadata&) = delete;

  using Batch = MetadataBatch;
  // `sync` makes it durable before returning (flush points).
  Status Commit(Batch& batch, bool sync = false);

  Result<std::vector<std::pair<std::string, TopicRecord>>> ListTopics();
  Result<std::optional<PartitionState>> GetPartition(std::string_view topic, int32_t p);
  Result<std::vector<SegmentMeta>> ListSegments(std::string_view topic, int32_t p);

  Result<std::optional<std::string>> GetXattr(std::string_view object, std::string_view name);
  Status PutXattr(std::string_view object, std::string_view name, std::string_view value);
  Status DeleteXattr(std::string_view object, std::string_view name);
  Result<std::vector<std::string>> ListXattrs(std::string_view object);
  Status DeleteObjectXattrs(std::string_view object);

  Result<std::optional<Ownership>> GetOwner(std::string_view object);
  Status PutOwner(std::string_view object, const Ownership& owner);

  // Consumer groups' committed offsets (DESIGN §7). A commit is one synced
  // write: durable when it returns.
  Status PutCommitted(std::string_view topic, int32_t p, std::string_view group, int64_t offset,
                      int64_t commit_ms);
  Result<std::optional<CommittedOffset>> GetCommitted(std::string_view topic, int32_t p,
                                                      std::string_view group);
  // Every committed offset of `topic`, by partition then group.
  Result<std::vector<CommittedOffset>> ListCommitted(std::string_view topic);
  Status DeleteCommitted(std::string_view topic, int32_t p, std::string_view group);

  Result<std::vector<RemoteSegment>> ListRemote(std::string_view topic, int32_t p);
  Result<std::vector<RemoteSegment>> ListOrphanRemote();
  Result<std::optional<std::string>> GetTopicTierId(std::string_view topic);

  // Facts about the store as a whole (e.g. a one-time migration done), in
  // the default column family; written synced.
  Result<std::optional<std::string>> GetStoreFlag(std::string_view name);
  Status PutStoreFlag(std::string_view name, std::string_view value);

  // fsync of RocksDB's WAL.
  Status Sync();
  // Writes every column family's memtable to a table file, so the WAL they
  // came from is dropped and the next open has nothing to replay (a clean
  // close: about 7% of a clean mount of 100,000 segments otherwise). Not a
  // durability point: Sync() is.
  Status FlushMemtables();

 private:
  friend class MetadataBatch;
  Metadata() = default;
  enum Family { kTopics, kPartitions, kSegments, kXattrs, kOwners, kGroups, kRemote, kFamilyCount };
  // The remote records under `prefix`; none when the family is absent (a
  // read-only open of a store from before it existed).
  Result<std::vector<RemoteSegment>> ListRemoteUnder(std::string_view prefix);
  // Every write goes through here: it resumes RocksDB after a failed write.
  Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch,
               std::string_view what);
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[f + 1]; }

  std::unique_ptr<rocksdb::DB> db_;
  // Owned; index 0 is "default". A family a read-only open did not find (a
  // store from before it existed) is null, and reads of it find nothing.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace topicfs::store
