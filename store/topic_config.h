// A topic's configuration under Kafka's names (DESIGN §2). Values not set
// explicitly read as their defaults; only explicit overrides are persisted,
// so removing one restores the default.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

enum class ConfigKey : int {
  kRetentionMs,
  kRetentionBytes,
  kSegmentBytes,
  kSegmentMs,
  kIndexIntervalBytes,
  kMaxMessageBytes,
  kSegmentIndexBytes,
  kFlushMessages,
  kFlushMs,
  kRecordDelimiter,
  kRemoteStorageEnable,  // tiered storage (DESIGN §9)
  kLocalRetentionMs,
  kLocalRetentionBytes,
  kCount,
};

struct ConfigSpec {
  ConfigKey key;
  std::string_view name;  // Kafka's name, e.g. "retention.ms"
  int64_t default_value;
  int64_t min_value;     // smallest valid value apart from `unlimited`
  int64_t max_value;
  bool allows_unlimited;  // -1 accepted
  enum class Unit { kBytes, kMillis, kCount, kDelimiter, kBool } unit;
  // -2 accepted: "the same as the retention.* of the whole log" (Kafka's
  // local.retention.* default).
  bool allows_same_as_total = false;
};

// The value of local.retention.* that means "as retention.*".
inline constexpr int64_t kSameAsTotal = -2;

// Every topic config, in a stable order.
std::span<const ConfigSpec> AllConfigSpecs();
// nullptr when `name` is not a topic config.
const ConfigSpec* FindConfigSpec(std::string_view name);

class TopicConfig {
 public:
  TopicConfig();

  // Validates and sets one value given as text ("604800000", "7d", "10G",
  // "newline"). InvalidArgument for an unknown name or a bad value.
  Status Set(std::string_view name, std::string_view value);
  // Restores the default. InvalidArgument for an unknown name.
  Status Unset(std::string_view name);
  // The effective value as text, "" for an unknown name.
  std::string Get(std::string_view name) const;
  bool IsSet(ConfigKey key) const { return set_mask_ & (1u << static_cast<int>(key)); }
  int64_t Value(ConfigKey key) const { return values_[static_cast<int>(key)]; }

  int64_t retention_ms() const { return Value(ConfigKey::kRetentionMs); }
  int64_t retention_bytes() const { return Value(ConfigKey::kRetentionBytes); }
  int64_t segment_bytes() const { return Value(ConfigKey::kSegmentBytes); }
  int64_t segment_ms() const { return Value(ConfigKey::kSegmentMs); }
  int64_t index_interval_bytes() const { return Value(ConfigKey::kIndexIntervalBytes); }
  int64_t max_message_bytes() const { return Value(ConfigKey::kMaxMessageBytes); }
  int64_t segment_index_bytes() const { return Value(ConfigKey::kSegmentIndexBytes); }
  int64_t flush_messages() const { return Value(ConfigKey::kFlushMessages); }
  int64_t flush_ms() const { return Value(ConfigKey::kFlushMs); }
  char delimiter() const { return Value(ConfigKey::kRecordDelimiter) == 1 ? '\0' : '\n'; }
  bool remote_storage_enable() const { return Value(ConfigKey::kRemoteStorageEnable) == 1; }
  // local.retention.*, with -2 resolved to retention.*.
  int64_t local_retention_ms() const {
    int64_t v = Value(ConfigKey::kLocalRetentionMs);
    return v == kSameAsTotal ? retention_ms() : v;
  }
  int64_t local_retention_bytes() const {
    int64_t v = Value(ConfigKey::kLocalRetentionBytes);
    return v == kSameAsTotal ? retention_bytes() : v;
  }

  // "name=value\n" for every explicit override; Parse() reverses it.
  std::string Serialize() const;
  static Result<TopicConfig> Parse(std::string_view text);

 private:
  std::array<int64_t, static_cast<size_t>(ConfigKey::kCount)> values_;
  uint32_t set_mask_ = 0;
};

// Parses a value for `spec` the way Set() does.
Result<int64_t> ParseConfigValue(const ConfigSpec& spec, std::string_view value);
// The text Get() shows for `value`.
std::string FormatConfigValue(const ConfigSpec& spec, int64_t value);

}  // namespace topicfs::store
