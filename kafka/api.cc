#include "kafka/api.h"

#include <algorithm>
#include <array>

namespace topicfs::kafka {
namespace {

// Produce from 3 (RecordBatch v2, the only format topicfs reads), Fetch
// from 4 (the first that returns it) to 12 (13 names topics by id).
constexpr std::array kApis = {
    ApiSupport{kProduce, 3, 9, 9},
    ApiSupport{kFetch, 4, 12, 12},
    ApiSupport{kListOffsets, 1, 7, 6},
    ApiSupport{kMetadata, 0, 12, 9},
    ApiSupport{kApiVersions, 0, 3, 3},
    ApiSupport{kCreateTopics, 0, 7, 5},
    ApiSupport{kDeleteTopics, 0, 5, 4},
    ApiSupport{kDescribeConfigs, 0, 4, 4},
    ApiSupport{kAlterConfigs, 0, 2, 2},
    ApiSupport{kCreatePartitions, 0, 3, 2},
    ApiSupport{kIncrementalAlterConfigs, 0, 1, 1},
    ApiSupport{kInitProducerId, 0, 4, 2},
    ApiSupport{kOffsetCommit, 0, 8, 8},
    ApiSupport{kOffsetFetch, 0, 7, 6},
    ApiSupport{kFindCoordinator, 0, 3, 3},
    ApiSupport{kJoinGroup, 0, 7, 6},
    ApiSupport{kHeartbeat, 0, 4, 4},
    ApiSupport{kLeaveGroup, 0, 4, 4},
    ApiSupport{kSyncGroup, 0, 5, 4},
    ApiSupport{kDescribeGroups, 0, 5, 5},
    ApiSupport{kListGroups, 0, 4, 3},
};

}  // namespace

std::span<const ApiSupport> SupportedApis() { return kApis; }

const ApiSupport* FindApi(int16_t key) {
  auto it =
      std::find_if(kApis.begin(), kApis.end(), [&](const ApiSupport& a) { return a.key == key; });
  return it == kApis.end() ? nullptr : &*it;
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
