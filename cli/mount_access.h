// StoreAccess over a live topicfs mount, through the filesystem itself:
// mkdir for topics and partitions, user.topicfs.* xattrs for configs and
// facts, O_APPEND writes to <p>/current, reads of <p>/from/<N> and
// <p>/since/<T>, rm of the oldest sealed .log for retention (DESIGN §1).
#pragma once

#include <string>
#include <vector>

#include "cli/store_access.h"

namespace topicfs::cli {

class MountAccess : public StoreAccess {
 public:
  // `mount_point` as the user named it; `data_dir` the daemon's (for hints).
  MountAccess(std::string mount_point, std::string data_dir)
      : mount_point_(std::move(mount_point)), data_dir_(std::move(data_dir)) {}

  std::string Name() const override { return "mount " + mount_point_; }
  std::string TopicPath(std::string_view topic) const override { return TopicDir(topic); }

  store::Status CreateTopic(std::string_view topic, int32_t partitions,
                            const std::vector<ConfigChange>& configs) override;
  store::Result<std::vector<std::string>> ListTopics() override;
  store::Result<TopicInfo> DescribeTopic(std::string_view topic) override;
  store::Status SetPartitionCount(std::string_view topic, int32_t count) override;
  store::Status SetConfig(std::string_view topic, const ConfigChange& change) override;
  store::Status UnsetConfig(std::string_view topic, std::string_view config) override;
  store::Status DeleteTopic(std::string_view topic) override;
  // Defined in mount_maintenance.cc.
  store::Result<std::vector<store::RetentionAction>> ApplyRetention(
      const std::optional<std::string>& topic, bool dry_run, int64_t now_ms) override;
  store::Result<std::unique_ptr<RecordWriter>> OpenWriter(std::string_view topic,
                                                          int32_t partition) override;
  store::Result<std::unique_ptr<RecordReader>> OpenReader(std::string_view topic, int32_t partition,
                                                          const ReadFrom& from) override;
  // Defined in mount_maintenance.cc.
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
  store::Status Close() override { return store::Status::OK(); }

 private:
  // One segment of a partition as the mount lists it.
  struct SegmentFile {
    int64_t base_offset;
    std::string log_path;  // the index paths share its prefix
    bool sealed;
  };

  std::string TopicDir(std::string_view topic) const;
  std::string PartitionDir(std::string_view topic, int32_t partition) const;
  // NotFound naming the topic (or partition) when it does not exist.
  store::Status CheckTopic(std::string_view topic) const;
  // `topic` (checked), or every topic when none is named.
  store::Result<std::vector<std::string>> TopicOrAll(const std::optional<std::string>& topic);
  store::Status CheckPartition(std::string_view topic, int32_t partition) const;
  store::Result<PartitionInfo> ReadPartition(std::string_view topic, int32_t partition) const;
  // Sorted by base offset; the one `current` points at is not sealed.
  store::Result<std::vector<SegmentFile>> ListSegments(const std::string& partition_dir) const;
  store::Result<std::vector<store::RetentionAction>> ApplyRetentionToTopic(const std::string& topic,
                                                                           bool dry_run,
                                                                           int64_t now_ms);
  void VerifySegment(const SegmentFile& seg, std::vector<store::VerifyProblem>* problems);

  std::string mount_point_;
  std::string data_dir_;
};

}  // namespace topicfs::cli
