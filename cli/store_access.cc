#include "cli/store_access.h"

namespace topicfs::cli {

std::string TopicInfo::Config(std::string_view config) const {
  for (const ConfigValue& c : configs) {
    if (c.name == config) return c.value;
  }
  return "";
}

store::Status OffsetOutOfRange(std::string_view topic_path, int32_t partition, int64_t offset,
                               int64_t log_start, int64_t log_end) {
  return store::Status::OutOfRange(
      "offset " + std::to_string(offset) + " is outside the log of " + std::string(topic_path) +
      " partition " + std::to_string(partition) + " (log start " + std::to_string(log_start) +
      ", log end " + std::to_string(log_end) + ")");
}

}  // namespace topicfs::cli
