// `topicfs topic create|list|describe|alter|delete` (DESIGN §5).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/target.h"

namespace topicfs::cli {

struct TopicCreateOptions {
  TopicArgs target;
  int32_t partitions = 1;
  std::optional<int64_t> retention_ms;
  std::optional<int64_t> retention_bytes;
  std::optional<int64_t> segment_bytes;
  std::optional<int64_t> segment_ms;
  std::optional<int64_t> index_interval_bytes;
  std::optional<int64_t> max_message_bytes;
  std::string delimiter;
  std::vector<std::string> configs;  // NAME=VALUE
};

struct TopicListOptions {
  StoreArgs store;
  bool json = false;
};

struct TopicDescribeOptions {
  TopicArgs target;
  bool json = false;
};

struct TopicAlterOptions {
  TopicArgs target;
  std::optional<int32_t> partitions;
  std::vector<std::string> configs;         // NAME=VALUE
  std::vector<std::string> delete_configs;  // NAME: back to the default
};

struct TopicDeleteOptions {
  TopicArgs target;
};

void SetupTopicCommand(CLI::App& app);
void RunTopicCreate(const TopicCreateOptions& opt);
void RunTopicList(const TopicListOptions& opt);
void RunTopicDescribe(const TopicDescribeOptions& opt);
void RunTopicAlter(const TopicAlterOptions& opt);
void RunTopicDelete(const TopicDeleteOptions& opt);

}  // namespace topicfs::cli
