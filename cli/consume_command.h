// `topicfs consume TOPIC [--partition P] (--offset N | --time T |
// --from-beginning | --group G [--exec CMD]) [--count K] [-f]`: writes records exactly as stored,
// delimiter included, streamed in large reads; records are counted with
// memchr, never one syscall each.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>

#include "cli/target.h"

namespace topicfs::cli {

struct ConsumeOptions {
  TopicArgs target;
  std::optional<int32_t> partition;  // default 0; with --group, every partition
  std::optional<int64_t> offset;
  std::optional<int64_t> time_ms;
  bool from_beginning = false;
  std::optional<int64_t> count;
  bool follow = false;
  std::string group;  // --group: from its committed offset, committing what was written
  std::string exec;   // --exec CMD: records to CMD's stdin, committed only when it exits 0
};

void SetupConsumeCommand(CLI::App& app);
void RunConsume(const ConsumeOptions& opt);

}  // namespace topicfs::cli
