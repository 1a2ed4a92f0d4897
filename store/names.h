// Names the store accepts and produces: Kafka's topic-name rule and the
// 20-digit segment file names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace topicfs::store {

// Kafka's rule: 1..249 characters of [A-Za-z0-9._-], not "." or "..".
bool IsValidTopicName(std::string_view name);

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
// An index rebuilt from its .log, before it is renamed over the old one.
inline constexpr std::string_view kRebuiltSuffix = ".rebuilt";
inline constexpr int kSegmentNameDigits = 20;

// "00000000000000000042" for 42.
std::string SegmentFilePrefix(int64_t base_offset);

enum class SegmentFileKind { kLog, kIndex, kTimeIndex };
struct SegmentFileName {
  int64_t base_offset;
  SegmentFileKind kind;
};
// Parses "<20 digits>.log|.index|.timeindex"; nullopt for anything else.
std::optional<SegmentFileName> ParseSegmentFileName(std::string_view name);

}  // namespace topicfs::store
