// StoreAccess over store::Store, for an unmounted data directory
// (`--data DIR`). The store is opened exclusively: RocksDB locks meta/.
#pragma once

#include <memory>
#include <string>

#include "cli/store_access.h"
#include "store/store.h"

namespace topicfs::cli {

class DirectAccess : public StoreAccess {
 public:
  // With `create`, makes `data_dir` (and the store in it) when missing.
  // `reporter` (borrowed, may be null) hears what opening repaired. With
  // `read_only`, RocksDB is opened read-only under a shared lock on
  // meta/LOCK (held until Close), and nothing in `data_dir` changes.
  static store::Result<std::unique_ptr<DirectAccess>> Open(
      const std::string& data_dir, bool create, store::RecoveryReporter* reporter = nullptr,
      bool read_only = false);
  ~DirectAccess() override;

  std::string Name() const override { return "store " + data_dir_; }
  std::string TopicPath(std::string_view topic) const override { return std::string(topic); }

  store::Status CreateTopic(std::string_view topic, int32_t partitions,
                            const std::vector<ConfigChange>& configs) override;
  store::Result<std::vector<std::string>> ListTopics() override;
  store::Result<TopicInfo> DescribeTopic(std::string_view topic) override;
  store::Status SetPartitionCount(std::string_view topic, int32_t count) override;
  store::Status SetConfig(std::string_view topic, const ConfigChange& change) override;
  store::Status UnsetConfig(std::string_view topic, std::string_view config) override;
  store::Status DeleteTopic(std::string_view topic) override;
  store::Result<std::vector<store::RetentionAction>> ApplyRetention(
      const std::optional<std::string>& topic, bool dry_run, int64_t now_ms) override;
  store::Result<std::unique_ptr<RecordWriter>> OpenWriter(std::string_view topic,
                                                          int32_t partition) override;
  store::Result<std::unique_ptr<RecordReader>> OpenReader(std::string_view topic, int32_t partition,
                                                          const ReadFrom& from) override;
  // Consumer groups (DESIGN §7). Every committed offset of `topic`, by
  // partition then group.
  store::Result<std::vector<store::CommittedOffset>> ListGroupOffsets(
      std::string_view topic) override;
  // Sets `group`'s committed offset on a partition (a reset): InvalidArgument
  // outside [log start, log end], Busy while the group is in use there.
  store::Status SetGroupOffset(std::string_view topic, int32_t partition, std::string_view group,
                               int64_t offset) override;
  // Forgets `group` on a partition: NotFound when it has no offset there.
  store::Status DeleteGroupOffset(std::string_view topic, int32_t partition,
                                  std::string_view group) override;
  // Reads `group`'s records on a partition from its committed offset to the
  // log end, holding the group (Busy when someone else does).
  store::Result<std::unique_ptr<GroupReader>> OpenGroupReader(std::string_view topic,
                                                              int32_t partition,
                                                              std::string_view group) override;
  store::Result<std::vector<store::VerifyProblem>> Verify(const VerifyProgress& progress) override;
  store::Result<std::vector<PartitionTier>> TierStatus(
      const std::optional<std::string>& topic) override;
  store::Result<bool> TierPaused(std::string_view topic) override;
  store::Status SetTierPaused(std::string_view topic, bool paused) override;
  store::Status Close() override;

 private:
  DirectAccess(std::string data_dir, std::unique_ptr<store::Store> store)
      : data_dir_(std::move(data_dir)), store_(std::move(store)) {}
  store::Result<std::shared_ptr<store::Topic>> Topic(std::string_view topic) const;
  store::Result<std::shared_ptr<store::Partition>> Partition(std::string_view topic,
                                                             int32_t partition) const;
  // Holds `group` on an existing partition (NotFound without one; Busy).
  store::Result<std::unique_ptr<store::ConsumerGroups::Claim>> ClaimGroup(std::string_view topic,
                                                                          int32_t partition,
                                                                          std::string_view group);

  std::string data_dir_;
  std::unique_ptr<store::Store> store_;
  int lock_fd_ = -1;  // the shared lock of a read-only open
};

}  // namespace topicfs::cli
