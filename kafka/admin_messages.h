// The topic administration messages (admin.cc), described once as in
// messages.h: CreateTopics, DeleteTopics, CreatePartitions,
// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kafka/message_io.h"
#include "kafka/messages.h"

namespace topicfs::kafka {

// Kafka's resource types in the config APIs.
constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

// --- CreateTopics (key 19) --------------------------------------------------

struct CreateTopicsRequest {
  struct Assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int32Array(broker_ids);
    }
  };
  struct Config {
    std::string_view name;
    OptString value;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.NullableString(value);
    }
  };
  struct Topic {
    std::string_view name;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::vector<Assignment> assignments;
    std::vector<Config> configs;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Int32(num_partitions);
      io.Int16(replication_factor);
      io.Array(assignments);
      io.Array(configs);
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;
  template <class IO>
  void Fields(IO& io) {
    io.Array(topics);
    io.Int32(timeout_ms);
    io.Bool(validate_only, Since(1));
  }
};

struct CreateTopicsResponse {
  struct Topic {
    std::string_view name;
    Uuid topic_id{};
    int16_t error_code = 0;
    OptString error_message;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::optional<std::vector<CreateTopicsRequest::Config>> configs;  // null: not shown
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Uuid(topic_id, Since(7));
      io.Int16(error_code);
      io.NullableString(error_message, Since(1));
      io.Int32(num_partitions, Since(5));
      io.Int16(replication_factor, Since(5));
      io.NullableArray(configs, Since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(2));
    io.Array(topics);
  }
};

// --- DeleteTopics (key 20) --------------------------------------------------

struct DeleteTopicsRequest {
  std::vector<std::string_view> topic_names;
  int32_t timeout_ms = 0;
  template <class IO>
  void Fields(IO& io) {
    io.StringArray(topic_names);
    io.Int32(timeout_ms);
  }
};

struct DeleteTopicsResponse {
  struct Result {
    std::string_view name;
    int16_t error_code = 0;
    OptString error_message;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Int16(error_code);
      io.NullableString(error_message, Since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> responses;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Array(responses);
  }
};

// --- CreatePartitions (key 37) ----------------------------------------------

struct CreatePartitionsRequest {
  struct Assignment {
    std::vector<int32_t> broker_ids;
    template <class IO>
    void Fields(IO& io) {
      io.Int32Array(broker_ids);
    }
  };
  struct Topic {
    std::string_view name;
    int32_t count = 0;
    std::optional<std::vector<Assignment>> assignments;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Int32(count);
      io.NullableArray(assignments);
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class IO>
  void Fields(IO& io) {
    io.Array(topics);
    io.Int32(timeout_ms);
    io.Bool(validate_only);
  }
};

// One resource's outcome: AlterConfigs and IncrementalAlterConfigs answer
// with it.
struct ResourceResult {
  int16_t error_code = 0;
  OptString error_message;
  int8_t resource_type = kResourceTopic;
  std::string_view resource_name;
  template <class IO>
  void Fields(IO& io) {
    io.Int16(error_code);
    io.NullableString(error_message);
    io.Int8(resource_type);
    io.String(resource_name);
  }
};

struct CreatePartitionsResponse {
  struct Result {
    std::string_view name;
    int16_t error_code = 0;
    OptString error_message;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Int16(error_code);
      io.NullableString(error_message);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms);
    io.Array(results);
  }
};

// --- DescribeConfigs (key 32) -----------------------------------------------

struct DescribeConfigsRequest {
  struct Resource {
    int8_t resource_type = 0;
    std::string_view resource_name;
    std::optional<std::vector<std::string_view>> configuration_keys;  // null: all
    template <class IO>
    void Fields(IO& io) {
      io.Int8(resource_type);
      io.String(resource_name);
      io.NullableStringArray(configuration_keys);
    }
  };
  std::vector<Resource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;
  template <class IO>
  void Fields(IO& io) {
    io.Array(resources);
    io.Bool(include_synonyms, Since(1));
    io.Bool(include_documentation, Since(3));
  }
};

struct DescribeConfigsResponse {
  struct Synonym {
    std::string_view name;
    OptString value;
    int8_t source = 0;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.NullableString(value);
      io.Int8(source);
    }
  };
  struct Config {
    std::string_view name;
    OptString value;
    bool read_only = false;
    bool is_default = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<Synonym> synonyms;
    int8_t config_type = 0;
    OptString documentation;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.NullableString(value);
      io.Bool(read_only);
      io.Bool(is_default, Between(0, 0));
      io.Int8(config_source, Since(1));
      io.Bool(is_sensitive);
      io.Array(synonyms, Since(1));
      io.Int8(config_type, Since(3));
      io.NullableString(documentation, Since(3));
    }
  };
  struct Result {
    int16_t error_code = 0;
    OptString error_message;
    int8_t resource_type = 0;
    std::string_view resource_name;
    std::vector<Config> configs;
    template <class IO>
    void Fields(IO& io) {
      io.Int16(error_code);
      io.NullableString(error_message);
      io.Int8(resource_type);
      io.String(resource_name);
      io.Array(configs);
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms);
    io.Array(results);
  }
};

// --- AlterConfigs (key 33) and IncrementalAlterConfigs (key 44) -------------

// The two differ only in an operation per config (SET, DELETE, APPEND,
// SUBTRACT) that the incremental one has, so one description serves both.
template <bool Incremental>
struct AlterConfigsRequest {
  struct Config {
    std::string_view name;
    int8_t config_operation = 0;  // SET when not incremental
    OptString value;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      if constexpr (Incremental) io.Int8(config_operation);
      io.NullableString(value);
    }
  };
  struct Resource {
    int8_t resource_type = 0;
    std::string_view resource_name;
    std::vector<Config> configs;
    template <class IO>
    void Fields(IO& io) {
      io.Int8(resource_type);
      io.String(resource_name);
      io.Array(configs);
    }
  };
  std::vector<Resource> resources;
  bool validate_only = false;
  template <class IO>
  void Fields(IO& io) {
    io.Array(resources);
    io.Bool(validate_only);
  }
};

struct AlterConfigsResponse {
  int32_t throttle_time_ms = 0;
  std::vector<ResourceResult> responses;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms);
    io.Array(responses);
  }
};

}  // namespace topicfs::kafka
