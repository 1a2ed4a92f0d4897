#include "kafka/broker.h"

#include "kafka/messages.h"
#include "kafka/reply.h"

namespace topicfs::kafka {
namespace {

constexpr int32_t kNodeId = 0;

// The partitions of a topic as Metadata shows them: node 0 leads them all.
std::vector<MetadataResponse::Partition> PartitionsOf(const store::Topic& topic) {
  std::vector<MetadataResponse::Partition> out;
  for (int32_t p = 0; p < topic.partition_count(); ++p) {
    MetadataResponse::Partition part;
    part.partition_index = p;
    part.leader_id = kNodeId;
    part.replica_nodes = {kNodeId};
    part.isr_nodes = {kNodeId};
    out.push_back(std::move(part));
  }
  return out;
}

}  // namespace

bool ParseHeader(std::string_view request, RequestHeader* h, std::string_view* body) {
  WireReader in(request);
  h->api_key = in.Int16();
  h->api_version = in.Int16();
  h->correlation_id = in.Int32();
  // The client id is a classic nullable string in every header version.
  const int16_t len = in.Int16();
  if (len >= 0) h->client_id = in.Bytes(static_cast<size_t>(len));
  if (!in.ok() || len < -1) return false;
  const ApiSupport* api = FindApi(h->api_key);
  h->flexible = api != nullptr && h->api_version >= api->first_flexible;
  // ApiVersions requests have header v2 when flexible like the rest; the
  // tagged fields end the header.
  if (h->flexible) {
    MessageReader tags(in.rest(), h->api_version, true);
    tags.EndStruct();
    if (!tags.ok()) return false;
    *body = tags.wire().rest();
    return true;
  }
  *body = in.rest();
  return true;
}

Reply Broker::Handle(std::string_view request, Session& session, bool may_wait) {
  RequestHeader h;
  std::string_view body;
  if (!ParseHeader(request, &h, &body)) {
    Reply reply;
    reply.kind = Reply::Kind::kClose;
    reply.why = "malformed request header";
    return reply;
  }
  const ApiSupport* api = FindApi(h.api_key);
  const bool supported =
      api != nullptr && h.api_version >= api->min_version && h.api_version <= api->max_version;
  if (h.api_key == kApiVersions) return ApiVersions(h, body);
  if (!supported) {
    // Kafka's answer to a request it has no schema for: the error code
    // where every response's first field would be.
    Reply reply;
    WireWriter out(&reply.frame);
    out.Int32(h.correlation_id);
    out.Int16(kUnsupportedVersion);
    return reply;
  }
  switch (h.api_key) {
    case kMetadata:
      return Metadata(h, body);
    case kProduce:
      return Produce(h, body);
    case kInitProducerId:
      return InitProducerId(h, body);
    case kFindCoordinator:
      return FindCoordinator(h, body);
    case kJoinGroup:
      return JoinGroup(h, body, session);
    case kSyncGroup:
      return SyncGroup(h, body, session, may_wait);
    case kHeartbeat:
      return Heartbeat(h, body);
    case kLeaveGroup:
      return LeaveGroup(h, body);
    case kOffsetCommit:
      return OffsetCommit(h, body);
    case kOffsetFetch:
      return OffsetFetch(h, body);
    case kListGroups:
      return ListGroups(h, body);
    case kDescribeGroups:
      return DescribeGroups(h, body);
    case kFetch:
      return Fetch(h, body, session, may_wait);
    case kListOffsets:
      return ListOffsets(h, body);
    case kCreateTopics:
      return CreateTopics(h, body);
    case kDeleteTopics:
      return DeleteTopics(h, body);
    case kCreatePartitions:
      return CreatePartitions(h, body);
    case kDescribeConfigs:
      return DescribeConfigs(h, body);
    case kAlterConfigs:
      return AlterConfigs<false>(h, body);
    case kIncrementalAlterConfigs:
      return AlterConfigs<true>(h, body);
    default:
      return Malformed(h, "unknown");
  }
}

Reply Broker::ApiVersions(const RequestHeader& h, std::string_view body) {
  ApiVersionsResponse response;
  for (const ApiSupport& api : SupportedApis()) {
    response.api_keys.push_back({api.key, api.min_version, api.max_version});
  }
  const ApiSupport& self = *FindApi(kApiVersions);
  if (h.api_version > self.max_version) {
    // A newer client: answer in version 0, which every client reads, with
    // the versions topicfs has; the client asks again in one of them.
    RequestHeader v0 = h;
    v0.api_version = 0;
    v0.flexible = false;
    response.error_code = kUnsupportedVersion;
    return Respond(v0, response);
  }
  ApiVersionsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "ApiVersions");
  return Respond(h, response);
}

Reply Broker::Metadata(const RequestHeader& h, std::string_view body) {
  MetadataRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "Metadata");
  MetadataResponse response;
  response.brokers.push_back({kNodeId, options_.host, options_.port, std::nullopt});
  response.cluster_id = "topicfs";
  response.controller_id = kNodeId;
  std::vector<std::string> names;  // keeps the names the response shows
  const bool all = !request.topics || (h.api_version == 0 && request.topics->empty());
  if (all) {
    names = store_->ListTopics();
  } else {
    for (const MetadataRequest::Topic& t : *request.topics) names.emplace_back(t.name.value_or(""));
  }
  for (const std::string& name : names) {
    MetadataResponse::Topic topic;
    topic.name = name;
    std::shared_ptr<store::Topic> found = store_->FindTopic(name);
    if (found == nullptr) {
      topic.error_code = kUnknownTopicOrPartition;
    } else {
      topic.partitions = PartitionsOf(*found);
    }
    response.topics.push_back(std::move(topic));
  }
  return Respond(h, response);
}

}  // namespace topicfs::kafka
