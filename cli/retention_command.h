// `topicfs retention show|set|apply` (DESIGN §1.5, §5).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>

#include "cli/target.h"

namespace topicfs::cli {

struct RetentionShowOptions {
  TopicArgs target;
  bool json = false;
};

struct RetentionSetOptions {
  TopicArgs target;
  std::optional<int64_t> time_ms;  // retention.ms
  std::optional<int64_t> bytes;    // retention.bytes
};

struct RetentionApplyOptions {
  StoreArgs target;  // a topic or a whole store
  bool dry_run = false;
};

void SetupRetentionCommand(CLI::App& app);
void RunRetentionShow(const RetentionShowOptions& opt);
void RunRetentionSet(const RetentionSetOptions& opt);
void RunRetentionApply(const RetentionApplyOptions& opt);

}  // namespace topicfs::cli
