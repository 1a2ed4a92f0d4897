// `topicfs group list|describe|reset|delete` (DESIGN §7): consumer groups'
// committed offsets, with the columns and reset options of Kafka's
// kafka-consumer-groups.sh, over a live mount or `--data DIR`.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/target.h"

namespace topicfs::cli {

struct GroupListOptions {
  StoreArgs target;  // a store, or one topic in it
  bool json = false;
};

struct GroupDescribeOptions {
  TopicArgs target;
  std::string group;  // empty: every group
  bool json = false;
};

struct GroupResetOptions {
  TopicArgs target;
  std::string group;
  std::optional<int64_t> to_offset;
  std::optional<int64_t> to_time_ms;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> shift_by;
  std::optional<int32_t> partition;  // default: every partition
  bool dry_run = false;
};

struct GroupDeleteOptions {
  TopicArgs target;
  std::string group;
};

void SetupGroupCommand(CLI::App& app);

// Records from `from` to the log end of a partition: how many there are
// (the reset to a time counts back from the log end with it).
store::Result<int64_t> CountRecords(StoreAccess& access, std::string_view topic,
                                    int32_t partition, const ReadFrom& from, char delim);

}  // namespace topicfs::cli
