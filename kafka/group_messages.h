// The consumer group messages (groups.cc), described once as in
// messages.h: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch, ListGroups and DescribeGroups, in the classic
// group protocol's versions (api.cc lists them).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "kafka/message_io.h"
#include "kafka/messages.h"

namespace topicfs::kafka {

// --- FindCoordinator (key 10) -----------------------------------------------

struct FindCoordinatorRequest {
  std::string_view key;
  int8_t key_type = 0;  // 0 group, 1 transaction
  template <class IO>
  void Fields(IO& io) {
    io.String(key);
    io.Int8(key_type, Since(1));
  }
};

struct FindCoordinatorResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  OptString error_message;
  int32_t node_id = 0;
  std::string_view host;
  int32_t port = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code);
    io.NullableString(error_message, Since(1));
    io.Int32(node_id);
    io.String(host);
    io.Int32(port);
  }
};

// --- JoinGroup (key 11) -----------------------------------------------------

struct JoinGroupRequest {
  struct Protocol {
    std::string_view name;
    OptString metadata;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Bytes(metadata);
    }
  };
  std::string_view group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;
  std::string_view member_id;
  OptString group_instance_id;
  std::string_view protocol_type;
  std::vector<Protocol> protocols;
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.Int32(session_timeout_ms);
    io.Int32(rebalance_timeout_ms, Since(1));
    io.String(member_id);
    io.NullableString(group_instance_id, Since(5));
    io.String(protocol_type);
    io.Array(protocols);
  }
};

struct JoinGroupResponse {
  struct Member {
    std::string_view member_id;
    OptString group_instance_id;
    OptString metadata;
    template <class IO>
    void Fields(IO& io) {
      io.String(member_id);
      io.NullableString(group_instance_id, Since(5));
      io.Bytes(metadata);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int32_t generation_id = -1;
  OptString protocol_type;
  OptString protocol_name;
  std::string_view leader;
  std::string_view member_id;
  std::vector<Member> members;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(2));
    io.Int16(error_code);
    io.Int32(generation_id);
    io.NullableString(protocol_type, Since(7));
    if (io.version() >= 7) {
      io.NullableString(protocol_name);
    } else {
      std::string_view name = protocol_name.value_or("");
      io.String(name);
      protocol_name = name;
    }
    io.String(leader);
    io.String(member_id);
    io.Array(members);
  }
};

// --- SyncGroup (key 14) -----------------------------------------------------

struct SyncGroupRequest {
  struct Assignment {
    std::string_view member_id;
    OptString assignment;
    template <class IO>
    void Fields(IO& io) {
      io.String(member_id);
      io.Bytes(assignment);
    }
  };
  std::string_view group_id;
  int32_t generation_id = -1;
  std::string_view member_id;
  OptString group_instance_id;
  OptString protocol_type;
  OptString protocol_name;
  std::vector<Assignment> assignments;
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.Int32(generation_id);
    io.String(member_id);
    io.NullableString(group_instance_id, Since(3));
    io.NullableString(protocol_type, Since(5));
    io.NullableString(protocol_name, Since(5));
    io.Array(assignments);
  }
};

struct SyncGroupResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  OptString protocol_type;
  OptString protocol_name;
  OptString assignment = std::string_view();
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code);
    io.NullableString(protocol_type, Since(5));
    io.NullableString(protocol_name, Since(5));
    io.Bytes(assignment);
  }
};

// --- Heartbeat (key 12) -----------------------------------------------------

struct HeartbeatRequest {
  std::string_view group_id;
  int32_t generation_id = -1;
  std::string_view member_id;
  OptString group_instance_id;
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.Int32(generation_id);
    io.String(member_id);
    io.NullableString(group_instance_id, Since(3));
  }
};

struct HeartbeatResponse {
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code);
  }
};

// --- LeaveGroup (key 13) ----------------------------------------------------

struct LeaveGroupRequest {
  struct Member {
    std::string_view member_id;
    OptString group_instance_id;
    template <class IO>
    void Fields(IO& io) {
      io.String(member_id);
      io.NullableString(group_instance_id);
    }
  };
  std::string_view group_id;
  std::string_view member_id;   // up to version 2
  std::vector<Member> members;  // from version 3
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.String(member_id, Between(0, 2));
    io.Array(members, Since(3));
  }
};

struct LeaveGroupResponse {
  struct Member {
    std::string_view member_id;
    OptString group_instance_id;
    int16_t error_code = 0;
    template <class IO>
    void Fields(IO& io) {
      io.String(member_id);
      io.NullableString(group_instance_id);
      io.Int16(error_code);
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Member> members;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code);
    io.Array(members, Since(3));
  }
};

// --- OffsetCommit (key 8) ---------------------------------------------------

struct OffsetCommitRequest {
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    int64_t commit_timestamp = -1;
    OptString committed_metadata;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int64(committed_offset);
      io.Int32(committed_leader_epoch, Since(6));
      io.Int64(commit_timestamp, Between(1, 1));
      io.NullableString(committed_metadata);
    }
  };
  using Topic = TopicEntries<Partition>;
  std::string_view group_id;
  int32_t generation_id = -1;
  std::string_view member_id;
  OptString group_instance_id;
  int64_t retention_time_ms = -1;
  std::vector<Topic> topics;
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.Int32(generation_id, Since(1));
    io.String(member_id, Since(1));
    io.NullableString(group_instance_id, Since(7));
    io.Int64(retention_time_ms, Between(2, 4));
    io.Array(topics);
  }
};

struct OffsetCommitResponse {
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int16(error_code);
    }
  };
  using Topic = TopicEntries<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(3));
    io.Array(topics);
  }
};

// --- OffsetFetch (key 9) ----------------------------------------------------

struct OffsetFetchRequest {
  struct Topic {
    std::string_view name;
    std::vector<int32_t> partition_indexes;
    template <class IO>
    void Fields(IO& io) {
      io.String(name);
      io.Int32Array(partition_indexes);
    }
  };
  std::string_view group_id;
  std::optional<std::vector<Topic>> topics;  // null (version 2+): every topic
  bool require_stable = false;
  template <class IO>
  void Fields(IO& io) {
    io.String(group_id);
    io.NullableArray(topics);
    io.Bool(require_stable, Since(7));
  }
};

struct OffsetFetchResponse {
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;
    OptString metadata = std::string_view();
    int16_t error_code = 0;
    template <class IO>
    void Fields(IO& io) {
      io.Int32(partition_index);
      io.Int64(committed_offset);
      io.Int32(committed_leader_epoch, Since(5));
      io.NullableString(metadata);
      io.Int16(error_code);
    }
  };
  using Topic = TopicEntries<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  int16_t error_code = 0;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(3));
    io.Array(topics);
    io.Int16(error_code, Since(2));
  }
};

// --- ListGroups (key 16) and DescribeGroups (key 15) ------------------------

struct ListGroupsRequest {
  std::vector<std::string_view> states_filter;
  template <class IO>
  void Fields(IO& io) {
    io.StringArray(states_filter, Since(4));
  }
};

struct ListGroupsResponse {
  struct Group {
    std::string_view group_id;
    std::string_view protocol_type;
    std::string_view group_state;
    template <class IO>
    void Fields(IO& io) {
      io.String(group_id);
      io.String(protocol_type);
      io.String(group_state, Since(4));
    }
  };
  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Group> groups;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Int16(error_code);
    io.Array(groups);
  }
};

struct DescribeGroupsRequest {
  std::vector<std::string_view> groups;
  bool include_authorized_operations = false;
  template <class IO>
  void Fields(IO& io) {
    io.StringArray(groups);
    io.Bool(include_authorized_operations, Since(3));
  }
};

struct DescribeGroupsResponse {
  struct Member {
    std::string_view member_id;
    OptString group_instance_id;
    std::string_view client_id;
    std::string_view client_host;
    OptString member_metadata = std::string_view();
    OptString member_assignment = std::string_view();
    template <class IO>
    void Fields(IO& io) {
      io.String(member_id);
      io.NullableString(group_instance_id, Since(4));
      io.String(client_id);
      io.String(client_host);
      io.Bytes(member_metadata);
      io.Bytes(member_assignment);
    }
  };
  struct Group {
    int16_t error_code = 0;
    std::string_view group_id;
    std::string_view group_state;
    std::string_view protocol_type;
    std::string_view protocol_data;
    std::vector<Member> members;
    int32_t authorized_operations = INT32_MIN;
    template <class IO>
    void Fields(IO& io) {
      io.Int16(error_code);
      io.String(group_id);
      io.String(group_state);
      io.String(protocol_type);
      io.String(protocol_data);
      io.Array(members);
      io.Int32(authorized_operations, Since(3));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Group> groups;
  template <class IO>
  void Fields(IO& io) {
    io.Int32(throttle_time_ms, Since(1));
    io.Array(groups);
  }
};

}  // namespace topicfs::kafka
