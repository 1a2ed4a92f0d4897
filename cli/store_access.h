// One implementation of each command, two ways to reach a store: every
// command talks to a StoreAccess, implemented over store::Store for an
// unmounted data directory (DirectAccess) and over the live filesystem with
// ordinary syscalls for a mount (MountAccess). Both give the same result.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"
#include "store/store.h"

namespace topicfs::cli {

// A config under its Kafka name with a canonical value (decimal text, or
// newline|nul for record.delimiter): what setfattr takes.
struct ConfigChange {
  std::string name;
  std::string value;
};

struct ConfigValue {
  std::string name;
  std::string value;  // effective value, canonical text
  bool is_default = false;
};

struct PartitionInfo {
  int32_t id = 0;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t size_bytes = 0;
  int64_t segment_count = 0;
  // Why a failed fsync stopped its appends (EIO until remounted); empty
  // while it works.
  std::string error;
};

struct TopicInfo {
  std::string name;
  std::vector<ConfigValue> configs;  // every config, in AllConfigSpecs() order
  std::vector<PartitionInfo> partitions;
  // The effective value of `config`, "" when unknown.
  std::string Config(std::string_view config) const;
  char delimiter() const { return Config("record.delimiter") == "nul" ? '\0' : '\n'; }
};

// One partition as the remote tier sees it (`topicfs tier status`).
struct PartitionTier {
  std::string topic;
  int32_t partition = 0;
  store::Store::TierStatus status;
};

// Where a reader starts.
struct ReadFrom {
  enum class Kind { kOffset, kTime, kBeginning } kind = Kind::kBeginning;
  int64_t value = 0;  // offset, or epoch milliseconds
  // A read at the log end waits for the next record (a mount's follow/<N>)
  // instead of returning 0; not for kTime, which has no follow/ form.
  bool wait_at_end = false;
};

// Appends a stream of bytes as records; a record may span chunks.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  virtual store::Status Write(std::string_view chunk) = 0;
  // Appends a trailing partial record with its delimiter added, then ends.
  virtual store::Status Close() = 0;
};

// Reads the bytes of whole records from a start to the log end.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Up to `len` bytes; 0 at the current log end (call again to follow).
  virtual store::Result<size_t> Read(char* buf, size_t len) = 0;
};

// A RecordReader for a group: what it read is the group's only once
// committed.
class GroupReader : public RecordReader {
 public:
  // Commits the offset past the first `records` whole records read, which
  // are `bytes` long (durable when it returns; 0 commits nothing), and lets
  // the group go. Nothing may be read afterwards.
  virtual store::Status Commit(int64_t records, int64_t bytes) = 0;
};

class StoreAccess {
 public:
  virtual ~StoreAccess() = default;

  // "store ./data" or "mount ./mnt": for messages.
  virtual std::string Name() const = 0;
  // "t" or "./mnt/t": how to name a topic in messages.
  virtual std::string TopicPath(std::string_view topic) const = 0;

  virtual store::Status CreateTopic(std::string_view topic, int32_t partitions,
                                    const std::vector<ConfigChange>& configs) = 0;
  virtual store::Result<std::vector<std::string>> ListTopics() = 0;
  virtual store::Result<TopicInfo> DescribeTopic(std::string_view topic) = 0;
  // Adds partitions up to `count`.
  virtual store::Status SetPartitionCount(std::string_view topic, int32_t count) = 0;
  virtual store::Status SetConfig(std::string_view topic, const ConfigChange& change) = 0;
  virtual store::Status UnsetConfig(std::string_view topic, std::string_view config) = 0;
  // Deletes the topic with its data.
  virtual store::Status DeleteTopic(std::string_view topic) = 0;
  // Deletes (or with `dry_run` lists) what retention selects now, in one
  // topic or in all of them.
  virtual store::Result<std::vector<store::RetentionAction>> ApplyRetention(
      const std::optional<std::string>& topic, bool dry_run, int64_t now_ms) = 0;
  virtual store::Result<std::unique_ptr<RecordWriter>> OpenWriter(std::string_view topic,
                                                                  int32_t partition) = 0;
  // OutOfRange, naming the log's bounds, for an offset outside the log.
  virtual store::Result<std::unique_ptr<RecordReader>> OpenReader(std::string_view topic,
                                                                  int32_t partition,
                                                                  const ReadFrom& from) = 0;
  // Consumer groups (DESIGN §7). Every committed offset of `topic`, by
  // partition then group.
  virtual store::Result<std::vector<store::CommittedOffset>> ListGroupOffsets(
      std::string_view topic) = 0;
  // Sets `group`'s committed offset on a partition (a reset): InvalidArgument
  // outside [log start, log end], Busy while the group is in use there.
  virtual store::Status SetGroupOffset(std::string_view topic, int32_t partition,
                                       std::string_view group, int64_t offset) = 0;
  // Forgets `group` on a partition: NotFound when it has no offset there.
  virtual store::Status DeleteGroupOffset(std::string_view topic, int32_t partition,
                                          std::string_view group) = 0;
  // Reads `group`'s records on a partition from its committed offset to the
  // log end, holding the group (Busy when someone else does).
  virtual store::Result<std::unique_ptr<GroupReader>> OpenGroupReader(std::string_view topic,
                                                                      int32_t partition,
                                                                      std::string_view group) = 0;
  // Every problem with the path it concerns; `progress` (may be empty)
  // hears the bytes checked so far and in all.
  using VerifyProgress = std::function<void(int64_t done_bytes, int64_t total_bytes)>;
  virtual store::Result<std::vector<store::VerifyProblem>> Verify(
      const VerifyProgress& progress) = 0;
  // The remote tier (DESIGN §9): every partition of `topic` (of every
  // topic when none), and whether a topic's copies are paused.
  virtual store::Result<std::vector<PartitionTier>> TierStatus(
      const std::optional<std::string>& topic) = 0;
  virtual store::Result<bool> TierPaused(std::string_view topic) = 0;
  virtual store::Status SetTierPaused(std::string_view topic, bool paused) = 0;
  // Flushes and closes; the access is unusable afterwards.
  virtual store::Status Close() = 0;
};

// The message both implementations give for an offset outside the log.
store::Status OffsetOutOfRange(std::string_view topic_path, int32_t partition, int64_t offset,
                               int64_t log_start, int64_t log_end);

}  // namespace topicfs::cli
