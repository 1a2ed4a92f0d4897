#include "store/topic_config.h"

#include <limits>

#include "store/units.h"

namespace topicfs::store {
namespace {

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
using Unit = ConfigSpec::Unit;

// Bounds follow Kafka's LogConfig where they apply; positions in .index are
// uint32, and Kafka keeps segments under 2 GiB, so segment.bytes does too.
constexpr ConfigSpec kSpecs[] = {
    {ConfigKey::kRetentionMs, "retention.ms", 604800000, 0, kMaxInt64, true, Unit::kMillis},
    {ConfigKey::kRetentionBytes, "retention.bytes", -1, 0, kMaxInt64, true, Unit::kBytes},
    {ConfigKey::kSegmentBytes, "segment.bytes", 1073741824, 14, kMaxInt32, false, Unit::kBytes},
    {ConfigKey::kSegmentMs, "segment.ms", 604800000, 1, kMaxInt64, false, Unit::kMillis},
    {ConfigKey::kIndexIntervalBytes, "index.interval.bytes", 4096, 0, kMaxInt32, false,
     Unit::kBytes},
    {ConfigKey::kMaxMessageBytes, "max.message.bytes", 1048588, 1, kMaxInt32, false,
     Unit::kBytes},
    {ConfigKey::kSegmentIndexBytes, "segment.index.bytes", 10485760, 12, kMaxInt32, false,
     Unit::kBytes},
    {ConfigKey::kFlushMessages, "flush.messages", -1, 1, kMaxInt64, true, Unit::kCount},
    {ConfigKey::kFlushMs, "flush.ms", -1, 0, kMaxInt64, true, Unit::kMillis},
    {ConfigKey::kRecordDelimiter, "record.delimiter", 0, 0, 1, false, Unit::kDelimiter},
    {ConfigKey::kRemoteStorageEnable, "remote.storage.enable", 0, 0, 1, false, Unit::kBool},
    {ConfigKey::kLocalRetentionMs, "local.retention.ms", kSameAsTotal, 0, kMaxInt64, true,
     Unit::kMillis, true},
    {ConfigKey::kLocalRetentionBytes, "local.retention.bytes", kSameAsTotal, 0, kMaxInt64, true,
     Unit::kBytes, true},
};
static_assert(std::size(kSpecs) == static_cast<size_t>(ConfigKey::kCount));

}  // namespace

std::span<const ConfigSpec> AllConfigSpecs() { return kSpecs; }

const ConfigSpec* FindConfigSpec(std::string_view name) {
  for (const ConfigSpec& spec : kSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Result<int64_t> ParseConfigValue(const ConfigSpec& spec, std::string_view value) {
  if (value == "-2" && spec.allows_same_as_total) return kSameAsTotal;
  std::optional<int64_t> parsed;
  switch (spec.unit) {
    case Unit::kBytes: parsed = ParseSize(value); break;
    case Unit::kMillis: parsed = ParseDurationMs(value); break;
    case Unit::kCount: parsed = ParseSignedDecimal(value); break;
    case Unit::kDelimiter:
      if (value == "newline" || value == "\\n") parsed = 0;
      if (value == "nul" || value == "\\0") parsed = 1;
      break;
    case Unit::kBool:
      if (value == "false" || value == "0") parsed = 0;
      if (value == "true" || value == "1") parsed = 1;
      break;
  }
  std::string bad = std::string("invalid value '") + std::string(value) + "' for " +
                    std::string(spec.name);
  if (!parsed) return Status::InvalidArgument(bad);
  if (*parsed == -1 && spec.allows_unlimited) return *parsed;
  if (*parsed == kSameAsTotal && spec.allows_same_as_total) return *parsed;
  if (*parsed < spec.min_value || *parsed > spec.max_value) {
    return Status::InvalidArgument(bad + " (allowed: " + std::to_string(spec.min_value) + ".." +
                                   std::to_string(spec.max_value) +
                                   (spec.allows_same_as_total ? ", -1 or -2)"
                                    : spec.allows_unlimited  ? ", or -1)"
                                                             : ")"));
  }
  return *parsed;
}

std::string FormatConfigValue(const ConfigSpec& spec, int64_t value) {
  if (spec.unit == Unit::kDelimiter) return value == 1 ? "nul" : "newline";
  if (spec.unit == Unit::kBool) return value == 1 ? "true" : "false";
  return std::to_string(value);
}

TopicConfig::TopicConfig() {
  for (const ConfigSpec& spec : kSpecs) values_[static_cast<int>(spec.key)] = spec.default_value;
}

Status TopicConfig::Set(std::string_view name, std::string_view value) {
  const ConfigSpec* spec = FindConfigSpec(name);
  if (spec == nullptr) {
    return Status::InvalidArgument("unknown config '" + std::string(name) + "'");
  }
  Result<int64_t> parsed = ParseConfigValue(*spec, value);
  if (!parsed.ok()) return parsed.status();
  values_[static_cast<int>(spec->key)] = *parsed;
  set_mask_ |= 1u << static_cast<int>(spec->key);
  return Status::OK();
}

Status TopicConfig::Unset(std::string_view name) {
  const ConfigSpec* spec = FindConfigSpec(name);
  if (spec == nullptr) {
    return Status::InvalidArgument("unknown config '" + std::string(name) + "'");
  }
  values_[static_cast<int>(spec->key)] = spec->default_value;
  set_mask_ &= ~(1u << static_cast<int>(spec->key));
  return Status::OK();
}

std::string TopicConfig::Get(std::string_view name) const {
  const ConfigSpec* spec = FindConfigSpec(name);
  if (spec == nullptr) return "";
  return FormatConfigValue(*spec, Value(spec->key));
}

std::string TopicConfig::Serialize() const {
  std::string out;
  for (const ConfigSpec& spec : kSpecs) {
    if (!IsSet(spec.key)) continue;
    out.append(spec.name).append("=").append(FormatConfigValue(spec, Value(spec.key)));
    out.push_back('\n');
  }
  return out;
}

Result<TopicConfig> TopicConfig::Parse(std::string_view text) {
  TopicConfig config;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::Corruption("bad config line '" + std::string(line) + "'");
    }
    TOPICFS_RETURN_IF_ERROR(config.Set(line.substr(0, eq), line.substr(eq + 1)));
  }
  return config;
}

}  // namespace topicfs::store
