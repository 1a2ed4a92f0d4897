#include "store/consumer_groups.h"

#include <algorithm>

#include "store/metadata.h"
#include "store/names.h"
#include "store/partition_reader.h"

namespace topicfs::store {

ConsumerGroups::Claim::~Claim() {
  std::lock_guard lock(groups_->mu_);
  groups_->held_.erase(key_);
}

Result<std::unique_ptr<ConsumerGroups::Claim>> ConsumerGroups::Acquire(std::string_view topic,
                                                                       int32_t partition,
                                                                       std::string_view group) {
  if (!IsValidTopicName(group)) {
    return Status::InvalidArgument("invalid group name '" + std::string(group) +
                                   "': use 1-249 characters of [A-Za-z0-9._-]");
  }
  Claim::Key key{std::string(topic), partition, std::string(group)};
  std::lock_guard lock(mu_);
  if (!held_.insert(key).second) {
    return Status::Busy("group " + std::string(group) + " is in use on " + std::string(topic) +
                        "/" + std::to_string(partition));
  }
  return std::unique_ptr<Claim>(new Claim(this, std::move(key)));
}

Status ConsumerGroups::Commit(std::string_view topic, int32_t partition, std::string_view group,
                              Offset next, int64_t now_ms) {
  return meta_->PutCommitted(topic, partition, group, next.value(), now_ms);
}

Status ConsumerGroups::Commit(const Partition& partition, std::string_view group, Offset next,
                              int64_t now_ms) {
  if (partition.deleted()) {
    return Status::NotFound("topic " + partition.topic() + " was deleted");
  }
  return Commit(partition.topic(), partition.id(), group, next, now_ms);
}

Result<std::optional<CommittedOffset>> ConsumerGroups::Get(std::string_view topic,
                                                           int32_t partition,
                                                           std::string_view group) {
  return meta_->GetCommitted(topic, partition, group);
}

Result<std::vector<CommittedOffset>> ConsumerGroups::List(std::string_view topic) {
  return meta_->ListCommitted(topic);
}

Status ConsumerGroups::Forget(std::string_view topic, int32_t partition, std::string_view group) {
  Result<std::optional<CommittedOffset>> had = Get(topic, partition, group);
  if (!had.ok()) return had.status();
  if (!had->has_value()) {
    return Status::NotFound("group " + std::string(group) + " has no offset on " +
                            std::string(topic) + "/" + std::to_string(partition));
  }
  return meta_->DeleteCommitted(topic, partition, group);
}

Result<Offset> ConsumerGroups::StartOf(const Partition& partition, std::string_view group) {
  Result<std::optional<CommittedOffset>> committed =
      Get(partition.topic(), partition.id(), group);
  if (!committed.ok()) return committed.status();
  const int64_t log_start = partition.log_start_offset();
  if (!committed->has_value()) return Offset(log_start);
  return Offset(std::clamp((*committed)->offset, log_start, partition.log_end_offset()));
}

Result<std::unique_ptr<PartitionReader>> ConsumerGroups::ReaderFor(
    std::shared_ptr<Partition> partition, std::string_view group) {
  Result<Offset> start = StartOf(*partition, group);
  if (!start.ok()) return start.status();
  Result<std::unique_ptr<PartitionReader>> reader = PartitionReader::FromOffset(partition, *start);
  if (!reader.ok() && reader.status().Is(Code::kOutOfRange)) {
    reader = PartitionReader::FromLogStart(std::move(partition));
  }
  return reader;
}

}  // namespace topicfs::store
