// Topic administration over the Kafka protocol (DESIGN §8): create, delete
// and grow topics, describe and change their configs, under the names of
// DESIGN §2, through the same Store calls as mkdir, rmdir and setfattr.
#include <algorithm>
#include <deque>

#include "kafka/admin_messages.h"
#include "kafka/broker.h"
#include "kafka/reply.h"
#include "store/names.h"
#include "store/topic_config.h"

namespace topicfs::kafka {
namespace {

constexpr int8_t kSourceDynamicTopic = 1;  // DescribeConfigs' ConfigSource
constexpr int8_t kSourceDefault = 5;
constexpr int8_t kTypeBoolean = 1;  // DescribeConfigs' ConfigType
constexpr int8_t kTypeString = 2;
constexpr int8_t kTypeLong = 5;
constexpr int8_t kOpSet = 0;  // IncrementalAlterConfigs' operations
constexpr int8_t kOpDelete = 1;

// The error a refused topic change is, with the store's message.
int16_t AdminError(const store::Status& s) {
  switch (s.code()) {
    case store::Code::kAlreadyExists:
      return kTopicAlreadyExists;
    case store::Code::kNotFound:
      return kUnknownTopicOrPartition;
    case store::Code::kInvalidArgument:
    case store::Code::kPermission:
      return kInvalidConfig;
    default:
      return ErrorFor(s);
  }
}

// The config a CreateTopics entry asks for: refused whole on a bad name or
// value (INVALID_CONFIG).
store::Result<store::TopicConfig> ConfigOf(const CreateTopicsRequest::Topic& topic) {
  store::TopicConfig config;
  for (const CreateTopicsRequest::Config& c : topic.configs) {
    if (!c.value) continue;  // null: the default
    store::Status s = config.Set(c.name, *c.value);
    if (!s.ok()) return s;
  }
  return config;
}

// Applies one resource's changes, all or none.
template <bool Incremental>
store::Status Alter(store::Store* store,
                    const typename AlterConfigsRequest<Incremental>::Resource& resource,
                    bool validate_only) {
  if (store->FindTopic(resource.resource_name) == nullptr) {
    return store::Status::NotFound("no topic " + std::string(resource.resource_name));
  }
  auto change = [&](store::TopicConfig& config) -> store::Status {
    // AlterConfigs replaces the whole set: what it does not name returns to
    // its default.
    if constexpr (!Incremental) config = store::TopicConfig();
    for (const auto& c : resource.configs) {
      store::Status s;
      if (c.config_operation == kOpDelete || (!Incremental && !c.value)) {
        s = config.Unset(c.name);
      } else if (c.config_operation == kOpSet && c.value) {
        s = config.Set(c.name, *c.value);
      } else {
        s = store::Status::InvalidArgument("only SET and DELETE apply to topic configs");
      }
      if (!s.ok()) return s;
    }
    // A dry run stops here: the store keeps nothing of a failed change.
    return validate_only ? store::Status::Interrupted("validate only") : store::Status::OK();
  };
  store::Status s = store->ChangeTopicConfig(resource.resource_name, change);
  return s.Is(store::Code::kInterrupted) ? store::Status::OK() : s;
}

}  // namespace

Reply Broker::CreateTopics(const RequestHeader& h, std::string_view body) {
  CreateTopicsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "CreateTopics");
  CreateTopicsResponse response;
  std::deque<std::string> messages;  // what the response points into
  for (const CreateTopicsRequest::Topic& topic : request.topics) {
    CreateTopicsResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    const int32_t partitions = !topic.assignments.empty()
                                   ? static_cast<int32_t>(topic.assignments.size())
                               : topic.num_partitions == -1 ? 1
                                                            : topic.num_partitions;
    store::Status s;
    store::Result<store::TopicConfig> config = ConfigOf(topic);
    if (topic.replication_factor > 1) {
      out.error_code = kInvalidReplicationFactor;
      s = store::Status::InvalidArgument("one broker: the replication factor is 1");
    } else if (partitions < 1) {
      out.error_code = kInvalidPartitions;
      s = store::Status::InvalidArgument("a topic has at least one partition");
    } else if (!store::IsValidTopicName(topic.name)) {
      out.error_code = kInvalidTopic;
      s = store::Status::InvalidArgument("not a valid topic name");
    } else if (!config.ok()) {
      out.error_code = kInvalidConfig;
      s = config.status();
    } else if (request.validate_only) {
      if (store_->FindTopic(topic.name) != nullptr) {
        s = store::Status::AlreadyExists("topic exists");
        out.error_code = kTopicAlreadyExists;
      }
    } else {
      s = store_->CreateTopic(topic.name, partitions, *config);
      out.error_code = AdminError(s);
    }
    if (!s.ok()) {
      out.error_message = messages.emplace_back(s.message());
      continue;
    }
    out.num_partitions = partitions;
    out.replication_factor = 1;
  }
  return Respond(h, response);
}

Reply Broker::DeleteTopics(const RequestHeader& h, std::string_view body) {
  DeleteTopicsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "DeleteTopics");
  DeleteTopicsResponse response;
  for (std::string_view name : request.topic_names) {
    DeleteTopicsResponse::Result& out = response.responses.emplace_back();
    out.name = name;
    // As Kafka: deleted with its records (rmdir refuses a topic with records).
    out.error_code = AdminError(store_->DeleteTopic(name, /*require_empty=*/false));
  }
  return Respond(h, response);
}

Reply Broker::CreatePartitions(const RequestHeader& h, std::string_view body) {
  CreatePartitionsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "CreatePartitions");
  CreatePartitionsResponse response;
  for (const CreatePartitionsRequest::Topic& topic : request.topics) {
    CreatePartitionsResponse::Result& out = response.results.emplace_back();
    out.name = topic.name;
    std::shared_ptr<store::Topic> found = store_->FindTopic(topic.name);
    if (found == nullptr) {
      out.error_code = kUnknownTopicOrPartition;
    } else if (topic.count <= found->partition_count()) {
      out.error_code = kInvalidPartitions;  // Kafka never removes partitions
    } else if (!request.validate_only) {
      out.error_code = AdminError(store_->SetPartitionCount(topic.name, topic.count));
    }
  }
  return Respond(h, response);
}

Reply Broker::DescribeConfigs(const RequestHeader& h, std::string_view body) {
  DescribeConfigsRequest request;
  if (!Decode(h, body, &request)) return Malformed(h, "DescribeConfigs");
  DescribeConfigsResponse response;
  std::deque<std::string> values;  // what the response points into
  for (const DescribeConfigsRequest::Resource& resource : request.resources) {
    DescribeConfigsResponse::Result& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    if (resource.resource_type == kResourceBroker) continue;  // none settable here
    if (resource.resource_type != kResourceTopic) {
      out.error_code = kInvalidRequest;
      continue;
    }
    std::shared_ptr<store::Topic> topic = store_->FindTopic(resource.resource_name);
    if (topic == nullptr) {
      out.error_code = kUnknownTopicOrPartition;
      continue;
    }
    const store::TopicConfig config = topic->config();
    for (const store::ConfigSpec& spec : store::AllConfigSpecs()) {
      if (resource.configuration_keys &&
          std::find(resource.configuration_keys->begin(), resource.configuration_keys->end(),
                    spec.name) == resource.configuration_keys->end()) {
        continue;
      }
      DescribeConfigsResponse::Config& c = out.configs.emplace_back();
      c.name = spec.name;
      c.value = values.emplace_back(store::FormatConfigValue(spec, config.Value(spec.key)));
      c.is_default = !config.IsSet(spec.key);
      c.config_source = c.is_default ? kSourceDefault : kSourceDynamicTopic;
      c.config_type = spec.unit == store::ConfigSpec::Unit::kDelimiter ? kTypeString
                      : spec.unit == store::ConfigSpec::Unit::kBool    ? kTypeBoolean
                                                                       : kTypeLong;
    }
  }
  return Respond(h, response);
}

template <bool Incremental>
Reply Broker::AlterConfigs(const RequestHeader& h, std::string_view body) {
  AlterConfigsRequest<Incremental> request;
  if (!Decode(h, body, &request)) return Malformed(h, "AlterConfigs");
  AlterConfigsResponse response;
  std::deque<std::string> messages;
  for (const auto& resource : request.resources) {
    ResourceResult& out = response.responses.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    if (resource.resource_type != kResourceTopic) {
      out.error_code = kInvalidRequest;
      out.error_message = "topicfs has only topic configs";
      continue;
    }
    store::Status s = Alter<Incremental>(store_, resource, request.validate_only);
    out.error_code = AdminError(s);
    if (!s.ok()) out.error_message = messages.emplace_back(s.message());
  }
  return Respond(h, response);
}

template Reply Broker::AlterConfigs<false>(const RequestHeader&, std::string_view);
template Reply Broker::AlterConfigs<true>(const RequestHeader&, std::string_view);

}  // namespace topicfs::kafka
