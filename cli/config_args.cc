#include "cli/config_args.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "cli/cli_error.h"
#include "cli/units_option.h"
#include "store/topic_config.h"

namespace topicfs::cli {
namespace {

const store::ConfigSpec& SpecOf(std::string_view name) {
  const store::ConfigSpec* spec = store::FindConfigSpec(name);
  if (spec == nullptr) {
    std::string known;
    for (const store::ConfigSpec& s : store::AllConfigSpecs()) {
      known += (known.empty() ? "" : ", ") + std::string(s.name);
    }
    UsageFail("unknown config '" + std::string(name) + "' (known: " + known + ")");
  }
  return *spec;
}

// What a value means to a person: "3d", "10G", "no limit".
std::string Explain(const store::ConfigSpec& spec, const std::string& text) {
  store::Result<int64_t> v = store::ParseConfigValue(spec, text);
  if (!v.ok() || spec.unit == store::ConfigSpec::Unit::kDelimiter ||
      spec.unit == store::ConfigSpec::Unit::kBool) {
    return "";
  }
  if (*v == store::kSameAsTotal && spec.allows_same_as_total) return "as retention";
  if (*v == -1 && spec.allows_unlimited) {
    return spec.key == store::ConfigKey::kRetentionMs     ? "forever"
           : spec.unit == store::ConfigSpec::Unit::kBytes ? "no limit"
                                                          : "off";
  }
  switch (spec.unit) {
    case store::ConfigSpec::Unit::kBytes:
      return HumanSize(*v);
    case store::ConfigSpec::Unit::kMillis:
      return HumanDuration(*v);
    default:
      return "";
  }
}

}  // namespace

void CheckConfigName(std::string_view name) { SpecOf(name); }

ConfigChange MakeConfigChange(std::string_view name, std::string_view value) {
  const store::ConfigSpec& spec = SpecOf(name);
  store::Result<int64_t> parsed = store::ParseConfigValue(spec, value);
  if (!parsed.ok()) UsageFail(parsed.status().ToString());
  return {std::string(spec.name), store::FormatConfigValue(spec, *parsed)};
}

ConfigChange MakeConfigChange(std::string_view name, int64_t value) {
  return MakeConfigChange(name, std::to_string(value));
}

ConfigChange ParseConfigAssignment(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    UsageFail("--config takes NAME=VALUE, not '" + text + "'");
  }
  return MakeConfigChange(std::string_view(text).substr(0, eq),
                          std::string_view(text).substr(eq + 1));
}

void PrintConfigs(std::ostream& out, const TopicInfo& info,
                  const std::vector<std::string_view>& only) {
  for (const ConfigValue& c : info.configs) {
    if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
    const store::ConfigSpec* spec = store::FindConfigSpec(c.name);
    std::string note = spec ? Explain(*spec, c.value) : "";
    if (c.is_default) note += note.empty() ? "(default)" : " (default)";
    char line[256];
    std::snprintf(line, sizeof line, "  %-22s %-12s %s", c.name.c_str(), c.value.c_str(),
                  note.c_str());
    std::string s = line;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << '\n';
  }
}

void PrintPartitions(std::ostream& out, const TopicInfo& info) {
  char line[160];
  std::snprintf(line, sizeof line, "%-10s %-16s %-16s %-14s %s\n", "partition", "log_start",
                "log_end", "size_bytes", "segments");
  out << line;
  for (const PartitionInfo& p : info.partitions) {
    std::snprintf(line, sizeof line, "%-10d %-16lld %-16lld %-14lld %lld\n", p.id,
                  static_cast<long long>(p.log_start_offset),
                  static_cast<long long>(p.log_end_offset), static_cast<long long>(p.size_bytes),
                  static_cast<long long>(p.segment_count));
    out << line;
  }
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void PrintTopicJson(std::ostream& out, const TopicInfo& info,
                    const std::vector<std::string_view>& only) {
  out << "{\"topic\":" << JsonString(info.name) << ",\"partitions\":[";
  for (size_t i = 0; i < info.partitions.size(); ++i) {
    const PartitionInfo& p = info.partitions[i];
    out << (i ? "," : "") << "{\"partition\":" << p.id
        << ",\"log_start_offset\":" << p.log_start_offset
        << ",\"log_end_offset\":" << p.log_end_offset << ",\"size_bytes\":" << p.size_bytes
        << ",\"segments\":" << p.segment_count << "}";
  }
  out << "],\"configs\":{";
  bool first = true;
  for (const ConfigValue& c : info.configs) {
    if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
    out << (first ? "" : ",") << JsonString(c.name) << ":{\"value\":" << JsonString(c.value)
        << ",\"default\":" << (c.is_default ? "true" : "false") << "}";
    first = false;
  }
  out << "}}\n";
}

}  // namespace topicfs::cli
