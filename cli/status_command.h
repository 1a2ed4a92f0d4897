// `topicfs status STORE`: a live store at a glance, for a person (or, with
// --json, a script): per topic its partitions, records, bytes, append rates
// measured over --interval, its groups' lag, and what is wrong (a stopped
// partition, a failing remote tier).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/target.h"

namespace topicfs::cli {

struct StatusOptions {
  StoreArgs store;
  std::optional<int64_t> interval_ms;  // default 1 s; 0: no rates
  bool json = false;
};

void SetupStatusCommand(CLI::App& app);
void RunStatus(const StatusOptions& opt);

}  // namespace topicfs::cli
