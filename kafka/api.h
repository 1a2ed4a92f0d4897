// The Kafka APIs topicfs knows, the versions it answers, and Kafka's error
// codes (the protocol guide's "Error Codes"; errors.json in Kafka's sources).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/status.h"

namespace topicfs::kafka {

enum ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kInitProducerId = 22,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kCreatePartitions = 37,
  kIncrementalAlterConfigs = 44,
};

struct ApiSupport {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
  // From this version on, requests and responses are flexible (compact
  // strings and arrays, tagged fields) and so are their headers.
  int16_t first_flexible;
  const char* name;  // for metrics: "produce", "fetch", ...
};

// What ApiVersions advertises, by key.
std::span<const ApiSupport> SupportedApis();
// Null when topicfs does not answer `key` at all.
const ApiSupport* FindApi(int16_t key);
// The kinds of a store::RequestStats for the listener: one per supported
// API, then "unsupported"; ApiKind(key) is the index of key's.
std::vector<std::string> ApiKinds();
int ApiKind(int16_t key);

enum ErrorCode : int16_t {
  kNone = 0,
  kUnknownServerError = -1,
  kOffsetOutOfRange = 1,
  kCorruptMessage = 2,
  kUnknownTopicOrPartition = 3,
  kRequestTimedOut = 7,
  kMessageTooLarge = 10,
  kInvalidTopic = 17,
  kIllegalGeneration = 22,
  kInconsistentGroupProtocol = 23,
  kInvalidGroupId = 24,
  kUnknownMemberId = 25,
  kRebalanceInProgress = 27,
  kRecordListTooLarge = 18,
  kOutOfOrderSequenceNumber = 45,
  kInvalidProducerEpoch = 47,
  kUnsupportedVersion = 35,
  kTopicAlreadyExists = 36,
  kInvalidPartitions = 37,
  kInvalidReplicationFactor = 38,
  kInvalidConfig = 40,
  kInvalidRequest = 42,
  kUnsupportedForMessageFormat = 43,
  kKafkaStorageError = 56,
  kTransactionalIdAuthorizationFailed = 53,
  kInvalidRecord = 87,
};

// The error a store failure is to a Kafka client.
ErrorCode ErrorFor(const store::Status& status);

}  // namespace topicfs::kafka
