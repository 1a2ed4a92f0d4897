#include "kafka/api.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace topicfs::kafka {
namespace {

// Produce from 3 (RecordBatch v2, the only format topicfs reads), Fetch
// from 4 (the first that returns it) to 12 (13 names topics by id).
constexpr std::array kApis = {
    ApiSupport{kProduce, 3, 9, 9, "produce"},
    ApiSupport{kFetch, 4, 12, 12, "fetch"},
    ApiSupport{kListOffsets, 1, 7, 6, "list_offsets"},
    ApiSupport{kMetadata, 0, 12, 9, "metadata"},
    ApiSupport{kApiVersions, 0, 3, 3, "api_versions"},
    ApiSupport{kCreateTopics, 0, 7, 5, "create_topics"},
    ApiSupport{kDeleteTopics, 0, 5, 4, "delete_topics"},
    ApiSupport{kDescribeConfigs, 0, 4, 4, "describe_configs"},
    ApiSupport{kAlterConfigs, 0, 2, 2, "alter_configs"},
    ApiSupport{kCreatePartitions, 0, 3, 2, "create_partitions"},
    ApiSupport{kIncrementalAlterConfigs, 0, 1, 1, "incremental_alter_configs"},
    ApiSupport{kInitProducerId, 0, 4, 2, "init_producer_id"},
    ApiSupport{kOffsetCommit, 0, 8, 8, "offset_commit"},
    ApiSupport{kOffsetFetch, 0, 7, 6, "offset_fetch"},
    ApiSupport{kFindCoordinator, 0, 3, 3, "find_coordinator"},
    ApiSupport{kJoinGroup, 0, 7, 6, "join_group"},
    ApiSupport{kHeartbeat, 0, 4, 4, "heartbeat"},
    ApiSupport{kLeaveGroup, 0, 4, 4, "leave_group"},
    ApiSupport{kSyncGroup, 0, 5, 4, "sync_group"},
    ApiSupport{kDescribeGroups, 0, 5, 5, "describe_groups"},
    ApiSupport{kListGroups, 0, 4, 3, "list_groups"},
};

}  // namespace

std::span<const ApiSupport> SupportedApis() { return kApis; }

const ApiSupport* FindApi(int16_t key) {
  auto it =
      std::find_if(kApis.begin(), kApis.end(), [&](const ApiSupport& a) { return a.key == key; });
  return it == kApis.end() ? nullptr : &*it;
}

int ApiKind(int16_t key) {
  const ApiSupport* api = FindApi(key);
  return api == nullptr ? static_cast<int>(kApis.size()) : static_cast<int>(api - kApis.data());
}

std::vector<std::string> ApiKinds() {
  std::vector<std::string> kinds;
  for (const ApiSupport& api : kApis) kinds.emplace_back(api.name);
  kinds.emplace_back("unsupported");
  return kinds;
}

ErrorCode ErrorFor(const store::Status& status) {
  using store::Code;
  switch (status.code()) {
    case Code::kOk:
      return kNone;
    case Code::kNotFound:
      return kUnknownTopicOrPartition;
    case Code::kOutOfRange:
      return kOffsetOutOfRange;
    case Code::kInvalidArgument:
      return kInvalidRecord;
    case Code::kCorruption:
      return kCorruptMessage;
    case Code::kMessageTooLarge:
    case Code::kTooBig:
      return kMessageTooLarge;
    case Code::kNotSupported:
      return kUnsupportedForMessageFormat;
    case Code::kIOError:
    case Code::kNoSpace:
    case Code::kUnavailable:
      return kKafkaStorageError;
    case Code::kDeadlineExceeded:
      return kRequestTimedOut;
    default:
      return kUnknownServerError;
  }
}

}  // namespace topicfs::kafka
