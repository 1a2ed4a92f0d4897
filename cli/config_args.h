// Topic configs as the command line gives them (`--config NAME=VALUE`,
// `--retention 7d`) turned into canonical ConfigChanges, and printed back
// for `topic describe` and `retention show`.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "cli/store_access.h"

namespace topicfs::cli {

// Validates `value` for config `name` (human units allowed) and returns it
// in canonical form; UsageFail for an unknown name or a bad value.
ConfigChange MakeConfigChange(std::string_view name, std::string_view value);
ConfigChange MakeConfigChange(std::string_view name, int64_t value);
// "NAME=VALUE".
ConfigChange ParseConfigAssignment(const std::string& text);
// UsageFail unless `name` is a topic config.
void CheckConfigName(std::string_view name);

// "  retention.ms            259200000  3d" (configs named in `only`, or all).
void PrintConfigs(std::ostream& out, const TopicInfo& info,
                  const std::vector<std::string_view>& only = {});
// A table of partitions: log start, log end, bytes, segments.
void PrintPartitions(std::ostream& out, const TopicInfo& info);
// `text` as a JSON string, quotes included.
std::string JsonString(std::string_view text);
// The topic as one JSON object (docs/CLI.md, "--json"): name, partitions
// (as rows) and configs (with `only`, just those).
void PrintTopicJson(std::ostream& out, const TopicInfo& info,
                    const std::vector<std::string_view>& only = {});

}  // namespace topicfs::cli
