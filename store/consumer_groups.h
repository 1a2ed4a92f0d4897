// Consumer groups (DESIGN §7): the offset each group committed on each
// partition, kept in RocksDB, and who holds a group on a partition now. The
// mount's groups/<g>, `topicfs group` and `consume --group`, and later the
// Kafka protocol's OffsetCommit/OffsetFetch all go through here, so they
// are the same groups.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/log_position.h"
#include "store/status.h"

namespace topicfs::store {

class Metadata;
class Partition;
class PartitionReader;

struct CommittedOffset {
  std::string group;
  int32_t partition = 0;
  int64_t offset = 0;     // the next record the group will read
  int64_t commit_ms = 0;  // when it was committed
};

// Kafka's lag (DESIGN §7): the log end minus the committed offset; a group
// with no offset on the partition has everything from the log start ahead
// of it. One definition for the `lag` attribute, metrics and `topicfs status`.
inline int64_t GroupLag(int64_t log_start, int64_t log_end, std::optional<int64_t> committed) {
  const int64_t from = committed.value_or(log_start);
  return log_end > from ? log_end - from : 0;
}

class ConsumerGroups {
 public:
  // `meta` is borrowed.
  explicit ConsumerGroups(Metadata* meta) : meta_(meta) {}
  ConsumerGroups(const ConsumerGroups&) = delete;
  ConsumerGroups& operator=(const ConsumerGroups&) = delete;

  // One holder of a group on a partition at a time (an open groups/<g>, a
  // reset, a delete): two runs of a cron job never get the same records.
  class Claim {
   public:
    ~Claim();
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;

   private:
    friend class ConsumerGroups;
    using Key = std::tuple<std::string, int32_t, std::string>;
    Claim(ConsumerGroups* groups, Key key) : groups_(groups), key_(std::move(key)) {}
    ConsumerGroups* groups_;
    Key key_;
  };
  // InvalidArgument for a group name outside the topic-name rules; Busy
  // while another claim holds it.
  Result<std::unique_ptr<Claim>> Acquire(std::string_view topic, int32_t partition,
                                         std::string_view group);

  // Durable when it returns: one synced RocksDB write.
  Status Commit(std::string_view topic, int32_t partition, std::string_view group, Offset next,
                int64_t now_ms);
  // The same for a live partition: NotFound once its topic is deleted, so
  // a commit that comes after a deletion does not hand its offset to a new
  // topic of the same name (a commit racing the deletion's own metadata
  // write can still slip in: DECISIONS.md).
  Status Commit(const Partition& partition, std::string_view group, Offset next, int64_t now_ms);
  Result<std::optional<CommittedOffset>> Get(std::string_view topic, int32_t partition,
                                             std::string_view group);
  // Every committed offset of `topic`, by partition, then group.
  Result<std::vector<CommittedOffset>> List(std::string_view topic);
  // NotFound when the group has no offset on the partition.
  Status Forget(std::string_view topic, int32_t partition, std::string_view group);

  // Where `group` reads `partition` from: its committed offset, or the log
  // start when it has none or retention overtook it.
  Result<Offset> StartOf(const Partition& partition, std::string_view group);
  // A reader from there (from the log start should retention move it
  // meanwhile).
  Result<std::unique_ptr<PartitionReader>> ReaderFor(std::shared_ptr<Partition> partition,
                                                     std::string_view group);

 private:
  Metadata* const meta_;
  std::mutex mu_;
  std::set<Claim::Key> held_;  // guarded by mu_
};

}  // namespace topicfs::store
