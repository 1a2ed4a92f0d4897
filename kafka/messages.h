// The Kafka messages topicfs answers, each described once (message_io.h)
// from Kafka's JSON schemas, for the versions api_versions.h lists. Member
// names follow the schemas' field names.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kafka/message_io.h"

namespace topicfs::kafka {

using OptString = std::optional<std::string_view>;

// A topic's name and its partitions' entries: how Produce and ListOffsets,
// both ways, group partitions.
template <class Partition>
struct TopicEntries {
  std::string_view name;
  std::vector<Partition> partitions;
  template <class IO>
  void Fields(IO& io) {
    io.String(name);
    io.Array(partitions);
  }
};

// --- ApiVersions (key 18) ---------------------------------------------------

struct ApiVersionsRequest {
  std::string_view client_software_name;
  std::string_view client_software_version;
  template <class IO>
  void Fields(IO& io) {
    io.String(client_software_name, Since(3));
    io.String(client_software_version, Since(3));
  }
};

struct ApiVersionsResponse {
  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    template <class IO>
    void Fields(IO& io) {
      io.Int16(api_key);
      io.Int16(min_version);
      io.Int16(max_version);
    }
  };
  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Int16(error_code);
    io.Array(api_keys);
    io.Int32(throttle_time_ms, Since(1));
  }
};

// --- Metadata (key 3) -------------------------------------------------------

struct MetadataRequest {
  struct Topic {
    Uuid topic_id{};
    OptString name;
    template <class IO>
    void Fields(IO& io) {
      io.Uuid(topic_id, Since(10));
      if (io.version() >= 10) {
        io.NullableString(name);
      } else {
        std::string_view n = name.value_or("");
        io.String(n);
        name = n;
      }
    }
  };
  // Null (version 1+) or, in version 0, empty: every topic.
  std::optional<std::vector<Topic>> topics;
  bool allow_auto_topic_creation = true;
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;
  template <class IO>
  void Fields(IO& io) {
    io.NullableArray(topics);
    io.Bool(allow_auto_topic_creation, Since(4));
    io.Bool(include_cluster_authorized_operations, Between(8, 10));
    io.Bool(include_topic_authorized_operations, Since(8));
  }
};

struct MetadataResponse {
  struct Broker {
    int32_t node_id = 0;
    std::string_view host;
    int32_t port = 0;
    OptString rack;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(node_id);
      io.String(host);
      io.Int32(port);
      io.NullableString(rack, Since(1));
    }
  };
  struct Partition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;
    template <class IO>
    void Fields(IO& io) {
      io.Int16(error_code);
      io.Int32(partition_index);
      io.Int32(leader_id);
      io.Int32(leader_epoch, Since(7));
      io.Int32Array(replica_nodes);
      io.Int32Array(isr_nodes);
      io.Int32Array(offline_replicas, Since(5));
    }
  };
  struct Topic {
    int16_t error_code = 0;
    std::string_view name;
    Uuid topic_id{};
    bool is_internal = false;
    std::vector<Partition> partitions;
    int32_t topic_authorized_operations = INT32_MIN;
    template <class IO>
    void Fields(IO& io) {
      io.Int16(error_code);
      io.String(name);
      io.Uuid(topic_id, Since(10));
      io.Bool(is_internal, Since(1));
      io.Array(partitions);
      io.Int32(topic_authorized_operations, Since(8));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Broker> brokers;
  OptString cluster_id;
  int32_t controller_id = -1;
  std::vector<Topic> topics;
  int32_t cluster_authorized_operations = INT32_MIN;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(3));
    io.Array(brokers);
    io.NullableString(cluster_id, Since(2));
    io.Int32(controller_id, Since(1));
    io.Array(topics);
    io.Int32(cluster_authorized_operations, Between(8, 10));
  }
};

// --- Produce (key 0) --------------------------------------------------------

struct ProduceRequest {
  struct Partition {
    int32_t index = 0;
    OptString records;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(index);
      io.Bytes(records);
    }
  };
  using Topic = TopicEntries<Partition>;
  OptString transactional_id;
  int16_t acks = -1;
  int32_t timeout_ms = 0;
  std::vector<Topic> topic_data;
  template <class IO>
  void Fields(IO& io) {
    io.NullableString(transactional_id, Since(3));
    io.Int16(acks);
    io.Int32(timeout_ms);
    io.Array(topic_data);
  }
};

struct ProduceResponse {
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    struct RecordError {
      int32_t batch_index = 0;
      OptString batch_index_error_message;
      template <class IO>
      void Fields(IO& io) {
        io.Int32(batch_index);
        io.NullableString(batch_index_error_message);
      }
    };
    std::vector<RecordError> record_errors;
    OptString error_message;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(index);
      io.Int16(error_code);
      io.Int64(base_offset);
      io.Int64(log_append_time_ms, Since(2));
      io.Int64(log_start_offset, Since(5));
      io.Array(record_errors, Since(8));
      io.NullableString(error_message, Since(8));
    }
  };
  using Topic = TopicEntries<Partition>;
  std::vector<Topic> responses;
  int32_t throttle_time_ms = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Array(responses);
    io.Int32(throttle_time_ms, Since(1));
  }
};

// --- InitProducerId (key 22) -----------------------------------------------

struct InitProducerIdRequest {
  OptString transactional_id;
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;  // version 3+: an id whose epoch is to be bumped
  int16_t producer_epoch = -1;
  template <class IO>
  void Fields(IO& io) {
    io.NullableString(transactional_id);
    io.Int32(transaction_timeout_ms);
    io.Int64(producer_id, Since(3));
    io.Int16(producer_epoch, Since(3));
  }
};

struct InitProducerIdResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms);
    io.Int16(error_code);
    io.Int64(producer_id);
    io.Int16(producer_epoch);
  }
};

// --- Fetch (key 1) ----------------------------------------------------------

struct FetchRequest {
  struct Partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;
    int64_t log_start_offset = -1;
    int32_t partition_max_bytes = 0;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition);
      io.Int32(current_leader_epoch, Since(9));
      io.Int64(fetch_offset);
      io.Int32(last_fetched_epoch, Since(12));
      io.Int64(log_start_offset, Since(5));
      io.Int32(partition_max_bytes);
    }
  };
  struct Topic {
    std::string_view topic;
    std::vector<Partition> partitions;
    template <class IO>
    void Fields(IO& io) {
      io.String(topic, Between(0, 12));
      io.Array(partitions);
    }
  };
  struct ForgottenTopic {
    std::string_view topic;
    std::vector<int32_t> partitions;
    template <class IO>
    void Fields(IO& io) {
      io.String(topic, Between(7, 12));
      io.Int32Array(partitions);
    }
  };
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;
  int8_t isolation_level = 0;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<Topic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;
  std::string_view rack_id;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(replica_id, Between(0, 14));
    io.Int32(max_wait_ms);
    io.Int32(min_bytes);
    io.Int32(max_bytes, Since(3));
    io.Int8(isolation_level, Since(4));
    io.Int32(session_id, Since(7));
    io.Int32(session_epoch, Since(7));
    io.Array(topics);
    io.Array(forgotten_topics_data, Since(7));
    io.String(rack_id, Since(11));
  }
};

struct FetchResponse {
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    struct AbortedTransaction {
      int64_t producer_id = 0;
      int64_t first_offset = 0;
      template <class IO>
      void Fields(IO& io) {
        io.Int64(producer_id);
        io.Int64(first_offset);
      }
    };
    std::vector<AbortedTransaction> aborted_transactions;  // never any: no transactions
    int32_t preferred_read_replica = -1;
    OptString records = std::string_view();  // empty, not null: clients want a size
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int16(error_code);
      io.Int64(high_watermark);
      io.Int64(last_stable_offset, Since(4));
      io.Int64(log_start_offset, Since(5));
      io.Array(aborted_transactions, Since(4));
      io.Int32(preferred_read_replica, Since(11));
      io.Bytes(records);
    }
  };
  struct Topic {
    std::string_view topic;
    std::vector<Partition> partitions;
    template <class IO>
    void Fields(IO& io) {
      io.String(topic, Between(0, 12));
      io.Array(partitions);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t session_id = 0;
  std::vector<Topic> responses;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code, Since(7));
    io.Int32(session_id, Since(7));
    io.Array(responses);
  }
};

// --- ListOffsets (key 2) ----------------------------------------------------

struct ListOffsetsRequest {
  struct Partition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;
    int64_t timestamp = 0;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int32(current_leader_epoch, Since(4));
      io.Int64(timestamp);
    }
  };
  using Topic = TopicEntries<Partition>;
  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<Topic> topics;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(replica_id);
    io.Int8(isolation_level, Since(2));
    io.Array(topics);
  }
};

struct ListOffsetsResponse {
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int16(error_code);
      io.Int64(timestamp, Since(1));
      io.Int64(offset, Since(1));
      io.Int32(leader_epoch, Since(4));
    }
  };
  using Topic = TopicEntries<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(2));
    io.Array(topics);
  }
};

}  // namespace topicfs::kafka
